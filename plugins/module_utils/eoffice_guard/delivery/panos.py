"""PAN-OS: ``set`` lines grouped per object path and attribute; security rules moved by name.

All changes go to the candidate configuration and take effect at ``commit``; until then ``revert
config`` undoes them, which is how a failed push is rolled back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..panos import quote, tokens
from .planning import Plan, moves, recognisable

PLATFORM = "panos"
DEVICE_TYPE = "paloalto_panos"
# every error line the CLI prints stops the push: netmiko reads the answer of each command against this
ERROR_PATTERN = (r"(?im)^\s*(Invalid syntax|Unknown command|Server error|Validation Error|Commit failed"
                 r"|Move failed|Delete failed|Rename failed|Entry not found|Error:|.*is not a valid reference"
                 r"|.*is an invalid|.*failed to|.*cannot be deleted because of references|.*doesn't exist)")
FETCH = "show config running"
CONFIG_LINE = r"^set [a-z]"  # in the `set` output format every line of a config is one
#: a real PAN-OS prints its hierarchical (brace) format unless the session asks for ``set`` lines
OUTPUT_FORMAT = "set cli config-output-format set"
RULES = "rulebase security rules"
KINDS = ("address", "address-group", "service", RULES)  # creation order: what a rule uses comes first
SCALARS = {"action", "log-end", "description", "ip-netmask"}  # `set` replaces them; lists grow, so delete first


@dataclass
class State:
    """path ("address EO-X", "rulebase security rules EO-R1") -> attribute -> (values, line); rule order."""

    objects: dict[str, dict[str, tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def comparable(self) -> tuple:
        managed = [n for n in self.order if n.startswith("EO-")]
        return ({p: {a: v for a, (v, _) in attrs.items()} for p, attrs in self.objects.items()},
                managed, self.order[:len(managed)] == managed)


def _split(line: str) -> tuple[str, str, str, tuple[str, ...]] | None:
    """(kind, name, attribute, values) of a ``set`` line, or None when it is not an object line.

    The name is one CLI word, quotes removed: ``"Legacy EO-exception"`` is one name, not ours.
    """
    words = [w for w in tokens(line) if w not in "[]"]
    if len(words) < 4 or words[0] != "set":
        return None
    if words[1:4] == RULES.split():
        if len(words) < 6:
            return None
        return RULES, words[4], words[5], tuple(words[6:])
    if words[1] in KINDS:
        return words[1], words[2], words[3], tuple(words[4:])
    return None


def path_of(kind: str, name: str) -> str:
    """An object's path as a command names it, its name quoted as the CLI needs."""
    return f"{kind} {quote(name)}"


def state(text: str) -> State:
    out = State()
    for raw in text.splitlines():
        line = raw.strip()
        parts = _split(line) if line.startswith("set ") else None
        if parts is None:
            continue
        kind, name, attr, values = parts
        if kind == RULES and name not in out.order:
            out.order.append(name)
        if name.startswith("EO-") and "\n" not in name:
            out.objects.setdefault(path_of(kind, name), {})[attr] = (values, line)
    return out


def current(running_text: str, intended_text: str) -> State:
    """The managed slice of the running config (every EO- object and rule)."""
    return state(running_text)


def target(intended_text: str, running_text: str) -> State:
    want, have = state(intended_text), state(running_text)
    managed = list(want.order)
    want.order = managed + [n for n in have.order if n not in set(managed)]
    return want


def plan(have: State, want: State) -> Plan:
    out = Plan()
    for kind in KINDS:
        for path, attrs in want.objects.items():
            if not path.startswith(kind + " ") or (kind == "address" and path.startswith("address-group")):
                continue
            old = have.objects.get(path, {})
            body = []
            for attr, (values, line) in attrs.items():
                if old.get(attr, (None,))[0] == values:
                    continue
                if attr in old and attr not in SCALARS:
                    body.append(f"delete {path} {attr}")
                body.append(line)
            body += [f"delete {path} {attr}" for attr in old if attr not in attrs]
            if body:
                out.summary.append(f"{'change' if old else 'add'} {path}")
                out.commands += body
    current = [n for n in have.order if n in set(want.order)] + [n for n in want.order if n not in have.order]
    for m in moves(current, [n for n in want.order if n.startswith("EO-")]):
        out.commands.append(f"move {RULES} {quote(m.name)} {m.where}" + (f" {quote(m.anchor)}" if m.anchor else ""))
        out.summary.append(f"move rule {m.name} {m.where} {m.anchor}")
    for kind in reversed(KINDS):  # rules first: they use the objects
        for path in have.objects:
            if _kind(path) == kind and path not in want.objects:
                out.commands.append(f"delete {path}")
                out.summary.append(f"delete {path}")
    return out


def _kind(path: str) -> str:
    return RULES if path.startswith(RULES) else path.split()[0]


def text(s: State) -> str:
    lines = [line for path, attrs in s.objects.items() if _kind(path) != RULES for _, line in attrs.values()]
    for name in s.order:
        lines += [line for _, line in s.objects.get(path_of(RULES, name), {}).values()]
    return "\n".join(lines) + "\n" if lines else ""


# -- talking to the device -------------------------------------------------------------------------
# netmiko's PAN-OS mode checks wait about 2 s each for quiet output: enter configuration mode once
# per login and remember it, instead of asking the device.
def _in_config(conn) -> bool:
    return getattr(conn, "eoffice_config_mode", False)


def _config_prompt(conn) -> str:
    return re.escape(conn.base_prompt) + r"#"


def prepare(conn) -> None:
    """Every session reads ``set`` lines: the brace format would read as a config without rules."""
    conn.send_command(OUTPUT_FORMAT)


def read(conn, read_timeout: float) -> str:
    if _in_config(conn):
        text = conn.send_command("run " + FETCH, expect_string=_config_prompt(conn), read_timeout=read_timeout)
    else:
        text = conn.send_command(FETCH, read_timeout=read_timeout)
    return recognisable(text, CONFIG_LINE, PLATFORM, "`set` line (is the output format `set`?)")


def begin(conn) -> None:
    """Configuration mode, refusing to mix our change with one somebody else left uncommitted."""
    if not _in_config(conn):
        conn.config_mode()
        conn.eoffice_config_mode = True
    output = conn.send_command("check pending-changes", expect_string=_config_prompt(conn))
    if re.search(r"^\s*yes", output, re.M):
        raise PendingChanges("the candidate configuration holds changes nobody committed; "
                             "commit or revert them on the device first")


class PendingChanges(RuntimeError):
    pass


def send(conn, commands: list[str], read_timeout: float) -> str:
    return conn.send_config_set(commands, error_pattern=ERROR_PATTERN, read_timeout=read_timeout,
                                enter_config_mode=False, exit_config_mode=False)


def commit(conn, read_timeout: float) -> str:
    """``commit``, waiting for the job's result and the prompt (netmiko's commit() adds mode checks)."""
    output = conn.send_command("commit", expect_string=_config_prompt(conn), read_timeout=read_timeout)
    if re.search(ERROR_PATTERN, output) or not re.search(r"committed successfully|no changes to commit", output):
        raise CommitFailed(output.strip().splitlines()[-1] if output.strip() else "no answer to commit")
    return output


class CommitFailed(RuntimeError):
    pass


def discard(conn) -> None:
    """Drop the uncommitted candidate: the running configuration is untouched until a commit."""
    if not _in_config(conn):
        conn.config_mode()
        conn.eoffice_config_mode = True
    conn.send_command("revert config", expect_string=_config_prompt(conn))


def open_rules(running_text: str) -> list:
    """Unmanaged any-any allow rules listed before the first managed one."""
    from .findings import OpenRule

    rules: dict[str, dict[str, tuple[str, ...]]] = {}
    for raw in running_text.splitlines():
        parts = _split(raw.strip()) if raw.strip().startswith("set ") else None
        if parts and parts[0] == RULES:
            rules.setdefault(parts[1], {})[parts[2]] = parts[3]
    out = []
    for name, attrs in rules.items():
        if name.startswith("EO-"):
            break
        anything = all(attrs.get(k) == ("any",) for k in ("source", "destination", "application"))
        any_service = attrs.get("service") in (("any",), ("application-default",))
        if anything and any_service and attrs.get("action") == ("allow",):
            out.append(OpenRule(name, *(tuple(z for z in attrs.get(k, ()) if z != "any") for k in ("from", "to"))))
    return out
