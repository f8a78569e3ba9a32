"""The plain-language rule table a change reviewer reads next to a rendered firewall file."""

from __future__ import annotations

from collections import Counter

from .compiler import Compiled
from .ir import Rule, RuleSet
from .policy import Policy
from .registry import vendor


def review_markdown(policy: Policy, compiled: Compiled, host: str) -> str:
    rs, platform = compiled.ruleset, compiled.platform
    enforced = {r.name for r in compiled.parsed.ruleset.rules}
    lines = [f"# {host}: e-Office managed rules ({platform})", "",
             f"- ministry: {policy.ministry}", f"- policy content hash: `{rs.policy_hash}`",
             f"- advisory deadline: {policy.advisory_deadline.isoformat()}",
             f"- controls implemented: {', '.join(rs.controls)}", "",
             "Rules are evaluated top to bottom; the first that matches decides. Traffic that matches none "
             "is left to the ministry's own rules below.", "",
             "| # | rule | from | to | what | action | why (control) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for n, rule in enumerate(rs.rules, 1):
        action = rule.action + (" + log" if rule.log else "")
        if rule.name not in enforced:
            action += f" (not enforced on {platform}, see limits)"
        lines.append(f"| {n} | {rule.name} | {_side(rs, rule.src_zones, rule.sources)} | "
                     f"{'the firewall itself' if rule.to_device else _side(rs, rule.dst_zones, rule.destinations)} | "
                     f"{_what(rs, rule)} | {action} | {rule.why} ({rule.control}) |")
    lines += ["", "## Limits on this platform", "", *(f"- {limit}" for limit in vendor(platform).LIMITS)]
    lines += ["", "## Advisory invariants", "", "| invariant | control | regions proven for every packet | result |",
              "| --- | --- | --- | --- |"]
    counts = Counter((r.invariant, r.control) for r in compiled.invariants)
    broken = Counter((r.invariant, r.control) for r in compiled.invariants if not r.ok)
    for (name, control), total in sorted(counts.items()):
        result = "ok" if not broken[(name, control)] else f"BROKEN ({broken[(name, control)]})"
        lines.append(f"| {name} | {control} | {total} | {result} |")
    return "\n".join(lines) + "\n"


def _side(rs: RuleSet, zones: tuple[str, ...], addresses: tuple[str, ...]) -> str:
    where = ", ".join(zones) if zones else "any zone"
    what = "; ".join(f"{a} ({', '.join(str(p) for p in rs.address(a).prefixes)})" for a in addresses)
    return f"{where}: {what or 'any address'}"


def _what(rs: RuleSet, rule: Rule) -> str:
    parts = []
    for name in rule.services:
        s = rs.service(name)
        parts.append(f"{s.protocol} {','.join(map(str, s.ports))}".strip() + f" ({name})")
    if rule.applications:
        parts.append("applications " + ", ".join(rule.applications))
    if rule.mac_mismatch:
        parts.append("a listed IP with another MAC")
    return "; ".join(parts) or "anything"
