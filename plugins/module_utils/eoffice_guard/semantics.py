"""Checks across keys of a well-typed policy: duplicates, zones per platform, approved vs blocked overlaps.

Runs on the policy in file order, so the key paths it reports point at the entry an operator wrote.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from .schema import Checker

if TYPE_CHECKING:
    from .policy import Policy

P = "eoffice"


def check_semantics(c: Checker, policy: Policy, today: datetime.date) -> None:
    _zone_platforms(c, policy)
    _blocked_zones(c, policy)
    _approved_overlaps(c, policy)
    _duplicates(c, [(f"{P}.approved_networks[{i}]", (r.network, r.zone))
                    for i, r in enumerate(policy.approved_networks)], "approved network")
    _bindings(c, policy)
    _vpns(c, policy, today)


def _zone_platforms(c: Checker, policy: Policy) -> None:
    """Every zone names the same platforms: a firewall of any of them can then render every rule."""
    used = sorted({p for z in policy.zones for p, _ in z.interfaces})
    for zone in policy.zones:
        named = {p for p, _ in zone.interfaces}
        for platform in used:
            if platform not in named:
                c.error(f"{P}.zones.{zone.name}.{platform}",
                        f"missing: another zone names an interface for {platform}, so every zone must "
                        f"(platforms in use: {', '.join(used)})")
    for platform in used:
        seen: dict[str, str] = {}
        for zone in policy.zones:
            iface = dict(zone.interfaces).get(platform)
            if iface in seen:
                c.error(f"{P}.zones.{zone.name}.{platform}",
                        f"{iface!r} is already the {platform} interface of zone {seen[iface]}")
            elif iface:
                seen[iface] = zone.name


def _blocked_zones(c: Checker, policy: Policy) -> None:
    """EO-NET-1: nothing from the internet zone is approved, and e-Office never sits in it."""
    internet = policy.internet_zone
    hint = f"is the internet zone ({internet}); EO-NET-1 keeps e-Office off the internet"
    if policy.eoffice_servers.zone == internet:
        c.error(f"{P}.eoffice_servers.zone", hint)
    for i, ref in enumerate(policy.approved_networks):
        if ref.zone == internet:
            c.error(f"{P}.approved_networks[{i}].zone", hint)
    for i, m in enumerate(policy.management):
        if m.zone == internet:
            c.error(f"{P}.management[{i}].zone", hint)
    for i, e in enumerate(policy.eoffice_egress):
        if e.zone == internet:
            c.error(f"{P}.eoffice_egress[{i}].zone", hint)
        if any(p.prefixlen == 0 for p in policy.network(e.network).prefixes):
            c.error(f"{P}.eoffice_egress[{i}].network",
                    f"{e.network!r} holds a default route (0.0.0.0/0 or ::/0), a path to the internet; "
                    "name the internal destinations instead")


def _approved_overlaps(c: Checker, policy: Policy) -> None:
    """An approved or management network must not contain or overlap the e-Office servers themselves."""
    servers = policy.network(policy.eoffice_servers.network)
    for key, refs in (("approved_networks", policy.approved_networks), ("management", policy.management)):
        for i, ref in enumerate(refs):
            if policy.network(ref.network).overlaps(servers):
                c.error(f"{P}.{key}[{i}].network",
                        f"{ref.network!r} overlaps the e-Office servers' network {servers.name!r}; "
                        "an approved source must lie outside it")


def _bindings(c: Checker, policy: Policy) -> None:
    for i, b in enumerate(policy.device_bindings):
        nets = [r.network for r in policy.approved_networks if r.zone == b.zone]
        if not any(policy.network(n).contains(b.ip) for n in nets):
            c.error(f"{P}.device_bindings[{i}].ip",
                    f"{b.ip} is in no approved network of zone {b.zone!r} "
                    f"(approved there: {', '.join(nets) or 'none'})")
    _duplicates(c, [(f"{P}.device_bindings[{i}].ip", b.ip) for i, b in enumerate(policy.device_bindings)],
                "IP")
    _duplicates(c, [(f"{P}.device_bindings[{i}].mac", b.mac) for i, b in enumerate(policy.device_bindings)],
                "MAC")


def _vpns(c: Checker, policy: Policy, today: datetime.date) -> None:
    servers = policy.network(policy.eoffice_servers.network)
    for i, vpn in enumerate(policy.approved_vpns):
        if vpn.expires < today:
            c.error(f"{P}.approved_vpns[{i}].expires",
                    f"approval {vpn.approval_ref} expired on {vpn.expires.isoformat()} (today is "
                    f"{today.isoformat()}); renew it with a later date or remove the entry (EO-VPN-2)")
        if servers.contains(vpn.peer):
            c.error(f"{P}.approved_vpns[{i}].peer", f"{vpn.peer} is an e-Office server, not a VPN gateway")
    _duplicates(c, [(f"{P}.approved_vpns[{i}].name", v.name) for i, v in enumerate(policy.approved_vpns)],
                "VPN name")


def _duplicates(c: Checker, entries: list[tuple[str, object]], what: str) -> None:
    seen: dict[object, str] = {}
    for path, value in entries:
        if value in seen:
            c.error(path, f"duplicate {what} {value!s} (first at {seen[value]})")
        else:
            seen[value] = path
