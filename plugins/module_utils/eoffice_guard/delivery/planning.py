"""Platform-neutral planning: the Plan a driver returns and the moves that put managed rules on top."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class UnreadableConfig(RuntimeError):
    """A read that holds no recognisable configuration: never planned on, never taken as verified."""


def recognisable(text: str, pattern: str, platform: str, what: str) -> str:
    """``text`` when a line matches ``pattern``; an empty or foreign answer is an error, not an empty config."""
    if not re.search(pattern, text, re.M):
        first = next((line.strip() for line in text.splitlines() if line.strip()), "nothing")
        raise UnreadableConfig(f"{platform}: the running config read back has no {what} (it begins with "
                               f"{first[:80]!r}); nothing is planned or verified on an unreadable config")
    return text


@dataclass(frozen=True)
class Move:
    """Place ``name`` directly before or after ``anchor`` (``anchor`` None with ``where`` 'top': first)."""

    name: str
    where: str  # before | after | top
    anchor: str | None = None


@dataclass
class Plan:
    """What a driver found and what it would send: commands in an order the device accepts."""

    commands: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # one line per added/changed/deleted/moved object

    @property
    def empty(self) -> bool:
        return not self.commands


def intended_order(current: list[str], managed: list[str]) -> list[str]:
    """The whole rule list as it must end: the managed rules first, in order, then the others as they are."""
    wanted = set(managed)
    return managed + [n for n in current if n not in wanted]


def moves(current: list[str], managed: list[str]) -> list[Move]:
    """Fewest-effort moves turning ``current`` (every rule, device order) into managed-first order.

    Walks the wanted order and moves only a rule that is not already where it belongs.
    """
    target = intended_order(current, managed)
    state = [n for n in current if n in set(target)]
    out: list[Move] = []
    for i, name in enumerate(managed):
        if state[i] == name:
            continue
        state.remove(name)
        state.insert(i, name)
        out.append(Move(name, "after", managed[i - 1]) if i else Move(name, "before", state[1])
                   if len(state) > 1 else Move(name, "top"))
    return out
