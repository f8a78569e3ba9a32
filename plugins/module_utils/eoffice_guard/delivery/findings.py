"""Findings: the ministry's own rules that let through a flow the advisory forbids.

Only rules the device evaluates before the managed ones matter, and only those that match any source,
destination and service are judged (an old any-any allow); rules naming the ministry's own objects
are not resolved here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..invariants import check_invariants
from ..registry import parse
from .drivers import driver


@dataclass(frozen=True)
class OpenRule:
    """An unmanaged allow rule that matches any source, destination and service."""

    name: str
    src_interfaces: tuple[str, ...] = ()  # empty: any
    dst_interfaces: tuple[str, ...] = ()


def findings(policy, platform: str, running: str) -> list[str]:
    forbidden = [r for r in check_invariants(policy, parse(platform, "", policy.zones), platform)
                 if r.expected == "deny" and not r.flow.to_device]
    zone_of = {z.interface(platform): z.name for z in policy.zones if platform in dict(z.interfaces)}
    out = []
    for rule in driver(platform).open_rules(running):
        for result in forbidden:
            flow = result.flow
            if _zones_match(rule.src_interfaces, flow.src_zone, zone_of) and \
                    _zones_match(rule.dst_interfaces, flow.dst_zone, zone_of):
                out.append(f"unmanaged rule {rule.name} (allow any to any, evaluated before the managed rules) "
                           f"lets through {flow}, which the advisory forbids ({result.control}: {result.invariant})")
                break  # one flow names the problem; the rule defeats the others alike
    return out


def _zones_match(interfaces: tuple[str, ...], zone: str | None, zone_of: dict[str, str]) -> bool:
    return not interfaces or zone is None or zone in {zone_of.get(i, i) for i in interfaces}
