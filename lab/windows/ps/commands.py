"""Commands: how a command line binds to a cmdlet's parameters, and the table that resolves names.

Binding follows PowerShell: ``-Name value``, ``-Name:value``, switches, unique prefixes of a
parameter name, aliases, positional arguments in declared order, pipeline input, and the common
parameters (``-ErrorAction``, ``-WarningAction``, ``-Verbose``, ...; ``-WhatIf``/``-Confirm`` where the
cmdlet supports ShouldProcess). What does not bind fails with PowerShell's own messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lab.windows.ps.interp import Argument
from lab.windows.ps.values import PSRuntimeError, Switch, as_list, to_bool, to_str

COMMON = ("Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable",
          "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable")
COMMON_ALIASES = {"vb": "Verbose", "db": "Debug", "ea": "ErrorAction", "wa": "WarningAction",
                  "infa": "InformationAction", "ev": "ErrorVariable", "wv": "WarningVariable",
                  "iv": "InformationVariable", "ov": "OutVariable", "ob": "OutBuffer", "pv": "PipelineVariable"}
SWITCH_COMMON = {"Verbose", "Debug", "WhatIf", "Confirm"}


@dataclass
class Param:
    name: str
    switch: bool = False
    position: int | None = None
    aliases: tuple[str, ...] = ()
    from_pipeline: bool = False


@dataclass
class Cmdlet:
    name: str
    run: Callable
    params: list[Param] = field(default_factory=list)
    #: "read" or "change": what the endpoint's command log records
    kind: str = "read"
    should_process: bool = False
    module: str = "Microsoft.PowerShell.Utility"
    #: ConfirmImpact "High" asks for confirmation unless -Confirm:$false (PowerShell's $ConfirmPreference)
    confirm_high: bool = False

    def all_params(self) -> list[str]:
        names = [p.name for p in self.params] + list(COMMON)
        return names + (["WhatIf", "Confirm"] if self.should_process else [])


class Invocation:
    """One call of a cmdlet: its bound parameters, pipeline input and error handling."""

    def __init__(self, interpreter, cmdlet: Cmdlet, bound: dict, pipeline_input: list | None, text: str, node):
        self.interpreter = interpreter
        self.cmdlet = cmdlet
        self.bound = {k.lower(): v for k, v in bound.items()}
        self.input = pipeline_input
        self.text = text
        self.node = node

    def has(self, name: str) -> bool:
        return name.lower() in self.bound

    def get(self, name: str, default=None):
        return self.bound.get(name.lower(), default)

    def flag(self, name: str) -> bool:
        return to_bool(self.bound.get(name.lower(), False))

    @property
    def what_if(self) -> bool:
        return self.flag("WhatIf")

    def error(self, message: str, *, category: str = "NotSpecified", error_id: str = "", target: str = "",
              exception: str = "Microsoft.PowerShell.Commands.WriteErrorException") -> None:
        """A non-terminating error of this cmdlet, as ``-ErrorAction`` / ``$ErrorActionPreference`` say."""
        error = PSRuntimeError(message, category=category, error_id=error_id or exception.split(".")[-1],
                               target=target, exception=exception, command=self.cmdlet.name,
                               statement_terminating=False)
        self.interpreter.locate(error, self.node)
        action = to_str(self.get("ErrorAction")).lower() if self.has("ErrorAction") else None
        self.interpreter.write_error(error, action)

    def fail(self, message: str, *, category: str = "NotSpecified", error_id: str = "", target: str = "",
             exception: str = "RuntimeException") -> PSRuntimeError:
        """A terminating error of this cmdlet (raise the result)."""
        return PSRuntimeError(message, category=category, error_id=error_id or exception.split(".")[-1],
                              target=target, exception=exception, command=self.cmdlet.name)

    def warn(self, message: str) -> None:
        action = to_str(self.get("WarningAction", self.interpreter.get_var("WarningPreference") or "Continue"))
        if action.lower() not in ("silentlycontinue", "ignore"):
            self.interpreter.result.warnings.append(message)


def _binding_error(cmdlet: str, message: str, error_id: str, target: str = "") -> PSRuntimeError:
    return PSRuntimeError(message, category="InvalidArgument", error_id=f"{error_id},{cmdlet}", target=target,
                          exception="ParameterBindingException", command=cmdlet)


def resolve_parameter(cmdlet: Cmdlet, typed: str) -> str:
    """The parameter a typed name means: exact name, alias, or unique prefix (PowerShell allows those)."""
    lower = typed.lower()
    names = cmdlet.all_params()
    for name in names:
        if name.lower() == lower:
            return name
    for param in cmdlet.params:
        if lower in (a.lower() for a in param.aliases):
            return param.name
    if lower in COMMON_ALIASES:
        return COMMON_ALIASES[lower]
    matches = [n for n in names if n.lower().startswith(lower)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise _binding_error(cmdlet.name, f"Parameter cannot be processed because the parameter name '{typed}' is "
                             f"ambiguous. Possible matches include: {' '.join('-' + m for m in matches)}.",
                             "AmbiguousParameter", typed)
    raise _binding_error(cmdlet.name, f"A parameter cannot be found that matches parameter name '{typed}'.",
                         "NamedParameterNotFound", typed)


def bind(cmdlet: Cmdlet, args: list[Argument]) -> dict:
    by_name = {p.name: p for p in cmdlet.params}
    bound: dict = {}
    positional: list[Argument] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.parameter is None or arg.parameter == "":
            positional.append(arg)
            index += 1
            continue
        name = resolve_parameter(cmdlet, arg.parameter)
        if name in bound:
            raise _binding_error(cmdlet.name, f"Cannot bind parameter because parameter '{name}' is specified more "
                                 "than once. To provide multiple values to parameters that can accept multiple "
                                 'values, use the array syntax. For example, "-parameter value1,value2,value3".',
                                 "ParameterAlreadyBound", name)
        param = by_name.get(name)
        is_switch = name in SWITCH_COMMON or (param is not None and param.switch)
        if is_switch and not arg.colon:
            bound[name] = Switch(True)
            index += 1
            continue
        if index + 1 >= len(args) or (args[index + 1].parameter is not None and not arg.colon):
            raise _binding_error(cmdlet.name, f"Missing an argument for parameter '{name}'. Specify a parameter of "
                                 "the type 'System.Object' and try again.", "MissingArgument", name)
        value = args[index + 1].value
        bound[name] = Switch(to_bool(value)) if is_switch else value
        index += 2
    slots = sorted((p for p in cmdlet.params if p.position is not None and p.name not in bound),
                   key=lambda p: p.position)
    for arg in positional:
        if not slots:
            raise _binding_error(cmdlet.name, f"A positional parameter cannot be found that accepts argument "
                                 f"'{to_str(arg.value)}'.", "PositionalParameterNotFound", to_str(arg.value))
        bound[slots.pop(0).name] = arg.value
    return bound


class CommandTable:
    """Cmdlets by name and alias; functions defined by the script come first, then cmdlets, then
    native programs."""

    def __init__(self, recorder: Callable[[str, str, str], None] | None = None):
        self.cmdlets: dict[str, Cmdlet] = {}
        self.aliases: dict[str, str] = {}
        self.natives: dict[str, Callable] = {}
        self.recorder = recorder or (lambda name, kind, text: None)

    def add(self, cmdlet: Cmdlet, *aliases: str) -> None:
        self.cmdlets[cmdlet.name.lower()] = cmdlet
        for alias in aliases:
            self.aliases[alias.lower()] = cmdlet.name.lower()

    def add_native(self, names: tuple[str, ...], run: Callable) -> None:
        for name in names:
            self.natives[name.lower()] = run

    def invoke(self, interpreter, name: str, args: list[Argument], pipeline_input, text: str, node) -> list:
        lower = name.lower()
        if lower in interpreter.functions:
            return interpreter.call_function(interpreter.functions[lower], args, pipeline_input)
        cmdlet = self.cmdlets.get(self.aliases.get(lower, lower))
        if cmdlet is not None:
            return self._run_cmdlet(interpreter, cmdlet, args, pipeline_input, text, node)
        native = self.natives.get(lower) or self.natives.get(lower.rsplit("\\", 1)[-1])
        if native is not None:
            return native(interpreter, name, [to_native(a) for a in args], pipeline_input, text)
        raise PSRuntimeError(f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, "
                             "or operable program. Check the spelling of the name, or if a path was included, verify "
                             "that the path is correct and try again.", category="ObjectNotFound",
                             error_id="CommandNotFoundException", target=name, exception="CommandNotFoundException")

    def _run_cmdlet(self, interpreter, cmdlet: Cmdlet, args, pipeline_input, text, node) -> list:
        bound = bind(cmdlet, args)
        invocation = Invocation(interpreter, cmdlet, bound, pipeline_input, text, node)
        kind = "read" if invocation.what_if else cmdlet.kind
        self.recorder(cmdlet.name, kind, text)
        if cmdlet.confirm_high and not invocation.what_if and not (invocation.has("Confirm") and
                                                                   not invocation.flag("Confirm")):
            # the confirmation prompt cannot be shown: powershell.exe runs non-interactively over WinRM
            raise PSRuntimeError("PowerShell is in NonInteractive mode. Read and Prompt functionality is not "
                                 "available.", category="InvalidOperation", error_id="System.Management."
                                 "Automation.PSInvalidOperationException", exception="PSInvalidOperationException",
                                 command=cmdlet.name)
        if cmdlet.should_process and invocation.what_if:
            target = to_str(invocation.get("Name") or invocation.get("InputObject") or "")
            interpreter.result.host_lines.append(f'What if: Performing the operation "{cmdlet.name}" on target '
                                                 f'"{target}".')
            return []
        interpreter.last_ok = True
        output = cmdlet.run(invocation)
        return as_list(output) if not isinstance(output, list) else output


def to_native(arg: Argument) -> str:
    """An argument as a native program sees it: its text, ``-Name:value`` kept as typed."""
    if arg.parameter is not None:
        return "-" + arg.parameter + (":" if arg.colon else "")
    value = arg.value
    if isinstance(value, list):
        return ",".join(to_str(v) for v in value)
    return to_str(value)
