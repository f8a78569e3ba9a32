"""A tree-walking interpreter for the subset of PowerShell that endpoint scripts use.

It runs the syntax tree of ``tree-sitter-powershell``: statements (``statements.py``: if/elseif/else,
foreach, for, while, switch, try/catch/finally, throw, return, exit, break, continue, functions
with ``param()``), pipelines of commands and expressions (here), variables with ``$env:``,
expressions (``expressions.py``: operators, literals, member access and the .NET methods of
``methods.py``). Commands come from a ``CommandTable`` (``commands.py``). Errors
follow PowerShell's split between non-terminating errors (written, ``$?`` false, the script goes
on) and terminating ones (caught by ``try``, else the statement or, after ``throw`` or with
``$ErrorActionPreference = 'Stop'``, the script ends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from lab.windows.ps import operators
from lab.windows.ps.expressions import Expressions, kids, named
from lab.windows.ps.parse import parse
from lab.windows.ps.statements import FlowBreak, FlowContinue, FlowExit, FlowReturn, ScriptTerminated, Statements
from lab.windows.ps.values import (
    Hashtable,
    PSObject,
    PSRuntimeError,
    ScriptBlock,
    as_list,
    collapse,
    is_list,
    to_str,
)


@dataclass
class RunResult:
    output: list = field(default_factory=list)
    errors: list[PSRuntimeError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    host_lines: list[str] = field(default_factory=list)
    exit_code: int = 0


@dataclass
class Argument:
    """One element of a command line: ``-Name`` (parameter) or a value."""

    value: object = None
    parameter: str | None = None
    colon: bool = False
    text: str = ""
    node: Node | None = None


class Interpreter(Statements, Expressions):
    def __init__(self, commands, env: dict[str, str] | None = None):
        self.commands = commands
        self.env = {k.lower(): (k, v) for k, v in (env or {}).items()}
        self.scopes: list[dict] = [{}]
        self.functions: dict[str, Node] = {}
        self.try_depth = 0
        self.result = RunResult()
        self.source = ""
        self.last_ok = True
        self.set_var("ErrorActionPreference", "Continue")
        self.set_var("LASTEXITCODE", 0)
        self.set_var("Error", [])
        version = PSObject({"Major": 5, "Minor": 1, "Build": 19041, "Revision": 4894, "__tostring": "5.1.19041.4894"},
                           type_name="System.Version")
        self.set_var("PSVersionTable", Hashtable({"PSVersion": version, "PSEdition": "Desktop",
                                                  "CLRVersion": "4.0.30319.42000"}))

    # ---- entry point -------------------------------------------------------------------------
    def run(self, source: str) -> RunResult:
        self.source = source
        try:
            root, self.source = parse(source)
        except PSRuntimeError as error:
            self.result.errors.append(error)
            self.result.exit_code = 1
            return self.result
        try:
            self.result.output.extend(self.exec_statements(root))
            self.result.exit_code = 0 if self.last_ok else 1
        except FlowExit as flow:
            self.result.output.extend(flow.partial)
            self.result.exit_code = flow.code
        except FlowReturn as flow:
            self.result.output.extend(flow.partial + as_list(flow.output))
        except (FlowBreak, FlowContinue) as flow:
            self.result.output.extend(flow.partial)
        except ScriptTerminated as stop:
            self.result.output.extend(stop.partial)
            self.result.errors.append(stop.error)
            self.result.exit_code = 1
        return self.result

    # ---- variables ---------------------------------------------------------------------------
    def get_var(self, name: str):
        name = self._plain(name)
        lower = name.lower()
        if lower.startswith("env:"):
            entry = self.env.get(lower[4:])
            return None if entry is None else entry[1]
        if lower in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[lower]
        if lower == "?":
            return self.last_ok
        if lower == "psitem":
            lower = "_"
        for scope in reversed(self.scopes):
            if lower in scope:
                return scope[lower]
        return None

    def set_var(self, name: str, value) -> None:
        name = self._plain(name)
        lower = name.lower()
        if lower == "null":
            return
        if lower.startswith("env:"):
            self.env[lower[4:]] = (name[4:], to_str(value))
            return
        self.scopes[-1][lower] = value

    @staticmethod
    def _plain(name: str) -> str:
        name = name.lstrip("$@")
        if name.startswith("{") and name.endswith("}"):
            name = name[1:-1]
        return re.sub(r"^(script|global|local|private):", "", name, flags=re.I)

    def error_action(self, override=None) -> str:
        value = override if override is not None else self.get_var("ErrorActionPreference")
        return to_str(value).lower() or "continue"

    # ---- errors ------------------------------------------------------------------------------
    def locate(self, error: PSRuntimeError, node: Node | None) -> PSRuntimeError:
        if error.position is None and node is not None:
            row, column = node.start_point
            lines = self.source.split("\n")
            line = lines[row].rstrip("\r") if row < len(lines) else ""
            width = node.end_byte - node.start_byte if node.end_point[0] == row else len(line) - column
            error.position = (row + 1, column + 1, line, max(1, width))
        return error

    def write_error(self, error: PSRuntimeError, action: str | None = None) -> None:
        """A non-terminating error: written unless silenced, or terminating under ``Stop``."""
        action = action or self.error_action()
        errors = self.get_var("Error")
        if isinstance(errors, list):
            errors.insert(0, error)
        self.last_ok = False
        if action == "stop":
            error.statement_terminating = True
            raise error
        if action in ("silentlycontinue", "ignore"):
            return
        self.result.errors.append(error)

    # ---- statements --------------------------------------------------------------------------
    def exec_statements(self, node: Node) -> list:
        out: list = []
        try:
            for child in kids(node):
                if child.type in ("statement_list", "script_block", "script_block_body", "named_block_list"):
                    out.extend(self.exec_statements(child))
                elif child.type in ("empty_statement", "{", "}", "param_block", ";"):
                    continue
                else:
                    out.extend(self.exec_guarded(child))
        except (FlowReturn, FlowBreak, FlowContinue, FlowExit, ScriptTerminated, PSRuntimeError) as flow:
            # what the block wrote before a jump or an error is still output, as in PowerShell
            flow.partial = out + getattr(flow, "partial", [])
            raise
        return out

    def exec_guarded(self, node: Node) -> list:
        """Run one statement; outside ``try`` a statement-terminating error ends only the statement."""
        try:
            return self.exec_statement(node)
        except PSRuntimeError as error:
            self.locate(error, node)
            self.last_ok = False
            if self.try_depth or error.thrown is not None or not error.statement_terminating or \
                    self.error_action() == "stop":
                if self.try_depth:
                    raise
                stop = ScriptTerminated(error)
                stop.partial = getattr(error, "partial", [])
                raise stop from None
            self.result.errors.append(error)
            return getattr(error, "partial", [])

    def exec_statement(self, node: Node) -> list:
        handler = getattr(self, "stmt_" + node.type, None)
        if handler is not None:
            return handler(node)
        if node.type == "pipeline":
            return self.exec_pipeline(node)
        raise PSRuntimeError(f"The lab simulator does not run '{node.type}' statements.",
                             category="NotImplemented", error_id="SimulatorUnsupported")

    # ---- pipelines ---------------------------------------------------------------------------
    def pipeline_value(self, node: Node):
        """A pipeline used as a value (conditions, assignments): an expression keeps its own value."""
        inner = self._single_expression(node)
        if inner is not None:
            return self.eval(inner)
        return collapse(self.exec_pipeline(node))

    def _single_expression(self, node: Node) -> Node | None:
        if node.type == "pipeline":
            parts = named(node)
            if len(parts) == 1 and parts[0].type == "pipeline_chain":
                return self._single_expression(parts[0])
            return None
        if node.type == "pipeline_chain":
            parts = kids(node)
            if len(parts) == 1 and parts[0].type != "command":
                return parts[0]
        return None

    def exec_pipeline(self, node: Node) -> list:
        if node.type == "pipeline":
            parts = named(node)
            if parts and parts[0].type == "assignment_expression":
                self.assign(parts[0])
                return []
            out: list = []
            for part in parts:
                if part.type == "pipeline_chain":
                    out.extend(self.exec_chain(part))
                elif part.type != "redirections":
                    out.extend(self.exec_statement(part))
            return out
        if node.type == "pipeline_chain":
            return self.exec_chain(node)
        if node.type == "assignment_expression":
            self.assign(node)
            return []
        return as_list(self.eval(node))

    def exec_chain(self, node: Node) -> list:
        stages = [c for c in kids(node) if c.type not in ("|", "command_argument_sep")]
        items: list | None = None
        self.last_ok = True
        for stage in stages:
            if stage.type == "command":
                items = self.invoke_command(stage, items)
            elif stage.type == "redirection":
                continue
            else:
                value = self.eval(stage)
                items = as_list(value) if items is None else items + as_list(value)
        return items or []

    def invoke_command(self, node: Node, pipeline_input: list | None) -> list:
        children = kids(node)
        name_node = next(c for c in children if c.type in ("command_name", "command_name_expr", "path_command_name"))
        call_operator = next((c for c in children if c.type == "command_invokation_operator"), None)
        elements = next((c for c in children if c.type == "command_elements"), None)
        name = self.command_name(name_node)
        if isinstance(name, ScriptBlock):
            return self.call_block(name, [], pipeline_input)
        range_match = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", name) if call_operator is None else None
        if range_match:  # the grammar reads `1..3` at the start of a pipeline as a command name
            return operators.make_range(int(range_match.group(1)), int(range_match.group(2)))
        args = self.command_arguments(elements) if elements is not None else []
        text = node.text.decode("utf-8", "replace")
        return self.commands.invoke(self, name, args, pipeline_input, text, node)

    def command_name(self, node: Node):
        if node.type == "command_name_expr":
            inner = named(node)[0]
            if inner.type == "command_name":
                return self.command_name(inner)
            value = self.eval(inner)
            return value if isinstance(value, ScriptBlock) else to_str(value)
        if node.named_child_count:
            return self.expand_token(node)
        return node.text.decode()

    def command_arguments(self, node: Node) -> list[Argument]:
        args: list[Argument] = []
        glue = False
        colon = False
        for child in kids(node):
            if child.type == "command_argument_sep":
                text = child.text.decode()
                glue = text == ""
                colon = text.strip() == ":"
                continue
            if child.type in ("redirection", "redirections", "stop_parsing"):
                continue
            if self._splat(child, args):
                glue = colon = False
                continue
            if child.type == "command_parameter":
                args.append(Argument(parameter=child.text.decode()[1:].rstrip(":"), text=child.text.decode(),
                                     node=child, colon=child.text.decode().endswith(":")))
                glue = False
                continue
            value = self.expand_token(child) if child.type == "generic_token" else self.eval(child)
            token_text = child.text.decode()
            continues = glue and args and args[-1].parameter is None
            if continues and child.type == "generic_token" and token_text.startswith(","):
                # `-Name a,b` reaches us as `a` and `,b`: PowerShell's array argument
                rest = token_text[1:].split(",")
                args[-1].value = as_list(args[-1].value) + rest
                args[-1].text += token_text
            elif continues:
                args[-1].value = to_str(args[-1].value) + to_str(value)
                args[-1].text += token_text
            elif colon and args and args[-1].parameter is not None:
                args[-1].colon = True
                args.append(Argument(value=value, text=token_text, node=child))
            else:
                args.append(Argument(value=value, text=token_text, node=child))
            glue = colon = False
        return args

    def _splat(self, node: Node, args: list[Argument]) -> bool:
        """``Cmd @params``: a hashtable becomes named parameters, an array positional ones."""
        text = node.text.decode()
        if not re.fullmatch(r"@[\w:]+", text):
            return False
        value = self.get_var(text[1:])
        if isinstance(value, Hashtable):
            for key, item in value.items():
                args.append(Argument(parameter=str(key), colon=True, text=f"-{key}:", node=node))
                args.append(Argument(value=item, text=to_str(item), node=node))
        else:
            args.extend(Argument(value=item, text=to_str(item), node=node) for item in as_list(value))
        return True

    def expand_token(self, node: Node) -> str:
        """A bare word argument, with the variables inside it expanded (``C:\\$name.inf``)."""
        text = self._expand_parts(node, node.text.decode("utf-8"))
        return text

    # ---- calling script blocks and functions -------------------------------------------------
    def call_block(self, block: ScriptBlock, args: list, pipeline_input: list | None = None,
                   dollar_under=None, new_scope: bool = True) -> list:
        if block.node is None:
            return []
        if new_scope:
            self.scopes.append({"args": args, "input": pipeline_input or []})
        if dollar_under is not None or pipeline_input is not None:
            self.scopes[-1]["_"] = dollar_under
        try:
            self._bind_params(block.node, args)
            return self.exec_statements(block.node)
        except FlowReturn as flow:
            return flow.partial + as_list(flow.output)
        finally:
            if new_scope:
                self.scopes.pop()

    def call_function(self, node: Node, args: list[Argument], pipeline_input: list | None) -> list:
        body = next((c for c in kids(node) if c.type in ("script_block",)), node)
        self.scopes.append({"input": pipeline_input or []})
        try:
            self._bind_params(node, args)
            return self.exec_statements(body)
        except FlowReturn as flow:
            return flow.partial + as_list(flow.output)
        finally:
            self.scopes.pop()

    def _bind_params(self, node: Node, args: list) -> None:
        param_block = _find(node, "param_block")
        declared: list[tuple[str, Node | None, bool]] = []
        if param_block is not None:
            plist = next((c for c in named(param_block) if c.type == "parameter_list"), None)
            for param in named(plist) if plist is not None else []:
                variable = next(c for c in named(param) if c.type == "variable")
                default = next((c for c in named(param) if c.type == "script_parameter_default"), None)
                is_switch = "[switch]" in param.text.decode().lower()
                declared.append((variable.text.decode()[1:], default, is_switch))
        values = [a for a in args if not (isinstance(a, Argument) and a.parameter)]
        given = {a.parameter.lower(): a for a in args if isinstance(a, Argument) and a.parameter}
        positional = iter(a.value if isinstance(a, Argument) else a for a in values)
        remaining = []
        for name, default, is_switch in declared:
            if name.lower() in given:
                value = True if is_switch else None
                if not is_switch:
                    index = args.index(given[name.lower()])
                    value = args[index + 1].value if index + 1 < len(args) else None
                self.set_var(name, value)
            elif not is_switch and (value := next(positional, _MISSING)) is not _MISSING:
                self.set_var(name, value)
            elif default is not None:
                self.set_var(name, self.eval(named(default)[-1]))
            else:
                self.set_var(name, False if is_switch else None)
        remaining.extend(positional)
        self.scopes[-1]["args"] = remaining


_MISSING = object()


def _find(node: Node, kind: str) -> Node | None:
    for child in node.named_children:
        if child.type == kind:
            return child
        if child.type in ("script_block", "script_block_body", "statement_list", "ERROR"):
            continue
    for child in node.named_children:
        if child.type == "script_block":
            return _find(child, kind)
    return None


__all__ = ["Argument", "Interpreter", "RunResult", "is_list"]
