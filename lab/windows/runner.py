"""Run one WinRS command line on the simulated host, as ``powershell.exe`` would, and give back what
WinRM returns: stdout bytes, stderr bytes (errors as CLIXML, which pywinrm's ``run_ps`` decodes) and
the exit code. Every cmdlet and native program the script runs is recorded as a read, a change or a
file write, so a test can tell whether a run sent any change command.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from lab.windows import cmdlets_net, cmdlets_system, natives
from lab.windows.host import HOME, TEMP, USER, HostState
from lab.windows.ps import builtins
from lab.windows.ps.commands import CommandTable
from lab.windows.ps.interp import Interpreter
from lab.windows.ps.values import PSRuntimeError

CLIXML_HEAD = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
POWERSHELL = re.compile(r"^(?:.*\\)?powershell(?:\.exe)?$", re.I)


@dataclass
class Outcome:
    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int = 0
    #: (command, kind, text) of every cmdlet or program the script ran
    commands: list[tuple[str, str, str]] = field(default_factory=list)
    powershell: bool = False


def build_table(host: HostState, faults: Callable, recorder) -> CommandTable:
    table = CommandTable(recorder)
    builtins.register(table)
    cmdlets_net.register(table, host, faults)
    cmdlets_system.register(table, host)
    natives.register(table, host)
    return table


def split_command_line(line: str) -> list[str]:
    """Windows command-line words: blanks separate, double quotes group."""
    return [w[1:-1] if len(w) > 1 and w.startswith('"') and w.endswith('"') else w
            for w in re.findall(r'"[^"]*"|\S+', line)]


def powershell_script(words: list[str], stdin: str) -> tuple[str | None, str | None]:
    """The script powershell.exe would run for these arguments, or an error text for bad ones."""
    index = 1
    while index < len(words):
        word = words[index]
        lower = word.lower().lstrip("-/")
        if not word.startswith(("-", "/")):
            return " ".join(words[index:]), None
        if lower and "encodedcommand".startswith(lower) and lower.startswith("e") and lower not in ("ex", "exe"):
            try:
                return base64.b64decode(words[index + 1]).decode("utf-16-le"), None
            except (IndexError, binascii.Error, UnicodeDecodeError):
                return None, "Cannot process the command because the value specified with -EncodedCommand is not " \
                             "properly encoded. The value must be Base64 encoded."
        if lower in ("command", "c"):
            rest = " ".join(words[index + 1:])
            return (stdin if rest.strip() == "-" else rest), None
        if lower in ("executionpolicy", "ep", "outputformat", "of", "inputformat", "if", "windowstyle", "version"):
            index += 2
            continue
        if lower in ("noprofile", "nop", "noninteractive", "noni", "nologo", "sta", "mta"):
            index += 1
            continue
        if lower in ("file", "f"):
            return None, f"The argument '{words[index + 1] if index + 1 < len(words) else ''}' to the -File " \
                         "parameter does not exist. Provide the path to an existing '.ps1' file as an argument to " \
                         "the -File parameter."
        return None, f"-{word.lstrip('-/')} : The term '-{word.lstrip('-/')}' is not recognized as the name of a " \
                     "cmdlet, function, script file, or operable program."
    return stdin, None


def error_text(error: PSRuntimeError) -> list[str]:
    """An error as Windows PowerShell 5.1 prints it on stderr."""
    lines: list[str] = []
    position = error.position
    if error.category == "ParserError":
        if position:
            lines += _position_lines(position)
        lines.append(error.message)
    else:
        prefix = f"{error.command or error.target} : " if (error.command or error.exception ==
                                                            "CommandNotFoundException") else ""
        lines.append(prefix + error.message)
        if position:
            lines += _position_lines(position)
    exception = error.exception.split(".")[-1]
    target = error.target if isinstance(error.target, str) else ""
    lines.append(f"    + CategoryInfo          : {error.category}: ({target}:{'String' if target else ''}) "
                 f"[{error.command}], {exception}")
    lines.append(f"    + FullyQualifiedErrorId : {error.error_id}" +
                 (f",{error.command}" if error.command and "," not in error.error_id else ""))
    lines.append(" ")
    return lines


def _position_lines(position: tuple[int, int, str, int]) -> list[str]:
    line, column, text, width = position
    return [f"At line:{line} char:{column}", f"+ {text}", f"+ {' ' * (column - 1)}{'~' * width}"]


def clixml(errors: list[PSRuntimeError], warnings: list[str]) -> bytes:
    parts = []
    for warning in warnings:
        parts.append(f'<S S="warning">{_xml(warning)}_x000D__x000A_</S>')
    for error in errors:
        parts.extend(f'<S S="Error">{_xml(line)}_x000D__x000A_</S>' for line in error_text(error))
    return (CLIXML_HEAD + "".join(parts) + "</Objs>").encode("utf-8")


def _xml(text: str) -> str:
    cleaned = "".join(c if c >= " " or c == "\t" else f"_x{ord(c):04X}_" for c in text)
    return escape(cleaned)


CMD_LINE_LIMIT = 8191  # cmd.exe's longest command line


def run(host: HostState, faults: Callable, command_line: str, stdin: bytes = b"", codepage: int = 437,
        through_cmd: bool = True) -> Outcome:
    outcome = Outcome()
    if through_cmd and len(command_line) > CMD_LINE_LIMIT:
        # WinRS runs the command through cmd.exe, which refuses longer lines (a long -EncodedCommand hits this)
        outcome.stderr, outcome.exit_code = b"The command line is too long.\r\n", 1
        outcome.commands.append(("cmd.exe", "read", command_line[:200]))
        return outcome
    words = split_command_line(command_line)
    if not words:
        return outcome
    encoding = "utf-8" if codepage == 65001 else f"cp{codepage}"
    stdin_text = stdin.decode(encoding, "replace")
    if not POWERSHELL.match(words[0]):
        return _cmd(words, outcome, encoding, host.data["computer"]["Name"])
    outcome.powershell = True
    script, problem = powershell_script(words, stdin_text)
    if problem is not None:
        outcome.stderr, outcome.exit_code = (problem + "\r\n").encode(encoding, "replace"), 1
        return outcome
    delay = faults().slow_command
    if delay:
        time.sleep(delay)

    def record(name: str, kind: str, text: str) -> None:
        outcome.commands.append((name, kind, text))

    env = {"TEMP": TEMP, "TMP": TEMP, "USERNAME": USER, "USERPROFILE": HOME, "COMPUTERNAME":
           host.data["computer"]["Name"], "SystemRoot": "C:\\Windows", "windir": "C:\\Windows",
           "ProgramFiles": "C:\\Program Files", "ProgramData": "C:\\ProgramData", "SystemDrive": "C:"}
    interpreter = Interpreter(build_table(host, faults, record), env)
    interpreter.set_var("input", stdin_text.splitlines() if stdin_text else [])
    with host.lock:
        result = interpreter.run(script or "")
        host.save()
    lines = list(result.host_lines) + builtins.format_for_host(result.output)
    outcome.stdout = "".join(line + "\r\n" for line in lines).encode(encoding, "replace")
    if result.errors or result.warnings:
        outcome.stderr = clixml(result.errors, result.warnings)
    outcome.exit_code = result.exit_code
    return outcome


def _cmd(words: list[str], outcome: Outcome, encoding: str, computer: str) -> Outcome:
    """cmd.exe for the few commands a WinRM client tries before PowerShell; anything else is unknown."""
    name = words[0].lower()
    if name in ("hostname", "hostname.exe"):
        outcome.stdout = f"{computer}\r\n".encode()
    elif name in ("whoami", "whoami.exe"):
        outcome.stdout = f"{computer.lower()}\\{USER}\r\n".encode()
    else:
        outcome.stderr = (f"'{words[0]}' is not recognized as an internal or external command,\r\n"
                          "operable program or batch file.\r\n").encode(encoding, "replace")
        outcome.exit_code = 1
    outcome.commands.append((words[0], "read", " ".join(words)))
    return outcome
