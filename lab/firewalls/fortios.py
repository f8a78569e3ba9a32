"""FortiOS 7.2 as netmiko's ``fortinet`` driver and an operator see it.

Logins walk the config tree of ``fortios_config`` with ``config``/``edit``/``next``/``end``. As on
a FortiGate, an entry being edited is a working copy applied at ``next``/``end`` (a dropped
connection loses it), and every applied change is saved at once: FortiOS has no separate "save".
"""

from __future__ import annotations

import copy
import time
import uuid
from typing import ClassVar

from lab.firewalls.cli import Box, CommandError, LoggedOut, Login
from lab.firewalls.fortios_config import (
    BUILT_IN_NAMES,
    REFERENCES,
    ROOT_BLOCKS,
    SINGLE,
    TABLE,
    VERSION,
    WITH_UUID,
    Node,
    initial_config,
    normalise,
    render_block,
    shown,
    split_commands,
)


class FortiBox(Box):
    platform = "fortios"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = Node()
        text = self.read_saved()
        loader = FortiLogin(self, "admin", loading=True)
        for words in split_commands(text if text is not None else initial_config(self.serial()))[0]:
            loader.run_words(words)
        if text is None:
            self.save()

    def serial(self) -> str:
        return f"FGVMLAB{self.serial_number():09d}"

    def new_login(self, username: str) -> FortiLogin:
        return FortiLogin(self, username)

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


class FortiLogin(Login):
    pipes: ClassVar[dict[str, bool]] = {"grep": True}

    def __init__(self, box: FortiBox, username: str, loading: bool = False):
        super().__init__(box, username)
        self.box: FortiBox = box
        self.stack: list[Frame] = []
        self.loading = loading
        #: the lines of a quoted value still open (the CLI goes on reading it on the next line)
        self.pending = ""

    @property
    def continuing(self) -> bool:
        return bool(self.pending)

    def prompt(self) -> str:
        if self.pending:
            return ""
        label = f" ({self.stack[-1].label})" if self.stack else ""
        return f"{self.box.prompt_name()}{label} # "

    def is_config_command(self, line: str) -> bool:
        words = line.split()
        if not words or words[0] in ("end", "abort"):
            return False
        return bool(self.stack) or words[0] == "config"

    def reject(self, line: str) -> str:
        word = line.split()[0] if line.split() else line
        return f"command parse error before '{word}'\nCommand fail. Return code -61"

    def run(self, line: str) -> str:
        commands, still_open = split_commands(self.pending + line)
        if still_open:
            self.pending += line + "\n"
            return ""
        self.pending = ""
        return "\n".join(self.run_words(words) for words in commands)

    def run_words(self, words: list[str]) -> str:
        """One command, already split into words."""
        if not words:
            return ""
        handler = getattr(self, "cmd_" + words[0].replace("-", "_"), None)
        if handler is None:
            return self.reject(words[0])
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
        raise LoggedOut("")

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
        self.box.slow_commit()
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
        if self.stack[0] is top and self._used(top.path, args[0]):
            raise CommandError("entry is used\nCommand fail. Return code -23")
        del top.node.entries[args[0]]
        self._saved()
        return ""

    def _used(self, path: str, key: str) -> bool:
        """Whether a reference (policy address, group member...) names this entry."""
        for (user_path, field), targets in REFERENCES.items():
            if path in targets:
                users = self.box.root.blocks.get(user_path, Node()).entries.values()
                if any(key in user.settings.get(field, []) for user in users):
                    return True
        return False

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
        name, values = args[0], normalise(top.path, args[0], args[1:])
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
            return _get_lines(shown(path, node.settings, full=True))
        if key is not None:
            if key not in node.entries:
                raise CommandError("entry not found in datasource\nCommand fail. Return code -3")
            return _get_lines({"name": [key], **node.entries[key].settings})
        return "\n".join(f"== [ {k} ]" for k in node.entries)

    def _system_status(self) -> str:
        return "\n".join([
            f"Version: FortiGate-VM64 {VERSION}",
            "Security Level: 1",
            f"Serial-Number: {self.box.serial()}",
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
