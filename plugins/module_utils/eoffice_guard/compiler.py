"""Policy in, reviewed text out: build the rule set, render, read back, prove the advisory invariants.

``compile_for(policy, platform)`` is what the render playbook calls per firewall; it refuses to return
text that does not read back to itself or that breaks an advisory invariant.
"""

from __future__ import annotations

from dataclasses import dataclass

from .common import ParsedConfig
from .invariants import InvariantResult, assert_invariants
from .ir import RuleSet, build_ir
from .policy import Policy, PolicyError
from .registry import VENDORS, parse, render


class RenderError(ValueError):
    """Rendered text that does not read back to the same text (a renderer or parser defect)."""


@dataclass(frozen=True)
class Compiled:
    platform: str
    text: str
    ruleset: RuleSet  # what the policy asks for
    parsed: ParsedConfig  # what the rendered text says, read back
    invariants: tuple[InvariantResult, ...]


def compile_for(policy: Policy, platform: str) -> Compiled:
    if platform not in policy.platforms:
        named = ", ".join(policy.platforms) or "none"
        raise PolicyError(policy.source, [(
            "eoffice.zones", f"no zone names an interface for platform {platform!r} (named: {named}); "
            f"add it to every zone (platforms: {', '.join(sorted(VENDORS))})")])
    ruleset = build_ir(policy)
    text = render(platform, ruleset)
    parsed = parse(platform, text, policy.zones)
    if render(platform, parsed.ruleset) != text:
        raise RenderError(f"{platform}: the rendered text does not read back to itself")
    results = assert_invariants(policy, parsed, platform)
    return Compiled(platform, text, ruleset, parsed, tuple(results))
