"""Shadowing: a rule whose every match an earlier rule already decides is a policy error, not a no-op."""

from __future__ import annotations

import ipaddress

from .ir import Rule, RuleSet


def find_shadowed(rs: RuleSet) -> list[tuple[Rule, Rule]]:
    """(earlier, later) for each later rule fully covered by an earlier one."""
    pairs = []
    for i, later in enumerate(rs.rules):
        early = next((e for e in rs.rules[:i] if covers(rs, e, later)), None)
        if early is not None:
            pairs.append((early, later))
    return pairs


def covers(rs: RuleSet, a: Rule, b: Rule) -> bool:
    """Every flow ``b`` matches, ``a`` matches too."""
    return (a.to_device == b.to_device
            and _names(a.src_zones, b.src_zones) and _names(a.dst_zones, b.dst_zones)
            and _addresses(rs, a.sources, b.sources)
            and (a.to_device or _addresses(rs, a.destinations, b.destinations))
            and _services(rs, a.services, b.services)
            and _names(a.applications, b.applications)
            and (not a.mac_mismatch or (b.mac_mismatch and set(b.sources) <= set(a.sources))))


def _names(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return not a or (bool(b) and set(b) <= set(a))


def _addresses(rs: RuleSet, a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a:
        return True
    if not b:
        return False
    outer = _collapsed(rs, a)
    return all(any(p.version == q.version and p.subnet_of(q) for q in outer)
               for name in b for p in rs.address(name).prefixes)


def _collapsed(rs: RuleSet, names: tuple[str, ...]) -> list:
    prefixes = [p for n in names for p in rs.address(n).prefixes]
    return [*ipaddress.collapse_addresses(p for p in prefixes if p.version == 4),
            *ipaddress.collapse_addresses(p for p in prefixes if p.version == 6)]


def _services(rs: RuleSet, a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a:
        return True
    if not b:
        return False
    outer = [rs.service(n) for n in a]
    for svc in (rs.service(n) for n in b):
        same = [o for o in outer if o.protocol == svc.protocol]
        if any(not o.ports for o in same):
            continue
        if not svc.ports or not set(svc.ports) <= {p for o in same for p in o.ports}:
            return False
    return True
