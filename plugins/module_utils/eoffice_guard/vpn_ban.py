"""EO-VPN-1 / EO-VPN-2 on a Linux host: what VPN software, units, tunnels and profiles must go.

Pure planning, no I/O: the ``eoffice_vpn_ban`` module gathers what the host has (packages, units,
links from ``ip -d -j link``, NetworkManager keyfiles) and this decides what is approved, what is
banned and what an expired approval no longer covers.
"""

from __future__ import annotations

import configparser
import datetime
import fnmatch
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Software:
    """One VPN package, the protocol it speaks and the systemd units (globs) it brings."""

    package: str
    protocol: str
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Approval:
    """An approved VPN this host terminates (from the policy's ``approved_vpns``)."""

    name: str
    protocols: tuple[str, ...]
    expires: datetime.date
    approval_ref: str = ""
    adapters: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()

    def valid_on(self, today: datetime.date) -> bool:
        return today <= self.expires


@dataclass(frozen=True)
class Link:
    name: str
    kind: str  # linkinfo.info_kind, or its tun/tap type; "" for a plain device


@dataclass(frozen=True)
class Profile:
    """A NetworkManager connection profile read from its keyfile."""

    id: str
    type: str
    path: str


@dataclass
class Allowed:
    """What stays on the host: the software, units, adapters and profiles of valid approvals."""

    packages: set[str] = field(default_factory=set)
    adapters: list[re.Pattern] = field(default_factory=list)
    profiles: set[str] = field(default_factory=set)
    approvals: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)

    def adapter(self, name: str) -> bool:
        return any(p.fullmatch(name) for p in self.adapters)


def parse_date(value: object) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def approval_from(raw: dict) -> Approval:
    return Approval(
        name=str(raw["name"]),
        protocols=tuple(str(p) for p in raw.get("protocols") or ()),
        expires=parse_date(raw["expires"]),
        approval_ref=str(raw.get("approval_ref") or ""),
        adapters=tuple(str(a) for a in raw.get("adapters") or ()),
        profiles=tuple(str(p) for p in raw.get("profiles") or ()),
    )


def allowed(catalogue: list[Software], approvals: list[Approval], extra_packages: list[str],
            extra_adapters: list[str], today: datetime.date) -> Allowed:
    """An expired approval covers nothing: it is reported and its VPN is banned like any other."""
    out = Allowed(packages=set(extra_packages), adapters=[re.compile(a) for a in extra_adapters])
    for approval in sorted(approvals, key=lambda a: a.name):
        if not approval.valid_on(today):
            out.expired.append(f"{approval.name} ({approval.approval_ref or 'no reference'}) "
                               f"expired on {approval.expires.isoformat()}")
            continue
        out.approvals.append(approval.name)
        out.packages |= {s.package for s in catalogue if s.protocol in approval.protocols}
        out.adapters += [re.compile(a) for a in approval.adapters]
        out.profiles |= set(approval.profiles)
    return out


def banned_packages(catalogue: list[Software], installed: set[str], ok: Allowed) -> list[str]:
    return sorted(s.package for s in catalogue if s.package in installed and s.package not in ok.packages)


def unit_patterns(catalogue: list[Software], ok: Allowed) -> list[str]:
    """Unit globs of every banned package, installed or not: a unit file copied by hand counts too."""
    kept = {u for s in catalogue if s.package in ok.packages for u in s.units}
    return sorted({u for s in catalogue if s.package not in ok.packages for u in s.units} - kept)


def matching_units(units: list[str], patterns: list[str]) -> list[str]:
    return sorted(u for u in set(units) if any(fnmatch.fnmatchcase(u, p) for p in patterns))


def tunnels(links: list[Link], kinds: list[str], names: list[str], ok: Allowed) -> list[Link]:
    """Tunnel links by kind (a tun named eth9 is still a tunnel) or by name, minus approved adapters."""
    name_res = [re.compile(n) for n in names]
    found = [
        link for link in links
        if link.kind in kinds or any(r.fullmatch(link.name) for r in name_res)
    ]
    return sorted((link for link in found if not ok.adapter(link.name)), key=lambda link: link.name)


def links_from_ip(data: list[dict]) -> list[Link]:
    """``ip -d -j link`` output → links; tun and tap both have info_kind ``tun``: keep which."""
    out = []
    for entry in data:
        info = entry.get("linkinfo") or {}
        kind = str(info.get("info_kind") or "")
        if kind == "tun":
            kind = str((info.get("info_data") or {}).get("type") or "tun")
        out.append(Link(name=str(entry.get("ifname", "")), kind=kind))
    return out


def profile_from_keyfile(path: str, text: str) -> Profile | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None  # NetworkManager ignores a keyfile it cannot read; so do we
    if not parser.has_section("connection"):
        return None
    section = parser["connection"]
    return Profile(id=section.get("id", ""), type=section.get("type", ""), path=path)


def banned_profiles(profiles: list[Profile], types: list[str], ok: Allowed) -> list[Profile]:
    return sorted((p for p in profiles if p.type in types and p.id not in ok.profiles),
                  key=lambda p: p.path)

