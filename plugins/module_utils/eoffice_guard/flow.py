"""First-match evaluation of one flow against a managed rule set (rendered, parsed or built).

The verdict names the deciding rule. A flow no managed rule matches is ``unmanaged``: on the device it
falls through to the ministry's own rules below the EO- slice.
"""

from __future__ import annotations

import bisect
import ipaddress
import weakref
from dataclasses import dataclass

from .ir import Rule, RuleSet
from .schema import Service

UNMANAGED = "unmanaged"


@dataclass(frozen=True)
class Flow:
    src: str
    dst: str
    protocol: str  # tcp, udp, icmp, icmpv6, esp, ah, gre
    port: int | None = None  # destination port (tcp, udp)
    src_mac: str | None = None
    application: str | None = None  # a VPN application name the firewall identified, if any
    src_zone: str | None = None  # None: unknown, zone conditions are not checked
    dst_zone: str | None = None
    to_device: bool = False  # addressed to the firewall itself

    def __str__(self) -> str:
        port = f"/{self.port}" if self.port is not None else ""
        extra = "".join(f" {k}={v}" for k, v in (("mac", self.src_mac), ("app", self.application)) if v)
        where = f" [{self.src_zone or '?'} -> {'firewall' if self.to_device else self.dst_zone or '?'}]"
        return f"{self.src} -> {self.dst} {self.protocol}{port}{extra}{where}"


@dataclass(frozen=True)
class Verdict:
    action: str  # allow, deny or unmanaged
    rule: Rule | None
    flow: Flow

    @property
    def logged(self) -> bool:
        return bool(self.rule and self.rule.log)

    def __str__(self) -> str:
        by = f"rule {self.rule.name} ({self.rule.why})" if self.rule else "no managed rule"
        return f"{self.flow}: {self.action} by {by}"


def check_flow(config, flow: Flow) -> Verdict:
    """Verdict of the first managed rule that matches ``flow``; ``config`` is a RuleSet or ParsedConfig."""
    ruleset: RuleSet = getattr(config, "ruleset", config)
    index = _index(ruleset)
    src, dst = ipaddress.ip_address(flow.src), ipaddress.ip_address(flow.dst)  # parsed once per flow
    for rule in ruleset.rules:
        if _matches(index, rule, flow, src, dst):
            return Verdict(rule.action, rule, flow)
    return Verdict(UNMANAGED, None, flow)


def rule_matches(rs: RuleSet, rule: Rule, flow: Flow) -> bool:
    src, dst = ipaddress.ip_address(flow.src), ipaddress.ip_address(flow.dst)
    return _matches(_index(rs), rule, flow, src, dst)


def _matches(index: _Index, rule: Rule, flow: Flow, src, dst) -> bool:
    return (rule.to_device == flow.to_device
            and _zone_ok(rule.src_zones, flow.src_zone)
            and (flow.to_device or _zone_ok(rule.dst_zones, flow.dst_zone))
            and index.in_any(rule.sources, src)
            and (flow.to_device or index.in_any(rule.destinations, dst))
            and (not rule.services or any(service_matches(index.rs.service(s), flow) for s in rule.services))
            and (not rule.applications or flow.application in rule.applications)
            and (not rule.mac_mismatch or index.mac_mismatch(rule, src, flow.src_mac)))


class _Index:
    """One rule set's address objects as sorted integer ranges and its bindings by IP, built once."""

    def __init__(self, rs: RuleSet):
        self.rs = rs
        self.ranges: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
        self.bindings: dict[str, list] = {}
        for b in rs.bindings:
            self.bindings.setdefault(str(ipaddress.ip_address(b.ip)), []).append(b)

    def in_any(self, names: tuple[str, ...], ip) -> bool:
        return not names or any(self.contains(n, ip) for n in names)

    def contains(self, name: str, ip) -> bool:
        key = (name, ip.version)
        if key not in self.ranges:
            merged: list[list[int]] = []
            for p in sorted(p for p in self.rs.address(name).prefixes if p.version == ip.version):
                lo, hi = int(p.network_address), int(p.broadcast_address)
                if merged and lo <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            self.ranges[key] = ([lo for lo, _ in merged], [hi for _, hi in merged])
        starts, ends = self.ranges[key]
        i = bisect.bisect_right(starts, int(ip)) - 1
        return i >= 0 and int(ip) <= ends[i]

    def mac_mismatch(self, rule: Rule, src, mac: str | None) -> bool:
        """A bound IP of the rule's zones arriving without its registered MAC."""
        listed = [b for b in self.bindings.get(str(src), ()) if not rule.src_zones or b.zone in rule.src_zones]
        return bool(listed) and all(b.mac != (mac or "").lower() for b in listed)


_INDEXES: dict[int, tuple[weakref.ref, _Index]] = {}


def _index(rs: RuleSet) -> _Index:
    """The index of ``rs``, kept while ``rs`` lives (rule sets are immutable)."""
    key = id(rs)
    held = _INDEXES.get(key)
    if held is None or held[0]() is not rs:
        held = (weakref.ref(rs, lambda _, indexes=_INDEXES: indexes.pop(key, None)), _Index(rs))
        _INDEXES[key] = held
    return held[1]


def service_matches(svc: Service, flow: Flow) -> bool:
    return svc.protocol == flow.protocol and (not svc.ports or flow.port in svc.ports)


def _zone_ok(zones: tuple[str, ...], zone: str | None) -> bool:
    return not zones or zone is None or zone in zones
