"""FortiOS: entries of ``config`` tables compared setting by setting; policies keyed by name, moved by id.

FortiOS applies every entry at ``next``/``end`` and saves at once, so there is no commit and rollback
means pushing the inverse delta.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..fortios import q, statements
from .planning import Plan, UnreadableConfig, moves, recognisable

PLATFORM = "fortios"
DEVICE_TYPE = "fortinet"
ERROR_PATTERN = r"Command fail|command parse error|entry not found|Unknown action"
FETCH = "show"
CONFIG_LINE = r"^config [a-z]"  # what every FortiOS `show` holds: a top-level config block
#: tables whose EO- entries the project owns, in the order they are created (what uses an entry comes later)
OWNED = ("firewall address", "firewall address6", "firewall addrgrp", "firewall service custom",
         "firewall ipmacbinding table", "firewall policy")
#: settings the project owns inside entries it does not own (ipmac on an interface, the binding switches)
SHARED = ("system interface", "firewall ipmacbinding setting")
NAMED_BY_SETTING = ("firewall policy", "firewall ipmacbinding table")  # key is an id; `name` says who owns it
BINDINGS = "firewall ipmacbinding table"  # one entry per IP: compared by IP, never by (cut) name
IGNORED = {"uuid"}  # the device adds these
#: values FortiOS leaves out of ``show``: a setting absent on the device has its default
DEFAULTS = {
    "firewall ipmacbinding setting": {"bindthroughfw": ("disable",), "bindtofw": ("disable",),
                                      "undefinedhost": ("block",)},
    "firewall policy": {"status": ("enable",), "action": ("deny",), "logtraffic": ("utm",)},
    "firewall address": {"type": ("ipmask",)},
}


@dataclass
class Entry:
    key: str  # the edit key as typed (id or name)
    settings: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)  # name -> (values, line)

    def values(self, table: str) -> dict[str, tuple[str, ...]]:
        defaults = DEFAULTS.get(table, {})
        return {k: v for k, (v, _) in self.settings.items() if k not in IGNORED and v and defaults.get(k) != v}


@dataclass
class State:
    """The managed slice: table -> owner name -> Entry; ``order``: every policy name in device order."""

    tables: dict[str, dict[str, Entry]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # every policy name -> its id on the device

    def comparable(self) -> tuple:
        managed = [n for n in self.order if n.startswith("EO-")]
        return ({t: {k: e.values(t) for k, e in es.items()} for t, es in self.tables.items() if es},
                managed, self.order[:len(managed)] == managed)


def read_tree(text: str) -> dict[str, dict[str, Entry]]:
    """Top-level table -> edit key -> Entry (settings of nested blocks are left out)."""
    tree: dict[str, dict[str, Entry]] = {}
    depth, table, key = 0, "", None
    for words, line in statements(text):
        verb, *args = words
        if verb == "config":
            depth += 1
            if depth == 1:
                table, key = " ".join(args), ""
                tree.setdefault(table, {}).setdefault("", Entry(""))
        elif verb == "end":
            depth -= 1
        elif depth == 1 and verb == "edit" and args:
            key = args[0]
            tree[table].setdefault(key, Entry(key))
        elif depth == 1 and verb == "next":
            key = None
        elif depth == 1 and verb == "set" and key is not None and args:
            tree[table][key].settings[args[0]] = (tuple(args[1:]), line)
    return tree


def owner(table: str, entry: Entry) -> str:
    if table in NAMED_BY_SETTING:
        return (entry.settings.get("name", ((entry.key,), ""))[0] or (entry.key,))[0]
    return entry.key


def managed(table: str, entries: dict[str, Entry]) -> dict[str, Entry]:
    """The entries of ``table`` the project owns (EO- names), keyed by what identifies them.

    Bindings are keyed by their IP: FortiOS cuts names at 35 characters, so two owners that start alike
    must never become one entry. A second EO- entry for the same IP stays distinct, so it is deleted.
    """
    out: dict[str, Entry] = {}
    for key, entry in entries.items():
        if not key or not owner(table, entry).startswith("EO-"):
            continue
        ident = owner(table, entry)
        if table == BINDINGS:
            ident = "ip " + (entry.settings.get("ip", (("?",), ""))[0] or ("?",))[0]
            ident = ident if ident not in out else f"{ident} (entry {key})"
        out[ident] = entry
    return out


def state(text: str, shared_scope: dict[str, dict[str, list[str]]]) -> State:
    """The managed slice of ``text``; ``shared_scope``: table -> key -> settings we own in others' entries."""
    tree = read_tree(text)
    out = State()
    for table in OWNED:
        out.tables[table] = managed(table, tree.get(table, {}))
    for table in SHARED:
        found = tree.get(table, {})
        out.tables[table] = {}
        for key, names in shared_scope.get(table, {}).items():
            entry = found.get(key, Entry(key))
            out.tables[table][key] = Entry(key, {n: entry.settings.get(n, ((), "")) for n in names})
    policies = [e for k, e in tree.get("firewall policy", {}).items() if k]
    out.order = [owner("firewall policy", e) for e in policies]
    out.ids = {owner("firewall policy", e): e.key for e in policies}
    return out


def shared_scope(intended_text: str) -> dict[str, dict[str, list[str]]]:
    """Settings we own in others' entries, in the intended text's order (a plan must not vary by run)."""
    tree = read_tree(intended_text)
    return {t: {k: list(e.settings) for k, e in tree.get(t, {}).items() if e.settings} for t in SHARED}


def current(running_text: str, intended_text: str) -> State:
    """The managed slice of the running config, in the scope the intended config defines."""
    return state(running_text, shared_scope(intended_text))


def target(intended_text: str, running_text: str) -> State:
    """What the device must hold: the intended entries; policy ids kept where the device has them."""
    scope = shared_scope(intended_text)
    want = state(intended_text, scope)
    have = state(running_text, scope)
    running = read_tree(running_text)
    for table in NAMED_BY_SETTING:
        taken = {e.key for e in running.get(table, {}).values() if e.key}
        for name, entry in want.tables[table].items():
            if name in have.tables[table]:
                entry.key = have.tables[table][name].key
            elif entry.key in taken:  # the id holds another entry: an ``edit`` would change that one
                entry.key = str(max([int(k) for k in taken if k.isdigit()] + [int(entry.key)]) + 1)
            taken.add(entry.key)
    managed = list(want.order)
    want.order = managed + [n for n in have.order if n not in set(managed)]
    want.ids = {**have.ids, **{n: e.key for n, e in want.tables["firewall policy"].items()}}
    return want


def plan(have: State, want: State) -> Plan:
    out = Plan()
    for table in (*SHARED, *OWNED):
        lines = []
        for name, entry in want.tables.get(table, {}).items():
            old = have.tables.get(table, {}).get(name)
            body = _entry_delta(old, entry, table)
            if body:
                out.summary.append(f"{'change' if old else 'add'} {table} {name}")
                lines += _wrap(entry.key, body)
        if lines:
            out.commands += [f"config {table}", *lines, "end"]
    ids = {**have.ids, **want.ids}
    current = [n for n in have.order] + [n for n in want.order if n not in have.order]
    managed = [n for n in want.order if n.startswith("EO-")]
    steps = moves([n for n in current if n in set(want.order)], managed)
    if steps:
        out.commands.append("config firewall policy")
        for m in steps:
            out.commands.append(f"    move {ids[m.name]} {m.where} {ids[m.anchor]}")
            out.summary.append(f"move firewall policy {m.name} {m.where} {m.anchor}")
        out.commands.append("end")
    for table in reversed(OWNED):  # what uses an entry goes first
        gone = [n for n in have.tables.get(table, {}) if n not in want.tables.get(table, {})]
        if gone:
            out.commands += [f"config {table}",
                             *(f"    delete {_q(have.tables[table][n].key)}" for n in gone), "end"]
            out.summary += [f"delete {table} {n}" for n in gone]
    return out


def _entry_delta(old: Entry | None, new: Entry, table: str) -> list[str]:
    before, after = (old.values(table) if old else {}), new.values(table)
    body = []
    for name, (values, line) in new.settings.items():
        if name in IGNORED or (old is not None and before.get(name) == after.get(name)):
            continue
        body.append(f"        {line}" if values else f"        unset {name}")
    if table not in SHARED:
        body += [f"        unset {name}" for name in before if name not in new.settings]
    return body


def text(s: State) -> str:
    """The managed slice as FortiOS-like text, for diffs."""
    out = []
    for table in (*SHARED, *OWNED):
        entries = s.tables.get(table, {})
        if table == "firewall policy":
            entries = {n: entries[n] for n in s.order if n in entries}
        if not entries:
            continue
        out.append(f"config {table}")
        for entry in entries.values():
            out += _wrap(entry.key, [f"        {line or 'unset ' + n}" for n, (_, line) in entry.settings.items()
                                     if n not in IGNORED])
        out.append("end")
    return "\n".join(out) + "\n" if out else ""


def _wrap(key: str, body: list[str]) -> list[str]:
    """An entry's lines inside its table; a single-block table (key '') has no ``edit``."""
    return [f"    edit {_q(key)}", *body, "    next"] if key else [line[4:] for line in body]


def _q(key: str) -> str:
    """A device's edit key in a command: quoted as FortiOS reads it, and never spanning lines."""
    if any(ord(c) < 32 for c in key):
        raise UnreadableConfig(f"fortios: the entry {key[:40]!r} has a control character in its name; "
                               "rename it on the device before the project changes that table")
    return key if key.isdigit() else q(key)


# -- talking to the device -------------------------------------------------------------------------
def prepare(conn) -> None:
    """Nothing to set per session: FortiOS ``show`` prints the CLI format."""


def read(conn, read_timeout: float) -> str:
    return recognisable(conn.send_command(FETCH, read_timeout=read_timeout), CONFIG_LINE, PLATFORM,
                        "`config` block")


def begin(conn) -> None:
    """Nothing to prepare: FortiOS enters each table with ``config``."""


def send(conn, commands: list[str], read_timeout: float) -> str:
    return conn.send_config_set(commands, error_pattern=ERROR_PATTERN, read_timeout=read_timeout)


def commit(conn, read_timeout: float) -> str:
    """FortiOS writes through: every ``end`` already saved."""
    return ""


def discard(conn) -> None:
    """Nothing pending on FortiOS: what reached ``next``/``end`` is applied; leave any open table."""
    conn.write_channel("end\n")


def open_rules(running_text: str) -> list:
    """Unmanaged any-any accept policies listed before the first managed one."""
    from .findings import OpenRule

    out = []
    for key, entry in read_tree(running_text).get("firewall policy", {}).items():
        name = owner("firewall policy", entry)
        if not key:
            continue
        if name.startswith("EO-"):
            break
        v = entry.values("firewall policy")
        if v.get("action") == ("accept",) and v.get("srcaddr") == ("all",) and v.get("dstaddr") == ("all",) \
                and v.get("service") == ("ALL",) and v.get("status") != ("disable",):
            out.append(OpenRule(name, *(tuple(i for i in v.get(k, ()) if i != "any") for k in ("srcintf", "dstintf"))))
    return out
