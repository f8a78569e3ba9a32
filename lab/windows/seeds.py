"""Starting states of lab Windows hosts: each one non-compliant in its own way.

A seed is the whole host state (``host.HostState`` reads and writes the same shape as JSON).
Times are relative to the moment the seed is made, so a freshly seeded host has, for example,
signatures exactly twelve days old. The lab's EDR agent ("Lab EDR", MSI on a lab share) is
documented in docs/lab.md.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

EDR_MSI = "\\\\labfs.lab.example\\software\\LabEDR-2.4.1-x64.msi"
EDR_PRODUCT_CODE = "{6F1C2A4E-3B5D-4C7A-9E11-0A2B3C4D5E6F}"
EDR_SERVICE = "LabEdrAgent"
EDR_STATUS_KEY = "HKLM:\\SOFTWARE\\LabEDR\\Agent"
EDR_ENROLMENT_PROPERTY = "ENROLLMENT_TOKEN"
EDR_TENANT_PROPERTY = "TENANT_ID"
OPENVPN_CODE = "{A5B0B5D1-4F0B-4E3E-8F4A-2B7E0C1D9A10}"
WIREGUARD_CODE = "{F6B1E2C3-1A2B-4C5D-8E9F-0A1B2C3D4E5F}"

BASE_POLICY = {
    "MinimumPasswordAge": 0, "MaximumPasswordAge": 42, "MinimumPasswordLength": 0, "PasswordComplexity": 0,
    "PasswordHistorySize": 0, "LockoutBadCount": 0, "ResetLockoutCount": 10, "LockoutDuration": 10,
    "RequireLogonToChangePassword": 0, "ForceLogoffWhenHourExpire": 0, "NewAdministratorName": '"Administrator"',
    "NewGuestName": '"Guest"', "ClearTextPassword": 0, "LSAAnonymousNameLookup": 0, "EnableAdminAccount": 1,
    "EnableGuestAccount": 0,
}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _adapter(index: int, name: str, description: str, driver: str, mac: str, ipv4: str | None = None,
             status: str = "Up", hardware: bool = True, **extra) -> dict:
    adapter = {"Name": name, "InterfaceDescription": description, "DriverDescription": driver, "ifIndex": index,
               "MacAddress": mac, "Status": status, "AdminStatus": "Down" if status == "Disabled" else "Up",
               "HardwareInterface": hardware, "ipv4": ipv4, "LinkSpeed": "1 Gbps" if hardware else "100 Gbps"}
    adapter.update(extra)
    return adapter


WAN_MINIPORTS = ("SSTP", "IKEv2", "L2TP", "PPTP", "PPPOE", "IP", "IPv6", "Network Monitor")


def _wan_miniports() -> list[dict]:
    """The hidden WAN Miniport adapters every Windows host has (Get-NetAdapter -IncludeHidden)."""
    return [_adapter(40 + index, f"WAN Miniport ({kind})", f"WAN Miniport ({kind})", f"WAN Miniport ({kind})", "",
                     status="Up" if kind in ("IP", "IPv6", "Network Monitor") else "Disconnected", hardware=False,
                     hidden=True, LinkSpeed="0 bps") for index, kind in enumerate(WAN_MINIPORTS)]


def _uninstall(name: str, version: str, publisher: str, code: str | None = None, msi: bool = True,
               uninstall: str | None = None) -> dict:
    return {"DisplayName": name, "DisplayVersion": version, "Publisher": publisher,
            "WindowsInstaller": 1 if msi else 0, "InstallDate": "20260901",
            "UninstallString": uninstall or (f"MsiExec.exe /X{code}" if msi
                                             else f"C:\\Program Files\\{name}\\uninstall.exe")}


def _service(name: str, display: str, status: str = "Running", start: str = "Automatic") -> dict:
    return {"Name": name, "DisplayName": display, "Status": status, "StartType": start}


def base(name: str, ipv4: str, now: datetime | None = None) -> dict:
    """A compliant-looking Windows 10 desktop with one Ethernet adapter; seeds make it non-compliant."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return {
        "simulator": "eoffice-guard lab Windows endpoint (a simulator, not Windows)",
        "computer": {"Name": name.upper()[:15], "Domain": "WORKGROUP", "PartOfDomain": False,
                     "Manufacturer": "eoffice-guard lab", "Model": "WinRM simulator (not Windows)"},
        "adapters": [_adapter(4, "Ethernet0", "Intel(R) Ethernet Connection (7) I219-LM", "Intel(R) Ethernet "
                              "Connection (7) I219-LM", "00-15-5D-0A-00-11", ipv4, management=True),
                     *_wan_miniports()],
        "vpn_connections": [],
        "uninstall": {"native": {"{90160000-008C-0000-1000-0000000FF1CE}": _uninstall(
            "Office 16 Click-to-Run Extensibility Component", "16.0.17928.20114", "Microsoft Corporation",
            "{90160000-008C-0000-1000-0000000FF1CE}")}, "wow64": {}},
        "registry": {},
        "security_policy": dict(BASE_POLICY),
        "defender": {"AMServiceEnabled": True, "AntivirusEnabled": True, "RealTimeProtectionEnabled": True,
                     "AntispywareEnabled": True, "AntivirusSignatureVersion": "1.421.310.0",
                     "AntivirusSignatureLastUpdated": _iso(now - timedelta(hours=3)),
                     "SignatureDefinitionUpdateFileSharesSources": "",
                     "sources": {"InternalDefinitionUpdateServer": {"reachable": True, "age_hours": 2,
                                                                    "version": "1.421.318.0"},
                                 "FileShares": {"reachable": True, "age_hours": 2, "version": "1.421.318.0"},
                                 "MicrosoftUpdateServer": {"reachable": False},
                                 "MMPC": {"reachable": False}}},
        "services": {s["Name"].lower(): s for s in (
            _service("WinRM", "Windows Remote Management (WS-Management)"),
            _service("WinDefend", "Microsoft Defender Antivirus Service"),
            _service("RasMan", "Remote Access Connection Manager", "Running", "Manual"),
            _service("wuauserv", "Windows Update", "Stopped", "Manual"))},
        "share": {EDR_MSI.lower(): {"Path": EDR_MSI, "ProductCode": EDR_PRODUCT_CODE, "DisplayName": "Lab EDR Agent",
                                    "DisplayVersion": "2.4.1", "Publisher": "eOffice Lab",
                                    "Service": EDR_SERVICE, "ServiceDisplayName": "Lab EDR Agent Service",
                                    "EnrolmentProperty": EDR_ENROLMENT_PROPERTY,
                                    "TenantProperty": EDR_TENANT_PROPERTY,
                                    "ValidTokens": ["lab-enrol-7f3a9c"]}},
        "files": {},
        "counters": {"next_if_index": 30},
    }


def _tap(index: int) -> dict:
    return _adapter(index, "Ethernet 2", "TAP-Windows Adapter V9", "TAP-Windows Adapter V9", "00-FF-3C-8A-11-02",
                    status="Disconnected")


def _wireguard(index: int) -> dict:
    return _adapter(index, "wg-home", "WireGuard Tunnel", "Wintun Userspace Tunnel", "", status="Up",
                    hardware=False)


def _ikev2_profile(all_users: bool = True) -> dict:
    return {"Name": "Ministry-VPN", "ServerAddress": "vpn.ministry.example", "TunnelType": "Ikev2",
            "AuthenticationMethod": ["MachineCertificate"], "EncryptionLevel": "Required", "SplitTunneling": False,
            "ConnectionStatus": "Disconnected", "AllUserConnection": all_users, "RememberCredential": False}


def _seed_tap_wireguard(state: dict, now: datetime) -> None:
    """Two rogue adapters, the approved IKEv2 profile, weak policy, stale signatures, no agent."""
    state["adapters"] += [_tap(11), _wireguard(12)]
    state["vpn_connections"].append(_ikev2_profile())
    state["uninstall"]["native"][OPENVPN_CODE] = _uninstall("OpenVPN 2.6.12-I001 amd64", "2.6.12", "OpenVPN, Inc.",
                                                           OPENVPN_CODE)
    state["uninstall"]["native"]["WireGuard"] = _uninstall("WireGuard", "0.5.3", "WireGuard LLC", msi=False)
    state["security_policy"].update({"MinimumPasswordLength": 7, "MaximumPasswordAge": 42})
    state["defender"]["AntivirusSignatureLastUpdated"] = _iso(now - timedelta(days=12))
    state["defender"]["AntivirusSignatureVersion"] = "1.419.102.0"


def _seed_wireguard_sstp(state: dict, now: datetime) -> None:
    """A WireGuard adapter, a per-user SSTP profile next to the approved IKEv2 one, weak password
    history and age, real-time protection off, signatures nine days old."""
    state["adapters"].append(_wireguard(14))
    state["vpn_connections"] += [_ikev2_profile(), {
        "Name": "Home-SSTP", "ServerAddress": "sstp.example.net", "TunnelType": "Sstp",
        "AuthenticationMethod": ["MSChapv2"], "EncryptionLevel": "Optional", "SplitTunneling": True,
        "ConnectionStatus": "Disconnected", "AllUserConnection": False, "RememberCredential": True}]
    state["uninstall"]["wow64"][WIREGUARD_CODE] = _uninstall("WireGuard", "0.5.3", "WireGuard LLC", WIREGUARD_CODE)
    state["security_policy"].update({"MinimumPasswordLength": 14, "PasswordComplexity": 1, "PasswordHistorySize": 0,
                                     "MaximumPasswordAge": 0})
    state["defender"].update({"RealTimeProtectionEnabled": False,
                              "AntivirusSignatureLastUpdated": _iso(now - timedelta(days=9)),
                              "AntivirusSignatureVersion": "1.419.260.0"})


def _seed_wireguard_profiles(state: dict, now: datetime) -> None:
    """``wireguard_sstp`` whose internal update source is itself stale: signatures stay old after an update."""
    _seed_wireguard_sstp(state, now)
    state["defender"]["sources"]["InternalDefinitionUpdateServer"] = {"reachable": True, "age_hours": 24 * 8,
                                                                      "version": "1.419.301.0"}
    state["defender"]["sources"]["FileShares"] = {"reachable": False}


def _seed_tap_lockout(state: dict, now: datetime) -> None:
    """A TAP adapter, no lockout policy, the agent's MSI installed but its service stopped and not enrolled."""
    state["adapters"].append(_tap(9))
    state["vpn_connections"].append(_ikev2_profile(all_users=False))
    state["security_policy"].update({"MinimumPasswordLength": 8, "PasswordComplexity": 1, "LockoutBadCount": 0,
                                     "PasswordHistorySize": 5, "MinimumPasswordAge": 0})
    state["defender"]["AntivirusSignatureLastUpdated"] = _iso(now - timedelta(days=3))
    msi = state["share"][EDR_MSI.lower()]
    state["uninstall"]["native"][EDR_PRODUCT_CODE] = _uninstall(msi["DisplayName"], msi["DisplayVersion"],
                                                                msi["Publisher"], EDR_PRODUCT_CODE)
    state["services"][EDR_SERVICE.lower()] = _service(EDR_SERVICE, msi["ServiceDisplayName"], "Stopped", "Manual")
    state["registry"][EDR_STATUS_KEY.lower()] = {"Path": EDR_STATUS_KEY, "values": {
        "EnrollmentState": 0, "TenantId": "", "Version": "2.4.1"}}


def _seed_domain_joined(state: dict, now: datetime) -> None:
    """A domain member: its account policy comes from the domain's GPO (Win32_ComputerSystem says so)."""
    state["computer"].update({"Domain": "ministry.example", "PartOfDomain": True})
    state["security_policy"].update({"MinimumPasswordLength": 12, "PasswordComplexity": 1, "PasswordHistorySize": 24,
                                     "LockoutBadCount": 10})


SEEDS = {
    "tap_wireguard": _seed_tap_wireguard,
    "wireguard_sstp": _seed_wireguard_sstp,
    "wireguard_profiles": _seed_wireguard_profiles,
    "tap_lockout": _seed_tap_lockout,
    "domain_joined": _seed_domain_joined,
    "plain": lambda state, now: None,
}


def make(seed: str, name: str, ipv4: str, now: datetime | None = None) -> dict:
    if seed not in SEEDS:
        raise ValueError(f"unknown seed {seed!r}; known: {', '.join(sorted(SEEDS))}")
    now = now or datetime.now(UTC).replace(tzinfo=None)
    state = base(name, ipv4, now)
    SEEDS[seed](state, now)
    state["seed"] = seed
    return copy.deepcopy(state)
