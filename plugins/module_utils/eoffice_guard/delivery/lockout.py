"""Anti-lockout: a change after which a ``management`` flow would be denied is refused before it is sent."""

from __future__ import annotations

from ..invariants import check_invariants
from ..registry import parse


class Lockout(RuntimeError):
    pass


def management_guard(policy, platform: str):
    """A guard for ``session.deliver``: reads the managed section the device would hold and checks management."""

    def guard(after_text: str) -> None:
        parsed = parse(platform, after_text, policy.zones)
        denied = [r for r in check_invariants(policy, parsed, platform, only="management") if not r.ok]
        if denied:
            raise Lockout("refused: after this change management would be locked out: "
                          + "; ".join(str(r) for r in denied) + "; nothing was sent")

    return guard
