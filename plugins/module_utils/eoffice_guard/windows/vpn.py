"""EO-VPN-1 on Windows: VPN adapters disabled, VPN connection profiles removed, VPN software reported (and
uninstalled only behind the disruption gate), everything the policy's ``approved_vpns`` approves left alone."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .control import Plan

# What a VPN looks like on Windows, as data: InterfaceDescription / DriverDescription patterns
# (case-insensitive regular expressions). ``tunnel``: the RAS tunnel type a WAN Miniport carries, so the
# miniport of an approved VPN profile stays up.
ADAPTER_PATTERNS = (
    {"name": "TAP-Windows (OpenVPN, many consumer VPNs)", "pattern": r"TAP-Windows|TAP-Win32|\bTAP\b.*Adapter"},
    {"name": "Wintun / WireGuard", "pattern": r"Wintun|WireGuard"},
    {"name": "OpenVPN Data Channel Offload", "pattern": r"OpenVPN (Data Channel Offload|DCO)|ovpn-dco"},
    {"name": "WAN Miniport (PPTP)", "pattern": r"WAN Miniport \(PPTP\)", "tunnel": "Pptp"},
    {"name": "WAN Miniport (L2TP)", "pattern": r"WAN Miniport \(L2TP\)", "tunnel": "L2tp"},
    {"name": "WAN Miniport (SSTP)", "pattern": r"WAN Miniport \(SSTP\)", "tunnel": "Sstp"},
    {"name": "WAN Miniport (IKEv2)", "pattern": r"WAN Miniport \(IKEv2\)", "tunnel": "Ikev2"},
    {"name": "Fortinet SSL VPN / FortiClient", "pattern": r"Fortinet|FortiClient"},
    {"name": "Cisco AnyConnect / Secure Client", "pattern": r"AnyConnect|Cisco Secure Client"},
    {"name": "Palo Alto GlobalProtect", "pattern": r"PANGP|GlobalProtect"},
    {"name": "Check Point / Juniper / Pulse / SonicWall virtual adapters",
     "pattern": r"Check Point Virtual Network|Juniper Network Connect|Pulse Secure|Ivanti Secure|SonicWall"},
    {"name": "ZeroTier / Tailscale / Hamachi", "pattern": r"ZeroTier|Tailscale|Hamachi"},
)
SOFTWARE_PATTERNS = (
    r"OpenVPN", r"WireGuard", r"FortiClient", r"AnyConnect|Cisco Secure Client", r"GlobalProtect",
    r"NordVPN", r"ExpressVPN", r"ProtonVPN|Proton VPN", r"Surfshark", r"SoftEther", r"Hotspot Shield",
    r"Windscribe", r"TunnelBear", r"Psiphon", r"ZeroTier", r"Tailscale", r"Hamachi",
)
# RAS tunnel types and the policy's VPN protocols (schema.VPN_PROTOCOLS) they carry.
TUNNEL_PROTOCOLS = {"ikev2": "ipsec", "l2tp": "l2tp", "pptp": "pptp", "sstp": "sstp", "automatic": None}


@dataclass(frozen=True)
class Approved:
    name: str
    servers: tuple[str, ...]  # the peer address and the host names endpoints dial it by
    protocols: tuple[str, ...]
    expires: datetime.date


def approved_vpns(policy_vpns: list, today: datetime.date, servers: dict | None = None) -> list[Approved]:
    """The unexpired entries of the policy's ``approved_vpns`` (validated by the validate play), each with the
    server names endpoints may use for its peer (``servers``: approved VPN name -> host names)."""
    out = []
    servers = servers or {}
    for v in policy_vpns or []:
        expires = v["expires"]
        if not isinstance(expires, datetime.date):
            expires = datetime.date.fromisoformat(str(expires))
        if expires >= today:
            names = (str(v["peer"]), *(str(s) for s in servers.get(str(v["name"]), [])))
            out.append(Approved(str(v["name"]), tuple(n.lower() for n in names),
                                tuple(str(p) for p in v["protocols"]), expires))
    return out


def profile_approved(profile: dict, approved: list[Approved]) -> Approved | None:
    """A profile is approved when it dials an approved peer over one of that approval's protocols."""
    tunnel = str(profile.get("tunnel", "")).lower()
    for a in approved:
        if str(profile.get("server", "")).strip().lower() not in a.servers:
            continue
        protocol = TUNNEL_PROTOCOLS.get(tunnel, "?")
        if protocol is None or protocol in a.protocols:
            return a
    return None


class VpnAdapters:
    ID = "EO-VPN-1"
    SCRIPT = "vpn_apply.ps1"

    def __init__(self, *, policy_vpns: list, patterns: list, approved_adapters: list, software_patterns: list,
                 approved_software: list, uninstall_software: bool, today: datetime.date,
                 approved_servers: dict | None = None):
        self.approved = approved_vpns(policy_vpns, today, approved_servers)
        self.patterns = [(p["name"], re.compile(p["pattern"], re.I), str(p.get("tunnel") or "").lower())
                         for p in patterns]
        self.approved_adapters = [re.compile(p, re.I) for p in approved_adapters]
        self.software_patterns = [re.compile(p, re.I) for p in software_patterns]
        self.approved_software = [re.compile(p, re.I) for p in approved_software]
        self.uninstall_software = uninstall_software

    def _vpn_kind(self, adapter: dict) -> tuple[str, str] | None:
        text = f"{adapter.get('description', '')}\n{adapter.get('driver', '')}"
        for name, regex, tunnel in self.patterns:
            if regex.search(text):
                return name, tunnel
        return None

    def classify(self, state: dict) -> dict:
        """Every VPN-like thing on the host and the verdict on it."""
        management = {int(i) for i in state.get("management") or []}
        profiles = []
        for p in state.get("vpn_connections") or []:
            ok = profile_approved(p, self.approved)
            profiles.append({**p, "approved": ok.name if ok else ""})
        approved_tunnels = {str(p.get("tunnel", "")).lower() for p in profiles if p["approved"]}
        adapters = []
        for a in state.get("adapters") or []:
            kind = self._vpn_kind(a)
            if kind is None:
                continue
            verdict = "disable"
            if int(a.get("index", -1)) in management:
                verdict = "management (carries the WinRM session)"
            elif any(r.search(a.get("name", "")) or r.search(a.get("description", "")) for r in self.approved_adapters):
                verdict = "approved (role variable)"
            elif kind[1] and kind[1] in approved_tunnels:
                verdict = "approved (carries an approved VPN profile)"
            status = "Disabled" if str(a.get("admin_status", "")).lower() == "down" else a.get("status", "")
            adapters.append({"name": a.get("name", ""), "description": a.get("description", ""), "kind": kind[0],
                             "status": status, "verdict": verdict})
        software = []
        for s in state.get("software") or []:
            if not any(r.search(s.get("name", "")) for r in self.software_patterns):
                continue
            approved = any(r.search(s.get("name", "")) for r in self.approved_software)
            software.append({**s, "approved": approved})
        return {"adapters": adapters, "profiles": profiles, "software": software}

    @staticmethod
    def _is_disabled(adapter: dict) -> bool:
        return adapter["status"].lower() in ("disabled", "not present")

    def plan(self, state: dict) -> Plan:
        c = self.classify(state)
        disable = [a["name"] for a in c["adapters"] if a["verdict"] == "disable" and not self._is_disabled(a)]
        remove = [{"name": p["name"], "all_users": bool(p.get("all_users"))}
                  for p in c["profiles"] if not p["approved"]]
        unapproved = [s for s in c["software"] if not s["approved"]]
        uninstall = [s["key"] for s in unapproved if self.uninstall_software and s.get("msi")]
        findings = [f"VPN software installed: {s['name']} {s.get('version', '')}".rstrip()
                    + ("" if self.uninstall_software else " (left installed: the uninstall switch is off)")
                    + ("" if s.get("msi") or not self.uninstall_software
                       else " (not an MSI product: remove it by hand)")
                    for s in unapproved]
        actions = ([f"disable adapter {n}" for n in disable]
                   + [f"remove VPN connection {p['name']}" + (" (all users)" if p["all_users"] else "") for p in remove]
                   + [f"uninstall {s['name']} ({s['key']})" for s in unapproved if s["key"] in uninstall])
        before = {"adapters": {a["name"]: a["status"] for a in c["adapters"]},
                  "vpn_connections": sorted(p["name"] for p in c["profiles"]),
                  "vpn_software": sorted(s["name"] for s in c["software"])}
        after = {"adapters": {a["name"]: ("Disabled" if a["name"] in disable else a["status"]) for a in c["adapters"]},
                 "vpn_connections": sorted(p["name"] for p in c["profiles"] if p["approved"]),
                 "vpn_software": sorted(s["name"] for s in c["software"] if s["key"] not in uninstall)}
        params = {"disable": disable, "remove": remove, "uninstall": uninstall}
        return Plan(actions, params, findings, before, after)

    def problems(self, state: dict) -> list[str]:
        c = self.classify(state)
        out = [f"adapter {a['name']} ({a['kind']}) is {a['status']}" for a in c["adapters"]
               if a["verdict"] == "disable" and not self._is_disabled(a)]
        out += [f"VPN connection {p['name']} is not approved" for p in c["profiles"] if not p["approved"]]
        if self.uninstall_software:
            out += [f"VPN software {s['name']} is installed" + ("" if s.get("msi") else " (not an MSI product: "
                                                                   "remove it by hand or approve it)")
                    for s in c["software"] if not s["approved"]]
        return out
