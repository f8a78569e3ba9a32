"""Cisco ASA: EO- object-groups compared child by child, EO-IN-* access lists line by line.

Changes apply to the running configuration at once and survive a restart only after ``write memory``;
rollback is the inverse delta, pushed before anything is saved.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..asa import PORT_NAMES
from .planning import Plan, recognisable

PLATFORM = "asa"
DEVICE_TYPE = "cisco_asa"
ERROR_PATTERN = r"% Invalid|ERROR:|WARNING: .* duplicate|does not exist"
FETCH = "show running-config"
CONFIG_LINE = r"^hostname \S+"  # every ASA running config names its host
KEEP_REMARK = "entries of {acl} kept below the managed rules"  # an interface takes one access list
ACL_PREFIX = "EO-IN-"


@dataclass
class State:
    """object-groups (header -> children), EO-IN-* access lists (name -> lines), bindings (interface -> acl)."""

    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    acls: dict[str, list[str]] = field(default_factory=dict)
    bindings: dict[str, str] = field(default_factory=dict)

    def comparable(self) -> tuple:
        return ({h: sorted(_norm(c) for c in kids) for h, kids in self.groups.items()},
                {n: [_norm(x) for x in lines] for n, lines in self.acls.items()}, self.bindings)


def _norm(line: str) -> str:
    """What the ASA prints for a line we type: port names for numbers, single spaces."""
    words = line.split()
    names = {str(v): k for k, v in PORT_NAMES.items()}
    return " ".join(names.get(w, w) if i and words[i - 1] in ("eq", "lt", "gt", "neq") else w
                    for i, w in enumerate(words))


def read_config(text: str) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, str]]:
    """Every object-group (header -> children), access list (name -> lines) and `in` binding of ``text``."""
    groups: dict[str, list[str]] = {}
    acls: dict[str, list[str]] = {}
    bindings: dict[str, str] = {}
    current = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith(("!", ":")):
            current = None
            continue
        words = line.split()
        if line.startswith(" ") and current is not None:
            groups[current].append(line.strip())
            continue
        current = None
        if words[0] == "object-group" and len(words) >= 3:
            current = " ".join(words)
            groups[current] = []
        elif words[0] == "access-list" and len(words) >= 3:
            acls.setdefault(words[1], []).append(" ".join(words[2:]))
        elif words[0] == "access-group" and len(words) == 5 and words[2] == "in":
            bindings[words[4]] = words[1]
    return groups, acls, bindings


def state(text: str, interfaces=()) -> State:
    """The managed slice; ``interfaces``: those whose binding the project owns (the intended ones)."""
    groups, acls, bindings = read_config(text)
    return State({h: tuple(k) for h, k in groups.items() if h.split()[2].startswith("EO-")},
                 {n: lines for n, lines in acls.items() if n.startswith(ACL_PREFIX)},
                 {i: bindings.get(i, "") for i in interfaces})


def current(running_text: str, intended_text: str) -> State:
    """The managed slice of the running config; interface bindings in the scope of the intended config."""
    return state(running_text, tuple(read_config(intended_text)[2]))


def target(intended_text: str, running_text: str) -> State:
    """The intended slice; each managed list ends with the entries the interface had before (kept, not ours)."""
    groups, intended_acls, intended_bindings = read_config(intended_text)
    _, acls, bindings = read_config(running_text)
    want = State({h: tuple(k) for h, k in groups.items()}, {}, dict(intended_bindings))
    for iface, acl in intended_bindings.items():
        want.acls[acl] = intended_acls.get(acl, []) + _kept(acl, bindings.get(iface, ""), acls)
    return want


def _kept(acl: str, bound: str, acls: dict[str, list[str]]) -> list[str]:
    if bound == acl:  # already ours: what follows the managed entries
        lines = acls.get(acl, [])
        start = next((i for i, x in enumerate(lines) if x.startswith("remark ") and not
                      x.split()[1].startswith("EO-")), len(lines))
        return lines[start:]
    if bound and not bound.startswith(ACL_PREFIX) and acls.get(bound):
        return [f"remark {KEEP_REMARK.format(acl=bound)}", *acls[bound]]
    return []


def plan(have: State, want: State) -> Plan:
    out = Plan()
    for header, kids in want.groups.items():
        old = have.groups.get(header)
        body = _group_delta(old or (), kids)
        if body:
            out.summary.append(f"{'change' if old is not None else 'add'} {header}")
            out.commands += [header, *body]
    for acl, lines in want.acls.items():
        body = _acl_delta(acl, have.acls.get(acl, []), lines)
        if body:
            out.summary.append(f"{'change' if acl in have.acls else 'add'} access-list {acl}")
            out.commands += body
    for iface, acl in want.bindings.items():
        if have.bindings.get(iface, "") != acl:
            out.summary.append(f"bind {acl or 'nothing'} to interface {iface}")
            out.commands.append(f"access-group {acl} in interface {iface}" if acl else
                                f"no access-group {have.bindings[iface]} in interface {iface}")
    for acl in have.acls:
        if acl not in want.acls:
            out.summary.append(f"delete access-list {acl}")
            out.commands.append(f"clear configure access-list {acl}")
    for header in have.groups:
        if header not in want.groups:
            out.summary.append(f"delete {header}")
            out.commands.append("no " + " ".join(header.split()[:3]))
    return out


def _group_delta(old: tuple[str, ...], new: tuple[str, ...]) -> list[str]:
    have, want = {_norm(c): c for c in old}, {_norm(c): c for c in new}
    return ([f" {want[k]}" for k in want if k not in have]
            + [f" no {have[k]}" for k in have if k not in want])


def _acl_delta(acl: str, old: list[str], new: list[str]) -> list[str]:
    """Line edits (``line N`` inserts, ``no`` deletes); a remark can only be appended, so an ACL whose
    remarks move is rewritten from the first difference on."""
    a, b = [_norm(x) for x in old], [_norm(x) for x in new]
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    inserts_remark = any(tag in ("insert", "replace") and i1 < len(a)
                         and any(x.startswith("remark ") for x in b[j1:j2]) for tag, i1, _, j1, j2 in ops)
    if inserts_remark:
        first = next(i1 for tag, i1, *_ in ops if tag != "equal")
        return ([f"no access-list {acl} {x}" for x in reversed(old[first:])]
                + [f"access-list {acl} {x}" for x in new[first:]])
    out = []
    for tag, i1, i2, j1, j2 in reversed(ops):  # from the end, so earlier line numbers stay valid
        if tag in ("delete", "replace"):
            out += [f"no access-list {acl} {x}" for x in old[i1:i2]]
        if tag in ("insert", "replace"):
            out += [f"access-list {acl} {x}" if i1 >= len(a) or x.startswith("remark ")
                    else f"access-list {acl} line {i1 + 1 + k} {x}" for k, x in enumerate(new[j1:j2])]
    return out


def text(s: State) -> str:
    out = [line for h, kids in s.groups.items() for line in (h, *(f" {k}" for k in kids))]
    out += [f"access-list {acl} {x}" for acl, lines in s.acls.items() for x in lines]
    out += [f"access-group {acl} in interface {i}" for i, acl in s.bindings.items() if acl]
    return "\n".join(out) + "\n" if out else ""


# -- talking to the device -------------------------------------------------------------------------
def prepare(conn) -> None:
    """Nothing to set per session: netmiko's ASA driver already turns paging off."""


def read(conn, read_timeout: float) -> str:
    conn.enable()
    return recognisable(conn.send_command(FETCH, read_timeout=read_timeout), CONFIG_LINE, PLATFORM,
                        "`hostname` line")


def begin(conn) -> None:
    conn.enable()


def send(conn, commands: list[str], read_timeout: float) -> str:
    return conn.send_config_set(commands, error_pattern=ERROR_PATTERN, read_timeout=read_timeout)


def commit(conn, read_timeout: float) -> str:
    """``write memory``: the running configuration survives a restart from here on."""
    conn.enable()
    output = conn.send_command("write memory", expect_string=r"\[OK\]|\[FAILED\]", read_timeout=read_timeout)
    if "[OK]" not in output:
        raise SaveFailed(output.strip().splitlines()[-1] if output.strip() else "no answer to write memory")
    return output


class SaveFailed(RuntimeError):
    pass


def discard(conn) -> None:
    """Nothing to drop: an ASA applies each line at once; rollback pushes the inverse delta."""
    conn.enable()


ANY = {"any", "any4", "any6"}


def open_rules(running_text: str) -> list:
    """``permit ip any any`` entries of an interface's access list, before its managed entries."""
    from .findings import OpenRule

    _, acls, bindings = read_config(running_text)
    out = []
    for iface, acl in bindings.items():
        for n, line in enumerate(acls.get(acl, []), 1):
            words = line.split()
            if words[0] == "remark" and len(words) > 1 and words[1].startswith("EO-"):
                break
            if words[:3] == ["extended", "permit", "ip"] and len(words) >= 5 and {words[3], words[4]} <= ANY:
                out.append(OpenRule(f"{acl} line {n} ({' '.join(words[1:5])})", (iface,), ()))
    return out
