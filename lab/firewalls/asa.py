"""Cisco ASA 9.18 as netmiko's ``cisco_asa`` driver and an operator see it.

Exec levels (``asa>``, ``enable`` to ``asa#``), ``configure terminal`` with its sub-modes, and the
running/startup split of a real ASA: changes act on the running configuration at once, only
``write memory`` saves them, so a restart before saving loses them. As on an ASA, a global command
typed in a sub-mode leaves the sub-mode and runs, and exec commands (``show``, ``write``) work in
configuration mode too. The line syntax lives in ``asa_config``.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import ClassVar

from lab.firewalls import asa_config as syntax
from lab.firewalls.asa_config import AsaConfig, Block, Syntax
from lab.firewalls.cli import Box, LoggedOut, Login, abbreviation
from lab.firewalls.fleet import ASA_ENABLE_SECRET, CREDENTIALS

SUBMODE_PROMPTS = {
    "object network": "network-object", "object service": "service-object",
    "object-group network": "network-object-group", "object-group service": "service-object-group",
    "object-group protocol": "protocol-object-group", "interface": "if",
}
EXEC_WORDS = ["show", "write", "configure", "terminal", "enable", "disable", "exit", "logout", "quit",
              "login", "clear", "copy"]


class AsaBox(Box):
    platform = "asa"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.running = AsaConfig()
        text = self.read_saved()
        self.load(text if text is not None else syntax.INITIAL_CONFIG)
        if text is None:
            self.save()

    def load(self, text: str) -> None:
        loader = AsaLogin(self, "admin", loading=True)
        for line in text.splitlines():
            if not line.strip() or line.startswith((":", "!", "ASA Version")):
                continue
            if not line.startswith(" "):
                loader.block = None
            output = loader.run(line.strip())
            if output:
                raise ValueError(f"{self.saved_file}: {line!r}: {output}")

    def hostname(self) -> str:
        block = next((b for b in self.running.blocks if b.text.startswith("hostname ")), None)
        return block.text.split()[1] if block else "asa"

    def config_text(self) -> str:
        header = [": Saved", ":", f": Serial Number: 9ALAB{self.serial_number() % 10**6:06d}",
                  ": Hardware:   ASAv, 2048 MB RAM, CPU Xeon 4100/6100/8100 series 2200 MHz", ":",
                  "ASA Version 9.18(4) ", "!"]
        return "\n".join(header + self.running.render() + [": end"]) + "\n"

    def save(self) -> str:
        text = self.config_text()
        self.write_saved(text)
        digest = hashlib.md5(text.encode()).hexdigest()
        return " ".join(digest[i:i + 8] for i in range(0, 32, 8))

    def new_login(self, username: str) -> AsaLogin:
        return AsaLogin(self, username)


class AsaLogin(Login):
    pipes: ClassVar[dict[str, bool]] = {"include": True, "exclude": False, "grep": True}

    def __init__(self, box: AsaBox, username: str, loading: bool = False):
        super().__init__(box, username)
        self.box: AsaBox = box
        self.privileged = loading
        self.configuring = loading
        self.loading = loading
        self.block: Block | None = None
        self.kind = ""
        self.pending = None
        self.pending_prompt = ""
        self.shown_prompt = ""

    # -- terminal ---------------------------------------------------------------------------
    def prompt(self) -> str:
        host = self.box.hostname()
        if self.pending:
            prompt = self.pending_prompt
        elif self.block is not None:
            prompt = f"{host}(config-{SUBMODE_PROMPTS[self.kind]})# "
        elif self.configuring:
            prompt = f"{host}(config)# "
        else:
            prompt = f"{host}{'#' if self.privileged else '>'} "
        self.shown_prompt = prompt
        return prompt

    @property
    def hidden_input(self) -> bool:
        return self.pending is not None and "assword" in self.pending_prompt

    def is_config_command(self, line: str) -> bool:
        words = line.split()
        return self.configuring and bool(words) and words[0] not in ("end", "exit", "terminal", "show",
                                                                    "write", "wr")

    def reject(self, line: str) -> str:
        return self.marker(line, Syntax(0))

    def marker(self, line: str, error: Syntax) -> str:
        if str(error):
            return str(error)
        starts = [m.start() for m in re.finditer(r"\S+", line)]
        column = starts[error.word] if error.word < len(starts) else len(line.rstrip()) + 1
        return " " * (len(self.shown_prompt) + column) + "^\nERROR: % Invalid input detected at '^' marker."

    def run(self, line: str) -> str:
        if self.pending:
            handler, self.pending = self.pending, None
            return handler(line)
        words = line.split()
        if not words:
            return ""
        try:
            if self.block is not None:
                try:
                    return self.submode(words)
                except Syntax as error:
                    if error.word != 0 or str(error):
                        raise
                    self.block = None
            if self.configuring:
                return self.global_config(words)
            return self.exec_command(words)
        except Syntax as error:
            return self.marker(line, error)

    # -- exec -------------------------------------------------------------------------------
    def exec_command(self, words: list[str]) -> str:
        verb = abbreviation(words[0], EXEC_WORDS)
        if verb in ("exit", "logout", "quit"):
            raise LoggedOut("\nLogoff\n\n")
        if verb == "enable" and not self.privileged:
            return self.ask("Password: ", self.check_enable)
        if verb == "login":
            return self.ask("Username: ", self.login_user)
        if verb == "terminal":
            return ""
        if verb == "show" and words[1:2] and abbreviation(words[1], ["curpriv", "version"]):
            return self.show_exec(abbreviation(words[1], ["curpriv", "version"]))
        if not self.privileged or verb is None:
            raise Syntax(0 if verb is None else 1)
        if verb == "disable":
            self.privileged = False
            return ""
        if verb == "configure":
            if len(words) != 2 or abbreviation(words[1], ["terminal"]) != "terminal":
                raise Syntax(1)
            self.configuring = True
            return ""
        return self.any_mode(verb, words)

    def any_mode(self, verb: str | None, words: list[str]) -> str:
        """Exec commands that an ASA also accepts in configuration mode."""
        if verb == "show" and len(words) >= 2 and abbreviation(words[1], ["running-config"]):
            section = words[2:]
            if not section:
                return self.box.config_text().rstrip("\n")
            return "\n".join(self.box.running.render(section))
        if verb == "write" and (len(words) == 1 or abbreviation(words[1], ["memory"]) == "memory"):
            return self.write_memory()
        if verb == "clear" and len(words) >= 3 and abbreviation(words[1], ["configure"]):
            return self.clear_configure(words[2:])
        raise Syntax(1 if verb else 0)

    def show_exec(self, what: str) -> str:
        if what == "curpriv":
            level = 15 if self.privileged else 1
            mode = "P_CONF" if self.configuring else ("P_PRIV" if self.privileged else "P_UNPR")
            return f"Username : {self.username}\nCurrent privilege level : {level}\nCurrent Mode/s : {mode}"
        return f"Cisco Adaptive Security Appliance Software Version 9.18(4)\n\n{self.box.hostname()} up 1 day"

    def ask(self, prompt: str, handler) -> str:
        self.pending, self.pending_prompt = handler, prompt
        return ""

    def check_enable(self, secret: str) -> str:
        if secret == ASA_ENABLE_SECRET:
            self.privileged = True
            return ""
        return "Invalid password"

    def login_user(self, username: str) -> str:
        return self.ask("Password: ", lambda password: self.check_login(username, password))

    def check_login(self, username: str, password: str) -> str:
        if (username, password) == CREDENTIALS["asa"]:
            self.privileged = True
            self.username = username
            return ""
        return "Invalid password\nLogin failed"

    def write_memory(self) -> str:
        self.box.slow_commit()
        started = time.monotonic()
        checksum = self.box.save()
        size = self.box.saved_file.stat().st_size
        return (f"Building configuration...\nCryptochecksum: {checksum} \n\n"
                f"{size} bytes copied in {time.monotonic() - started:.3f} secs\n[OK]")

    def clear_configure(self, words: list[str]) -> str:
        if words[0] != "access-list":
            raise Syntax(2)
        if len(words) == 1:
            self.box.running.acls.clear()
        else:
            self.box.running.acls.pop(words[1], None)
        return ""

    # -- configuration ----------------------------------------------------------------------
    def global_config(self, words: list[str]) -> str:
        verb, config = words[0], self.box.running
        if verb == "end":
            self.configuring = False
            return ""
        if verb == "exit":
            self.configuring = self.loading
            return ""
        if verb == "no":
            return self.negate(words)
        if verb == "hostname" and len(words) == 2:
            config.blocks = [b for b in config.blocks if not b.text.startswith("hostname ")]
            config.blocks.insert(0, Block(f"hostname {words[1]}"))
            return ""
        if verb in ("object", "object-group", "interface"):
            return self.enter_submode(words)
        if verb == "access-list":
            return self.access_list(words)
        if verb == "access-group":
            return self.access_group(words)
        if verb == "route" and len(words) >= 5:
            route = [words[1], syntax.ip(words, 2), syntax.mask(words, 3), syntax.ip(words, 4)]
            text = " ".join(["route", *route, *words[5:]])
            if config.find(text) is None:
                config.blocks.append(Block(text))
            return ""
        if verb == "terminal":
            return ""
        return self.any_mode(abbreviation(verb, EXEC_WORDS), words)

    def enter_submode(self, words: list[str]) -> str:
        verb = words[0]
        if verb == "interface":
            kind, name, text = "interface", words[1] if len(words) == 2 else "", " ".join(words)
        else:
            types = ("network", "service") if verb == "object" else ("network", "service", "protocol")
            if len(words) < 3 or words[1] not in types:
                raise Syntax(1)
            kind, name = f"{verb} {words[1]}", words[2]
            if verb == "object-group" and words[1] == "service" and len(words) == 4:
                if words[3] not in ("tcp", "udp", "tcp-udp"):
                    raise Syntax(3)
            elif len(words) != 3:
                raise Syntax(3)
            text = " ".join(words)
        if not name:
            raise Syntax(1)
        config = self.box.running
        block = config.find(text) if verb == "interface" else config.find_object(verb, name)
        if block is None:
            block = Block(text)
            config.blocks.append(block)
        self.block, self.kind = block, kind
        return ""

    def submode(self, words: list[str]) -> str:
        if words[0] == "exit":
            self.block = None
            return ""
        if words[0] == "no" and len(words) > 1:
            line, _ = syntax.child_line(self.kind, words[1:], self.box.running)
            if line in self.block.children:
                self.block.children.remove(line)
            return ""
        line, key = syntax.child_line(self.kind, words, self.box.running)
        syntax.add_child(self.block, line, key)
        return ""

    def access_list(self, words: list[str]) -> str:
        if len(words) < 3:
            raise Syntax(len(words))
        name, rest = words[1], words[2:]
        aces = self.box.running.acls.get(name, [])
        position = len(aces)
        if rest[0] == "line":
            if len(rest) < 2 or not rest[1].isdigit() or int(rest[1]) < 1:
                raise Syntax(3)
            position, rest = min(int(rest[1]) - 1, len(aces)), rest[2:]
        if rest and rest[0] == "remark" and len(rest) > 1:
            aces.insert(position, " ".join(rest))  # a remark takes its line like an ACE
            self.box.running.acls[name] = aces
            return ""
        if not rest or rest[0] != "extended":
            raise Syntax(len(words) - len(rest))
        try:
            entry = syntax.ace(rest, self.box.running)
        except Syntax as error:
            raise Syntax(error.word + len(words) - len(rest), str(error)) from None
        if entry in aces:
            return f"WARNING: {name} found duplicate element" if not self.loading else ""
        aces.insert(position, entry)
        self.box.running.acls[name] = aces
        return ""

    def access_group(self, words: list[str]) -> str:
        if len(words) != 5 or words[2] not in ("in", "out") or words[3] != "interface":
            raise Syntax(min(len(words), 2))
        if words[1] not in self.box.running.acls:
            return f"ERROR: access-list <{words[1]}> does not exist"
        config = self.box.running
        same_place = f" {words[2]} interface {words[4]}"
        config.blocks = [b for b in config.blocks
                         if not (b.text.startswith("access-group ") and b.text.endswith(same_place))]
        config.blocks.append(Block(" ".join(words)))
        return ""

    def negate(self, words: list[str]) -> str:
        config, rest = self.box.running, words[1:]
        if not rest:
            raise Syntax(1)
        if rest[0] == "access-list" and len(rest) >= 3:
            aces = config.acls.get(rest[1], [])
            body = rest[2:]
            if body[0] == "line" and len(body) >= 2:
                body = body[2:]
            entry = " ".join(body) if body[0] == "remark" else syntax.ace(body, config)
            if entry not in aces:
                return f"ERROR: access-list <{rest[1]}> does not have that element"
            aces.remove(entry)
            if not aces:
                del config.acls[rest[1]]
            return ""
        if rest[0] in ("object", "object-group") and len(rest) >= 3:
            block = config.find_object(rest[0], rest[2])
            if block is None:
                return f"ERROR: {rest[0]} ({rest[2]}) does not exist"
            if config.object_users(rest[2]):
                return f"ERROR: unable to delete {rest[0]} ({rest[2]}), it is being used"
            config.blocks.remove(block)
            return ""
        if rest[0] in ("access-group", "route"):
            block = config.find(" ".join(rest))
            if block is not None:
                config.blocks.remove(block)
            return ""
        raise Syntax(1)
