"""The platforms the compiler knows, selected by name: one vendor module each, no branching elsewhere."""

from __future__ import annotations

from types import ModuleType

from . import asa, fortios, nftables, panos
from .common import ParsedConfig
from .ir import RuleSet

VENDORS: dict[str, ModuleType] = {m.PLATFORM: m for m in (asa, fortios, nftables, panos)}


class UnknownPlatform(ValueError):
    pass


def vendor(platform: str) -> ModuleType:
    try:
        return VENDORS[platform]
    except KeyError:
        raise UnknownPlatform(f"unknown platform {platform!r}; known: {', '.join(sorted(VENDORS))}") from None


def render(platform: str, ruleset: RuleSet) -> str:
    """The rendered configuration text of ``ruleset`` for ``platform``: deterministic, comment header first."""
    return vendor(platform).render(ruleset)


def parse(platform: str, text: str, zones=()) -> ParsedConfig:
    """Read rendered (or running) config text back; ``zones`` (the policy's) maps interfaces to zone names."""
    return vendor(platform).parse(text, tuple(zones))
