"""The delivery driver of each platform, selected by its key: callers never branch on vendor."""

from __future__ import annotations

from types import ModuleType

from . import asa, fortios, panos

DRIVERS: dict[str, ModuleType] = {m.PLATFORM: m for m in (asa, fortios, panos)}


class NoDriver(ValueError):
    pass


def driver(platform: str) -> ModuleType:
    try:
        return DRIVERS[platform]
    except KeyError:
        raise NoDriver(f"no delivery over SSH for platform {platform!r}; "
                       f"supported: {', '.join(sorted(DRIVERS))}") from None
