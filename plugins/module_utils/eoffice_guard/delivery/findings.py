"""Findings: the ministry's own rules that let through a flow the advisory forbids.

Only rules the device evaluates before the managed ones matter, and only those that match any source,
destination and service are judged (an old any-any allow); rules naming the ministry's own objects
are not resolved here. The packet named is one of the region a "deny" invariant covers, between the
rule's zones (``invariants.forbidden_packet``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..invariants import forbidden_packet
from ..registry import parse
from .drivers import driver


@dataclass(frozen=True)
class OpenRule:
    """An unmanaged allow rule that matches any source, destination and service."""

    name: str
    src_interfaces: tuple[str, ...] = ()  # empty: any
    dst_interfaces: tuple[str, ...] = ()


def findings(policy, platform: str, running: str) -> list[str]:
    """One line per open rule that lets through a packet an advisory "deny" invariant forbids, naming the packet."""
    empty = parse(platform, "", policy.zones).ruleset  # the open rule decides before any managed rule
    zone_of = {z.interface(platform): z.name for z in policy.zones if platform in dict(z.interfaces)}
    out = []
    for rule in driver(platform).open_rules(running):
        found = forbidden_packet(policy, platform, empty, _zones(rule.src_interfaces, zone_of),
                                 _zones(rule.dst_interfaces, zone_of))
        if found is not None:
            claim, flow = found
            out.append(f"unmanaged rule {rule.name} (allow any to any, evaluated before the managed rules) "
                       f"lets through {flow}, which the advisory forbids ({claim.control}: {claim.invariant})")
    return out


def _zones(interfaces: tuple[str, ...], zone_of: dict[str, str]) -> list[str] | None:
    """The zones an open rule's interfaces stand for; None (every zone) when it names none."""
    return [zone_of.get(i, i) for i in interfaces] if interfaces else None
