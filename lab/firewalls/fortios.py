"""FortiOS 7.2 as netmiko's ``fortinet`` driver and an operator see it.

The configuration is a tree of ``config`` blocks; a block holds settings (``set``), ordered table
entries (``edit``) and nested blocks. ``show`` prints from the tree. As on a FortiGate, an entry
being edited is a working copy applied at ``next``/``end`` (a dropped connection loses it), and
every applied change is saved at once: FortiOS has no separate "save" step.
"""

from __future__ import annotations

import copy
import ipaddress
import shlex
import time
import uuid
from typing import ClassVar

from lab.firewalls.cli import Box, CommandError, EndSession, Session

VERSION = "v7.2.8,build1639,240313 (GA.M)"
TABLE, SINGLE = "table", "single"
ROOT_BLOCKS = {
    "system global": SINGLE, "system console": SINGLE, "system interface": TABLE,
    "system admin": TABLE, "router static": TABLE,
    "firewall address": TABLE, "firewall address6": TABLE, "firewall addrgrp": TABLE,
    "firewall service custom": TABLE, "firewall service group": TABLE, "firewall policy": TABLE,
    "firewall ipmacbinding setting": SINGLE, "firewall ipmacbinding table": TABLE,
    "application list": TABLE, "vpn ipsec phase1-interface": TABLE, "vpn ipsec phase2-interface": TABLE,
}
#: settings printed with quotes (FortiOS quotes strings and names, not numbers, addresses or enums)
STRING_SETTINGS = {
    "name", "member", "srcintf", "dstintf", "srcaddr", "dstaddr", "srcaddr6", "dstaddr6", "service",
    "schedule", "comment", "comments", "application-list", "ssl-ssh-profile", "interface", "alias",
    "associated-interface", "description", "hostname", "fqdn", "remote-gw-name", "category-name",
}
#: settings whose values must name existing entries of these tables (or a built-in word)
REFERENCES = {
    ("firewall policy", "srcaddr"): ("firewall address", "firewall addrgrp"),
    ("firewall policy", "dstaddr"): ("firewall address", "firewall addrgrp"),
    ("firewall policy", "service"): ("firewall service custom", "firewall service group"),
    ("firewall policy", "srcintf"): ("system interface",),
    ("firewall policy", "dstintf"): ("system interface",),
    ("firewall policy", "application-list"): ("application list",),
    ("firewall addrgrp", "member"): ("firewall address", "firewall addrgrp"),
    ("firewall service group", "member"): ("firewall service custom", "firewall service group"),
}
BUILT_IN_NAMES = {"any"}
DEFAULTS = {
    "system console": {"mode": ["line"], "baudrate": ["9600"], "output": ["more"], "login": ["enable"]},
    "firewall ipmacbinding setting": {"bindthroughfw": ["disable"], "bindtofw": ["disable"],
                                      "undefinedhost": ["block"]},
    "firewall policy": {"status": ["enable"], "action": ["deny"], "logtraffic": ["utm"]},
    "firewall address": {"type": ["ipmask"]},
}
WITH_UUID = {"firewall address", "firewall addrgrp", "firewall policy", "firewall address6"}

INITIAL_CONFIG = """\
config system global
    set hostname "FGT"
end
config system console
    set output standard
end
config system interface
    edit "port1"
        set alias "outside"
    next
    edit "port2"
        set alias "inside"
    next
    edit "port3"
        set alias "servers"
    next
end
config firewall address
    edit "all"
    next
    edit "Ministry-Printers"
        set subnet 10.20.200.0 255.255.255.0
        set comment "owned by the ministry, not by eoffice-guard"
    next
end
config firewall service custom
    edit "ALL"
        set protocol IP
    next
    edit "HTTPS"
        set tcp-portrange 443
    next
    edit "DNS"
        set tcp-portrange 53
        set udp-portrange 53
    next
end
config firewall policy
    edit 1
        set name "Ministry-Internet"
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set schedule "always"
        set service "HTTPS" "DNS"
        set nat enable
    next
end
"""


class Node:
    """A config block or a table entry: settings, ordered entries, nested blocks."""

    def __init__(self) -> None:
        self.settings: dict[str, list[str]] = {}
        self.entries: dict[str, Node] = {}
        self.blocks: dict[str, Node] = {}


def _fmt_values(name: str, values: list[str]) -> str:
    if name in STRING_SETTINGS:
        return " ".join(f'"{v}"' for v in values)
    return " ".join(f'"{v}"' if " " in v else v for v in values)


def _fmt_key(key: str) -> str:
    return key if key.isdigit() else f'"{key}"'


def _shown(path: str, settings: dict[str, list[str]], full: bool) -> dict[str, list[str]]:
    """Settings to print: without defaults for ``show``, merged with them for full-configuration."""
    defaults = DEFAULTS.get(path, {})
    if full:
        return {**defaults, **settings}
    return {k: v for k, v in settings.items() if defaults.get(k) != v}


def render_block(path: str, node: Node, indent: int = 0, full: bool = False,
                 only: str | None = None, root_path: str = "") -> list[str]:
    pad = " " * indent
    table_path = root_path or path
    lines = [f"{pad}config {path}"]
    if ROOT_BLOCKS.get(table_path) != TABLE or node.settings:
        lines += render_body(table_path, node, indent + 4, full, is_block=True)
    for key, entry in node.entries.items():
        if only is not None and key != only:
            continue
        lines.append(f"{pad}    edit {_fmt_key(key)}")
        lines += render_body(table_path, entry, indent + 8, full)
        lines.append(f"{pad}    next")
    lines.append(f"{pad}end")
    return lines


def render_body(path: str, node: Node, indent: int, full: bool, is_block: bool = False) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}set {k} {_fmt_values(k, v)}" for k, v in _shown(path, node.settings, full).items()]
    for name, block in node.blocks.items():
        lines += render_block(name, block, indent, full, root_path=f"{path} {name}")
    return lines


def _normalise(name: str, values: list[str]) -> list[str]:
    """FortiOS stores a subnet as address and mask whatever form was typed."""
    if name in {"subnet", "ip"} and len(values) in (1, 2):
        try:
            network = ipaddress.IPv4Network("/".join(values), strict=False)
        except ValueError:
            raise CommandError(f"invalid ip address\nvalue parse error before '{values[0]}'\n"
                               "Command fail. Return code -8") from None
        return [str(ipaddress.IPv4Address("/".join(values).split("/")[0])), str(network.netmask)]
    return values


class FortiBox(Box):
    platform = "fortios"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = Node()
        text = self.read_saved()
        loader = FortiSession(self, "admin", loading=True)
        for line in (text if text is not None else INITIAL_CONFIG).splitlines():
            if line.strip() and not line.startswith("#"):
                loader.run(line.strip())
        if text is None:
            self.save()

    def new_session(self, username: str) -> FortiSession:
        return FortiSession(self, username)

    def config_text(self, full: bool = False) -> str:
        header = "#config-version=FGVM64-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=admin\n"
        lines = [line for path, node in self.root.blocks.items() for line in render_block(path, node,
                 full=full)]
        return header + "\n".join(lines) + "\n"

    def save(self) -> None:
        self.write_saved(self.config_text())

    def prompt_name(self) -> str:
        return self.root.blocks.get("system global", Node()).settings.get("hostname", ["FGT"])[0]


class Frame:
    """One level of the config/edit stack."""

    def __init__(self, path: str, node: Node, table: Node | None = None, key: str = ""):
        self.path, self.node, self.table, self.key = path, node, table, key

    @property
    def label(self) -> str:
        return self.key or self.path.split()[-1]


class FortiSession(Session):
    pipes: ClassVar[dict[str, bool]] = {"grep": True}

    def __init__(self, box: FortiBox, username: str, loading: bool = False):
        super().__init__(box, username)
        self.box: FortiBox = box
        self.stack: list[Frame] = []
        self.loading = loading

    def prompt(self) -> str:
        label = f" ({self.stack[-1].label})" if self.stack else ""
        return f"{self.box.prompt_name()}{label} # "

    def is_config_command(self, line: str) -> bool:
        words = line.split()
        return bool(words) and (bool(self.stack) or words[0] == "config")

    def reject(self, line: str) -> str:
        word = line.split()[0] if line.split() else line
        return f"command parse error before '{word}'\nCommand fail. Return code -61"

    def run(self, line: str) -> str:
        try:
            words = shlex.split(line)
        except ValueError:
            return self.reject(line)
        if not words:
            return ""
        handler = getattr(self, "cmd_" + words[0].replace("-", "_"), None)
        if handler is None:
            return self.reject(line)
        try:
            return handler(words[1:]) or ""
        except CommandError as error:
            if self.loading:
                raise
            return str(error)

    def _fail(self, word: str) -> CommandError:
        return CommandError(f"command parse error before '{word}'\nCommand fail. Return code -61")

    # -- navigation -------------------------------------------------------------------------
    def cmd_config(self, args: list[str]) -> str:
        if not args:
            raise self._fail("config")
        if not self.stack:
            path = " ".join(args)
            if path not in ROOT_BLOCKS:
                raise self._fail(args[0])
            live = self.box.root.blocks.setdefault(path, Node())
            node = copy.deepcopy(live) if ROOT_BLOCKS[path] == SINGLE else live
            self.stack.append(Frame(path, node))
            return ""
        top = self.stack[-1]
        if (top.table is None and ROOT_BLOCKS.get(top.path) == TABLE) or len(args) != 1:
            raise self._fail(args[0])
        self.stack.append(Frame(f"{top.path} {args[0]}", top.node.blocks.setdefault(args[0], Node())))
        return ""

    def cmd_edit(self, args: list[str]) -> str:
        top = self._frame("edit")
        if top.table is not None or len(args) != 1 or ROOT_BLOCKS.get(top.path) == SINGLE:
            raise self._fail(args[0] if args else "edit")
        key = args[0]
        if key == "0" and (not top.node.entries or all(k.isdigit() for k in top.node.entries)):
            key = str(max([int(k) for k in top.node.entries] + [0]) + 1)
        entry = copy.deepcopy(top.node.entries[key]) if key in top.node.entries else Node()
        if key not in top.node.entries and top.path in WITH_UUID and not self.loading:
            entry.settings["uuid"] = [str(uuid.uuid4())]
        self.stack.append(Frame(top.path, entry, table=top.node, key=key))
        return ""

    def cmd_next(self, args: list[str]) -> str:
        top = self._frame("next")
        if top.table is None:
            raise self._fail("next")
        self._apply_entry(self.stack.pop())
        return ""

    def cmd_end(self, args: list[str]) -> str:
        top = self._frame("end")
        if top.table is not None:
            self._apply_entry(self.stack.pop())
        block = self.stack.pop()
        if not self.stack:
            if ROOT_BLOCKS[block.path] == SINGLE:
                self.box.root.blocks[block.path] = block.node
            self._commit_point()
        return ""

    def cmd_abort(self, args: list[str]) -> str:
        top = self._frame("abort")
        self.stack.pop()
        if top.table is not None:
            self.stack.pop()
        return ""

    def cmd_exit(self, args: list[str]) -> str:
        if self.stack:
            raise self._fail("exit")
        raise EndSession("")

    def _frame(self, word: str) -> Frame:
        if not self.stack:
            raise self._fail(word)
        return self.stack[-1]

    def _apply_entry(self, frame: Frame) -> None:
        frame.table.entries[frame.key] = frame.node
        self._saved()

    def _saved(self) -> None:
        if not self.loading and len(self.stack) <= 1:
            self.box.save()

    def _commit_point(self) -> None:
        if self.loading:
            return
        delay = self.box.faults.current().commit_delay
        if delay:
            time.sleep(delay)
        self.box.save()

    # -- table operations -------------------------------------------------------------------
    def _table(self, word: str) -> Frame:
        top = self._frame(word)
        if top.table is not None or ROOT_BLOCKS.get(top.path) == SINGLE:
            raise self._fail(word)
        return top

    def cmd_delete(self, args: list[str]) -> str:
        top = self._table("delete")
        if len(args) != 1 or args[0] not in top.node.entries:
            raise CommandError("entry not found in datasource\nCommand fail. Return code -3")
        del top.node.entries[args[0]]
        self._saved()
        return ""

    def cmd_purge(self, args: list[str]) -> str:
        self._table("purge").node.entries.clear()
        self._saved()
        return ""

    def cmd_move(self, args: list[str]) -> str:
        entries = self._table("move").node.entries
        if len(args) != 3 or args[1] not in ("before", "after") or not {args[0], args[2]} <= set(entries):
            raise self._fail(args[0] if args else "move")
        moving = entries.pop(args[0])
        order = list(entries.items())
        index = [k for k, _ in order].index(args[2]) + (args[1] == "after")
        order.insert(index, (args[0], moving))
        entries.clear()
        entries.update(order)
        self._saved()
        return ""

    def cmd_rename(self, args: list[str]) -> str:
        entries = self._table("rename").node.entries
        if len(args) != 3 or args[1] != "to" or args[0] not in entries or args[2] in entries:
            raise self._fail(args[0] if args else "rename")
        renamed = {(args[2] if k == args[0] else k): v for k, v in entries.items()}
        entries.clear()
        entries.update(renamed)
        self._saved()
        return ""

    # -- settings ---------------------------------------------------------------------------
    def _settable(self, word: str) -> Frame:
        top = self._frame(word)
        if top.table is None and ROOT_BLOCKS.get(top.path) == TABLE:
            raise self._fail(word)
        return top

    def cmd_set(self, args: list[str]) -> str:
        top = self._settable("set")
        if len(args) < 2:
            raise self._fail(args[0] if args else "set")
        name, values = args[0], _normalise(args[0], args[1:])
        self._check_references(top.path, name, values)
        top.node.settings[name] = values
        return ""

    def cmd_append(self, args: list[str]) -> str:
        top = self._settable("append")
        if len(args) < 2:
            raise self._fail(args[0] if args else "append")
        self._check_references(top.path, args[0], args[1:])
        current = top.node.settings.setdefault(args[0], [])
        current += [v for v in args[1:] if v not in current]
        return ""

    def cmd_unset(self, args: list[str]) -> str:
        top = self._settable("unset")
        if len(args) != 1:
            raise self._fail(args[0] if args else "unset")
        top.node.settings.pop(args[0], None)
        return ""

    def _check_references(self, path: str, name: str, values: list[str]) -> None:
        tables = REFERENCES.get((path, name))
        if not tables or self.loading:
            return
        for value in values:
            known = any(value in self.box.root.blocks.get(t, Node()).entries for t in tables)
            if not known and value not in BUILT_IN_NAMES:
                raise CommandError(f"entry not found in datasource\n\nvalue parse error before '{value}'\n"
                                   "Command fail. Return code -3")

    # -- show / get -------------------------------------------------------------------------
    def cmd_show(self, args: list[str]) -> str:
        full = bool(args) and args[0] == "full-configuration"
        args = args[1:] if full else args
        if not args and self.stack:
            frame = self.stack[-1]
            if frame.table is not None:
                return "\n".join(render_block(frame.path, frame.table, full=full, only=frame.key))
            return "\n".join(render_block(frame.path, frame.node, full=full))
        if not args:
            return self.box.config_text(full=full).rstrip("\n")
        path, key = self._lookup(args)
        node = self.box.root.blocks.get(path, Node())
        if key is not None and key not in node.entries:
            raise CommandError("entry not found in datasource\nCommand fail. Return code -3")
        return "\n".join(render_block(path, node, full=full, only=key))

    def _lookup(self, args: list[str]) -> tuple[str, str | None]:
        for size in range(len(args), 0, -1):
            path = " ".join(args[:size])
            if path in ROOT_BLOCKS and len(args) - size <= 1:
                return path, (args[size] if len(args) > size else None)
        raise self._fail(args[0])

    def cmd_get(self, args: list[str]) -> str:
        if args[:2] == ["system", "status"]:
            return self._system_status()
        path, key = self._lookup(args)
        node = self.box.root.blocks.get(path, Node())
        if ROOT_BLOCKS[path] == SINGLE:
            return _get_lines(_shown(path, node.settings, full=True))
        if key is not None:
            if key not in node.entries:
                raise CommandError("entry not found in datasource\nCommand fail. Return code -3")
            return _get_lines({"name": [key], **node.entries[key].settings})
        return "\n".join(f"== [ {k} ]" for k in node.entries)

    def _system_status(self) -> str:
        return "\n".join([
            f"Version: FortiGate-VM64 {VERSION}",
            "Security Level: 1",
            f"Serial-Number: FGVMLAB{abs(hash(self.box.name)) % 10**9:09d}",
            "License Status: Valid",
            "VM Resources: 2 CPU, 2048 MB RAM",
            "Log hard disk: Available",
            f"Hostname: {self.box.prompt_name()}",
            "Operation Mode: NAT",
            "Current virtual domain: root",
            "Max number of virtual domains: 1",
            "Virtual domains status: 1 in NAT mode, 0 in TP mode",
            "Virtual domain configuration: disable",
            "FIPS-CC mode: disable",
            "Current HA mode: standalone",
            "Branch point: 1639",
            "Release Version Information: GA",
            f"System time: {time.strftime('%a %b %d %H:%M:%S %Y')}",
        ])


def _get_lines(settings: dict[str, list[str]]) -> str:
    return "\n".join(f"{k:<20}: {' '.join(v)}" for k, v in settings.items())
