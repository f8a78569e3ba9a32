"""What every vendor module shares: the file header, the parse result, name and family helpers."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from .ir import CONTROLS, Address, Binding, Rule, RuleSet, rule_group
from .policy import Zone
from .schema import Service

HEADER_RE = re.compile(r"^\W*eoffice-guard managed rules for ministry (\S+) \(platform \S+\)")
HASH_RE = re.compile(r"^\W*policy content hash: sha256:([0-9a-f]{64})")


@dataclass(frozen=True)
class ParsedConfig:
    """A config read back: the managed slice as a RuleSet, and what else was found (not ours)."""

    platform: str
    ruleset: RuleSet
    unmanaged: tuple[str, ...] = ()  # names or lines of objects and rules without the EO- prefix
    notes: tuple[str, ...] = field(default=())  # managed lines that could not be understood


def header(rs: RuleSet, platform: str, mark: str, limits: tuple[str, ...]) -> list[str]:
    """The comment block at the top of every rendered file."""
    lines = [f"eoffice-guard managed rules for ministry {rs.ministry} (platform {platform})",
             f"policy content hash: sha256:{rs.policy_hash}",
             f"advisory controls implemented: {' '.join(rs.controls)}",
             "generated from the reviewed policy: change the policy and render again, do not edit",
             *(f"limit: {line}" for line in limits)]
    return [f"{mark} {line}" for line in lines]


def read_header(text: str) -> tuple[str, str]:
    """(ministry, policy hash) from a rendered file's header; empty for a running config."""
    ministry = policy_hash = ""
    for line in text.splitlines()[:12]:
        if m := HEADER_RE.match(line):
            ministry = m.group(1)
        if m := HASH_RE.match(line):
            policy_hash = m.group(1)
    return ministry, policy_hash


def zone_lookup(platform: str, zones: tuple[Zone, ...]):
    """Interface name -> zone, for reading a config back; unknown interfaces become zones of their own."""
    known = {z.interface(platform): z for z in zones if platform in dict(z.interfaces)}

    def lookup(iface: str) -> Zone:
        return known.get(iface) or Zone(iface, ((platform, iface),))

    return lookup


def split_family(addr: Address | None) -> dict[int, tuple]:
    """{4: prefixes, 6: prefixes}; an absent address (any) is {4: None, 6: None}."""
    if addr is None:
        return {4: None, 6: None}
    return {v: tuple(p for p in addr.prefixes if p.version == v) for v in (4, 6)}


def pairs(rs: RuleSet, rule: Rule):
    """(source or None, destination or None, family or None) combinations a rule needs, in order.

    family None: both sides are any. A pair whose sides share no family is skipped: it matches nothing.
    """
    sources = [rs.address(n) for n in rule.sources] or [None]
    dests = [rs.address(n) for n in rule.destinations] or [None]
    for src in sources:
        for dst in dests:
            if src is None and dst is None:
                yield src, dst, None
                continue
            s, d = split_family(src), split_family(dst)
            for v in (4, 6):
                if (s[v] is None or s[v]) and (d[v] is None or d[v]):
                    yield src, dst, v


def build_ruleset(ministry: str, policy_hash: str, zones, addresses, services, bindings, rules) -> RuleSet:
    return RuleSet(
        ministry=ministry, policy_hash=policy_hash, zones=tuple(sorted(zones, key=lambda z: z.name)),
        addresses=tuple(sorted(addresses, key=lambda a: a.name)),
        services=tuple(sorted(services, key=lambda s: s.name)),
        bindings=tuple(sorted(bindings, key=lambda b: ipaddress.ip_address(b.ip))),
        rules=tuple(sorted(rules, key=rule_group)), controls=CONTROLS)  # stable: device order within a group


def merge_rule(rules: dict[str, Rule], rule: Rule) -> None:
    """Several device lines make one managed rule: union their match fields, keep the first's order."""
    old = rules.get(rule.name)
    if old is None:
        rules[rule.name] = rule
        return
    rules[rule.name] = Rule(
        old.name, old.action, old.control or rule.control, old.why or rule.why,
        _union(old.src_zones, rule.src_zones), _union(old.dst_zones, rule.dst_zones),
        _union(old.sources, rule.sources), _union(old.destinations, rule.destinations),
        _union(old.services, rule.services), _union(old.applications, rule.applications),
        old.log, old.to_device, old.mac_mismatch)


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(a) | set(b))) if a and b else ()


__all__ = ["Address", "Binding", "ParsedConfig", "Rule", "RuleSet", "Service", "Zone"]
