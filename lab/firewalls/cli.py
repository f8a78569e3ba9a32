"""What every simulated CLI shares: the per-device box (state + persistence) and the login API.

A ``Box`` is one device: its configuration model, a lock (several logins may talk to it at once)
and its saved-config file. A ``Login`` is one user logged in to it; the SSH layer feeds it whole lines and
writes back what it returns, so vendor modules deal in text only and never see sockets.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from pathlib import Path
from typing import ClassVar

from lab.firewalls.faults import Faults


class LoggedOut(Exception):
    """Raised by a login when the user logs out (``exit`` at the top level)."""


class CommandError(Exception):
    """A command the device refuses; the message is printed in the vendor's words."""


class Box:
    """One simulated device: config model, saved-config file, a lock for concurrent logins."""

    platform = ""

    def __init__(self, name: str, state_dir: Path, faults: Faults):
        self.name = name
        self.state_dir = state_dir
        self.faults = faults
        self.lock = threading.RLock()
        self.saved_file = state_dir / "saved-config.txt"

    def read_saved(self) -> str | None:
        """The saved configuration text, or None on a device's very first start."""
        return self.saved_file.read_text() if self.saved_file.exists() else None

    def write_saved(self, text: str) -> None:
        """Persist atomically, so a kill in the middle never leaves half a config."""
        tmp = self.saved_file.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(self.saved_file)

    def slow_commit(self) -> None:
        """Wait out the slow-commit fault without holding the device, as a commit job runs apart
        from the CLI: other logins keep getting answers meanwhile."""
        delay = self.faults.current().commit_delay
        if not delay:
            return
        self.lock.release()
        try:
            time.sleep(delay)
        finally:
            self.lock.acquire()

    def new_login(self, username: str) -> Login:
        raise NotImplementedError

    def serial_number(self) -> int:
        """A number of nine digits, the same for a device name across restarts."""
        return zlib.crc32(self.name.encode()) % 10**9


class Login:
    """One login. Subclasses implement ``prompt``, ``run`` and ``is_config_command``."""

    #: pipe keywords the vendor accepts after ``|``, mapped to include/exclude
    pipes: ClassVar[dict[str, bool]] = {}
    #: input of the current line is not echoed (password prompts)
    hidden_input = False
    #: the line goes on a value begun on an earlier line (a PEM key): it is never logged
    continuing = False

    def __init__(self, box: Box, username: str):
        self.box = box
        self.username = username
        self.config_commands = 0

    def banner(self) -> str:
        return ""

    def prompt(self) -> str:
        raise NotImplementedError

    def echo(self, typed: str, line: str) -> str:
        """What the terminal shows when ``typed`` arrives, ``line`` being the whole line so far."""
        return "" if self.hidden_input else typed

    def is_config_command(self, line: str) -> bool:
        """Whether ``line`` counts towards the drop-after-N-config-commands fault."""
        raise NotImplementedError

    def run(self, line: str) -> str:
        raise NotImplementedError

    def reject(self, line: str) -> str:
        """The vendor's error for a command refused by the reject fault."""
        raise NotImplementedError

    def execute(self, line: str) -> str:
        """Run one line under the device lock, applying ``| filter`` pipes to its output."""
        command, pipe = self._split_pipe(line)
        with self.box.lock:
            output = self.run(command)
        return apply_pipe(output, pipe, self.pipes) if pipe else output

    def _split_pipe(self, line: str) -> tuple[str, tuple[str, str] | None]:
        match = re.match(r"^(.*?)\s+\|\s+(\S+)\s+(.*)$", line)
        if match and match.group(2) in self.pipes:
            return match.group(1), (match.group(2), match.group(3).strip())
        return line, None


def apply_pipe(output: str, pipe: tuple[str, str], pipes: dict[str, bool]) -> str:
    """Keep (or drop) the output lines matching the pipe's regular expression."""
    keyword, expression = pipe
    try:
        pattern = re.compile(expression.strip('"'))
    except re.error:
        pattern = re.compile(re.escape(expression))
    keep = pipes[keyword]
    return "\n".join(line for line in output.split("\n") if bool(pattern.search(line)) == keep)


def abbreviation(word: str, choices: list[str]) -> str | None:
    """The unique choice ``word`` abbreviates (Cisco-style), or None."""
    if word in choices:
        return word
    matches = [c for c in choices if c.startswith(word)]
    return matches[0] if len(matches) == 1 else None
