"""Shadowing: a rule whose every match an earlier rule already decides is a policy error, not a no-op.

Each rule's match fields are read once into sets and address intervals, so comparing every pair of
rules costs set and interval tests, not prefix parsing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir import Rule, RuleSet
from .packetspace import iv_sub, prefix_intervals


@dataclass(frozen=True)
class _Match:
    """One rule's match fields, indexed: names as sets, address objects as intervals per family."""

    rule: Rule
    src_zones: frozenset
    dst_zones: frozenset
    sources: dict | None  # {4: intervals, 6: intervals}; None: any
    destinations: dict | None
    services: dict | None  # protocol -> set of ports (empty set: every port); None: any service
    applications: frozenset


def find_shadowed(rs: RuleSet) -> list[tuple[Rule, Rule]]:
    """(earlier, later) for each later rule fully covered by an earlier one."""
    index = _Index(rs)
    matches = [index.match(r) for r in rs.rules]
    pairs = []
    for i, later in enumerate(matches):
        early = next((e for e in matches[:i] if _covers(e, later)), None)
        if early is not None:
            pairs.append((early.rule, later.rule))
    return pairs


def covers(rs: RuleSet, a: Rule, b: Rule) -> bool:
    """Every flow ``b`` matches, ``a`` matches too."""
    index = _Index(rs)
    return _covers(index.match(a), index.match(b))


class _Index:
    def __init__(self, rs: RuleSet):
        self.rs = rs
        self._addresses: dict[tuple[str, ...], dict] = {}

    def addresses(self, names: tuple[str, ...]) -> dict | None:
        if not names:
            return None
        key = tuple(sorted(set(names)))
        if key not in self._addresses:
            prefixes = [p for n in key for p in self.rs.address(n).prefixes]
            self._addresses[key] = {v: prefix_intervals(prefixes, v) for v in (4, 6)}
        return self._addresses[key]

    def services(self, names: tuple[str, ...]) -> dict | None:
        if not names:
            return None
        out: dict[str, set] = {}
        for svc in (self.rs.service(n) for n in names):
            ports = out.setdefault(svc.protocol, set())
            if ports is not _ALL:
                out[svc.protocol] = _ALL if not svc.ports else ports | set(svc.ports)
        return out

    def match(self, r: Rule) -> _Match:
        return _Match(r, frozenset(r.src_zones), frozenset(r.dst_zones), self.addresses(r.sources),
                      self.addresses(r.destinations), self.services(r.services), frozenset(r.applications))


_ALL: set = set()  # marker: every port of a protocol


def _covers(a: _Match, b: _Match) -> bool:
    ra, rb = a.rule, b.rule
    return (ra.to_device == rb.to_device
            and _names(a.src_zones, b.src_zones) and _names(a.dst_zones, b.dst_zones)
            and _addresses(a.sources, b.sources)
            and (ra.to_device or _addresses(a.destinations, b.destinations))
            and _services(a.services, b.services)
            and _names(a.applications, b.applications)
            and (not ra.mac_mismatch or (rb.mac_mismatch and set(rb.sources) <= set(ra.sources))))


def _names(a: frozenset, b: frozenset) -> bool:
    return not a or (bool(b) and b <= a)


def _addresses(a: dict | None, b: dict | None) -> bool:
    """Every prefix of ``b`` lies in ``a`` (a prefix inside a union of collapsed prefixes lies in one of them)."""
    if a is None:
        return True
    if b is None:
        return False
    return not iv_sub(b[4], a[4]) and not iv_sub(b[6], a[6])


def _services(a: dict | None, b: dict | None) -> bool:
    if a is None:
        return True
    if b is None:
        return False
    for protocol, ports in b.items():
        outer = a.get(protocol)
        if outer is None:
            return False
        if outer is _ALL:
            continue
        if ports is _ALL or not ports <= outer:
            return False
    return True
