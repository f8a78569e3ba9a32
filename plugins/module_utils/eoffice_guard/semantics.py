"""Checks across keys: duplicates, zones per platform, approved vs blocked overlaps, public address space.

Runs on the draft policy in file order, so the key paths it reports point at the entry an operator
wrote. It also runs when the checks of single values found errors: an entry those checks refused
(an empty name, an unknown network) is skipped here, so every independent problem is reported at once.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from typing import TYPE_CHECKING

from .schema import Checker, Network

if TYPE_CHECKING:
    from .policy import Policy

P = "eoffice"
#: address space that is not the internet's: private, shared, loopback, link-local, multicast, reserved
NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8"))
#: the most public address space one list may cover in total (docs/policy.md): one /24, one /48
PUBLIC_LIMIT = {4: 2 ** 8, 6: 2 ** 80}
PUBLIC_LIMIT_TEXT = {4: "256 public IPv4 addresses (one /24)", 6: "one public IPv6 /48"}


def check_semantics(c: Checker, policy: Policy, today: datetime.date) -> None:
    _zone_platforms(c, policy)
    _blocked_zones(c, policy)
    _public_space(c, policy)
    _generated_names(c, policy)
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
        if any(p.prefixlen == 0 for p in _net(policy, e.network).prefixes):
            c.error(f"{P}.eoffice_egress[{i}].network",
                    f"{e.network!r} holds a default route (0.0.0.0/0 or ::/0), a path to the internet; "
                    "name the internal destinations instead")


def _approved_overlaps(c: Checker, policy: Policy) -> None:
    """An approved or management network must not contain or overlap the e-Office servers themselves."""
    servers = _net(policy, policy.eoffice_servers.network)
    for key, refs in (("approved_networks", policy.approved_networks), ("management", policy.management)):
        for i, ref in enumerate(refs):
            if _net(policy, ref.network).overlaps(servers):
                c.error(f"{P}.{key}[{i}].network",
                        f"{ref.network!r} overlaps the e-Office servers' network {servers.name!r}; "
                        "an approved source must lie outside it")


def _bindings(c: Checker, policy: Policy) -> None:
    for i, b in enumerate(policy.device_bindings):
        if not b.zone or not int(b.ip):
            continue  # refused above
        nets = [r.network for r in policy.approved_networks if r.zone == b.zone]
        if not all(_net(policy, n).prefixes for n in nets):
            continue  # a network of the zone was refused above: its prefixes are unknown
        if not any(_net(policy, n).contains(b.ip) for n in nets):
            c.error(f"{P}.device_bindings[{i}].ip",
                    f"{b.ip} is in no approved network of zone {b.zone!r} "
                    f"(approved there: {', '.join(nets) or 'none'})")
            continue
        edges = [(p.network_address, p.broadcast_address) for n in nets for p in _net(policy, n).prefixes
                 if p.version == 4 and b.ip in p and p.prefixlen < 31]
        if any(b.ip in edge for edge in edges):
            c.error(f"{P}.device_bindings[{i}].ip", f"{b.ip} is the network or broadcast address of its "
                                                    "approved network, never one device's")
    _duplicates(c, [(f"{P}.device_bindings[{i}].ip", b.ip) for i, b in enumerate(policy.device_bindings)
                    if int(b.ip)], "IP")
    _duplicates(c, [(f"{P}.device_bindings[{i}].mac", b.mac) for i, b in enumerate(policy.device_bindings)
                    if b.mac], "MAC")


def _vpns(c: Checker, policy: Policy, today: datetime.date) -> None:
    servers = _net(policy, policy.eoffice_servers.network)
    for i, vpn in enumerate(policy.approved_vpns):
        if datetime.date.min < vpn.expires < today:
            c.error(f"{P}.approved_vpns[{i}].expires",
                    f"approval {vpn.approval_ref} expired on {vpn.expires.isoformat()} (today is "
                    f"{today.isoformat()}); renew it with a later date or remove the entry (EO-VPN-2)")
        if int(vpn.peer) and servers.contains(vpn.peer):
            c.error(f"{P}.approved_vpns[{i}].peer", f"{vpn.peer} is an e-Office server, not a VPN gateway")
    _duplicates(c, [(f"{P}.approved_vpns[{i}].name", v.name) for i, v in enumerate(policy.approved_vpns)
                    if v.name], "VPN name")


def _public_space(c: Checker, policy: Policy) -> None:
    """EO-NET-1 as a union: public address space in a list of sources or destinations, beyond a size.

    Split into pieces (0.0.0.0/2, 64.0.0.0/2, ...) a default route still reaches the whole internet, so
    the sum over every entry of a list counts, not each prefix on its own.
    """
    for key, refs in (("eoffice_egress", policy.eoffice_egress), ("approved_networks", policy.approved_networks),
                      ("management", policy.management)):
        nets = [p for ref in refs for p in _net(policy, ref.network).prefixes]
        for version in (4, 6):
            public = public_addresses([p for p in nets if p.version == version])
            if public > PUBLIC_LIMIT[version]:
                size = f"{public} public IPv4 addresses" if version == 4 else \
                    f"a public IPv6 space of /{128 - (public.bit_length() - 1)} or more"
                c.error(f"{P}.{key}", f"together the networks of this list cover {size}, more than the "
                                      f"{PUBLIC_LIMIT_TEXT[version]} allowed: that is a path to the internet "
                                      "(EO-NET-1); name the internal destinations or the few public hosts instead")


def public_addresses(prefixes) -> int:
    """How many addresses of the union of ``prefixes`` (one family) lie outside NOT_PUBLIC."""
    total = 0
    for prefix in ipaddress.collapse_addresses(prefixes):
        hidden = sum(min(prefix.num_addresses, n.num_addresses) for n in NOT_PUBLIC
                     if n.version == prefix.version and n.overlaps(prefix))
        total += prefix.num_addresses - hidden
    return total


def _generated_names(c: Checker, policy: Policy) -> None:
    """Object names the renderers derive must not meet: network ``x`` with two prefixes writes members
    ``EO-NET-x-1`` and ``EO-NET-x-2``, which a network called ``x-1`` would also be named."""
    families = ([(f"{P}.networks.{n.name}", n.name) for n in policy.networks],
                [(f"{P}.zones.{z.name}", z.name) for z in policy.zones],
                [(f"{P}.approved_vpns[{i}].name", v.name) for i, v in enumerate(policy.approved_vpns) if v.name])
    for entries in families:
        names = {name for _, name in entries}
        for path, name in entries:
            bases = {m.group(1) for pattern in (r"(.+)-\d+", r"(.+)-6-\d+") if (m := re.fullmatch(pattern, name))}
            for base in sorted(bases & names):
                c.error(path, f"{name!r} would share a firewall object name with the members of {base!r} "
                              f"(EO-...-{base}-N); rename one of them")


def _net(policy: Policy, name: str) -> Network:
    """The named network, or an empty one when the name was refused earlier (already reported)."""
    return next((n for n in policy.networks if n.name == name), Network(name, ()))


def _duplicates(c: Checker, entries: list[tuple[str, object]], what: str) -> None:
    seen: dict[object, str] = {}
    for path, value in entries:
        if value in seen:
            c.error(path, f"duplicate {what} {value!s} (first at {seen[value]})")
        else:
            seen[value] = path
