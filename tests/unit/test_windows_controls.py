"""What each Windows control decides from a host's state as its audit script reports it: only what falls short
is changed, approved and management adapters are left alone, nothing is planned when compliant."""

from __future__ import annotations

import datetime

import pytest

from eoffice_guard.windows.defender import Defender, signature_age_hours
from eoffice_guard.windows.edr import EdrAgent
from eoffice_guard.windows.password import PasswordPolicy, parse_system_access
from eoffice_guard.windows.runner import password_control, vpn_control
from eoffice_guard.windows.specs import SPECS
from eoffice_guard.windows.vpn import ADAPTER_PATTERNS, SOFTWARE_PATTERNS

TODAY = datetime.date(2026, 11, 23)
APPROVED = [{"name": "nitb-s2s", "peer": "198.51.100.10", "protocols": ["ipsec"], "approval_ref": "NITB-VPN-2026-014",
             "expires": "2027-06-30"},
            {"name": "old", "peer": "203.0.113.9", "protocols": ["sstp"], "approval_ref": "X", "expires": "2026-01-01"}]


def adapter(index, name, description, status="Up"):
    return {"name": name, "description": description, "driver": description, "index": index, "status": status,
            "admin_status": "Up" if status == "Up" else "Down"}


def vpn(**over):
    args = {k: v.get("default") for k, v in SPECS["win_vpn_adapters"].items()} | {"approved_vpns": APPROVED} | over
    control = vpn_control(args)
    control.approved = [a for a in control.approved if a.expires >= TODAY]
    return control


STATE = {
    "management": [2],
    "adapters": [adapter(2, "Ethernet", "Intel(R) Ethernet Connection I219-LM"),
                 adapter(7, "TAP", "TAP-Windows Adapter V9"),
                 adapter(8, "wg0", "WireGuard Tunnel"),
                 adapter(9, "WAN Miniport (IKEv2)", "WAN Miniport (IKEv2)"),
                 adapter(10, "WAN Miniport (PPTP)", "WAN Miniport (PPTP)", "Disabled")],
    "vpn_connections": [{"name": "NITB", "server": "198.51.100.10", "tunnel": "Ikev2", "all_users": True},
                        {"name": "Home", "server": "203.0.113.50", "tunnel": "Pptp", "all_users": False},
                        {"name": "Expired", "server": "203.0.113.9", "tunnel": "Sstp", "all_users": True}],
    "software": [{"key": "{1A2B3C4D-0000-0000-0000-000000000001}", "name": "OpenVPN 2.6.12", "msi": True},
                 {"key": "Mozilla Firefox", "name": "Mozilla Firefox", "msi": False}],
}


def test_unapproved_adapters_and_profiles_are_planned_and_approved_ones_kept():
    plan = vpn().plan(STATE)
    assert plan.params["disable"] == ["TAP", "wg0"]  # IKEv2 miniport carries the approved profile; PPTP is off
    assert plan.params["remove"] == [{"name": "Home", "all_users": False}, {"name": "Expired", "all_users": True}]
    assert plan.params["uninstall"] == []  # the disruption gate is off by default
    assert plan.findings == ["VPN software installed: OpenVPN 2.6.12 (left installed: the uninstall switch is off)"]
    assert plan.after["adapters"] == {"TAP": "Disabled", "wg0": "Disabled", "WAN Miniport (IKEv2)": "Up",
                                      "WAN Miniport (PPTP)": "Disabled"}


def test_the_management_adapter_is_never_planned_even_when_it_looks_like_a_vpn():
    state = STATE | {"management": [7]}
    assert "TAP" not in vpn().plan(state).params["disable"]


def test_the_uninstall_gate_uninstalls_only_msi_products():
    plan = vpn(uninstall_software=True).plan(STATE)
    assert plan.params["uninstall"] == ["{1A2B3C4D-0000-0000-0000-000000000001}"]


def test_a_compliant_host_plans_nothing():
    state = STATE | {"adapters": [a | {"status": "Disabled"} if a["index"] in (7, 8) else a for a in STATE["adapters"]],
                     "vpn_connections": STATE["vpn_connections"][:1]}
    control = vpn()
    assert control.plan(state).actions == [] and control.problems(state) == []


def test_the_built_in_patterns_find_each_vpn_family():
    control = vpn()
    for text in ("TAP-Windows Adapter V9", "Wintun Userspace Tunnel", "OpenVPN Data Channel Offload",
                 "WAN Miniport (SSTP)", "Fortinet Virtual Ethernet Adapter (NDIS 6.30)",
                 "Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64",
                 "PANGP Virtual Ethernet Adapter"):
        assert control._vpn_kind({"description": text}), text
    assert control._vpn_kind({"description": "Intel(R) Wi-Fi 6 AX201 160MHz"}) is None
    assert len(ADAPTER_PATTERNS) >= 10 and len(SOFTWARE_PATTERNS) >= 10


SECEDIT = ["[Unicode]", "Unicode=yes", "[System Access]", "MinimumPasswordAge = 0", "MaximumPasswordAge = 42",
           "MinimumPasswordLength = 16", "PasswordComplexity = 0", "PasswordHistorySize = 0", "LockoutBadCount = 0",
           'NewAdministratorName = "Administrator"', "[Event Audit]", "AuditSystemEvents = 0"]


def password(**over):
    return password_control({k: v.get("default") for k, v in SPECS["win_password_policy"].items()} | over)


def test_secedit_export_is_read_by_section():
    assert parse_system_access(SECEDIT) == {"MinimumPasswordAge": 0, "MaximumPasswordAge": 42,
                                            "MinimumPasswordLength": 16, "PasswordComplexity": 0,
                                            "PasswordHistorySize": 0, "LockoutBadCount": 0}


def test_only_the_keys_that_fall_short_are_configured_and_stricter_ones_kept():
    plan = password().plan({"security_policy": SECEDIT, "computer": {"part_of_domain": False}})
    assert plan.params["settings"] == {"PasswordComplexity": 1, "PasswordHistorySize": 24, "MinimumPasswordAge": 1,
                                       "LockoutBadCount": 5, "LockoutDuration": 15, "ResetLockoutCount": 15}


def test_a_domain_member_is_reported_not_changed():
    plan = password().plan({"security_policy": SECEDIT, "computer": {"part_of_domain": True, "domain": "moitt.gov",
                                                                     "name": "PC1"}})
    assert plan.actions == [] and "Group Policy" in plan.findings[0] and "LockoutBadCount=0" in plan.findings[0]


def test_a_compliant_policy_plans_nothing():
    good = ["[System Access]", "MinimumPasswordLength = 14", "PasswordComplexity = 1", "PasswordHistorySize = 24",
            "MaximumPasswordAge = 60", "MinimumPasswordAge = 1", "LockoutBadCount = 3", "LockoutDuration = 30",
            "ResetLockoutCount = 15"]
    control = password()
    assert control.plan({"security_policy": good}).actions == [] and control.problems({"security_policy": good}) == []
    assert isinstance(control, PasswordPolicy)


def defender_state(realtime=True, updated="2026-11-23T00:00:00Z", now="2026-11-23T10:00:00Z"):
    return {"defender": {"realtime": realtime, "antivirus": True, "signature_updated": updated,
                         "signature_version": "1.421.0.0"}, "computer": {"now": now}}


def test_defender_age_is_measured_by_the_hosts_clock():
    assert signature_age_hours(defender_state()) == 10.0
    control = Defender(24, "FileShares", r"\\fs01\defender")
    assert control.plan(defender_state()).actions == []
    stale = defender_state(realtime=False, updated="2026-11-20T00:00:00Z")
    plan = control.plan(stale)
    assert plan.params == {"realtime": True, "update": True, "update_source": "FileShares",
                           "file_share": r"\\fs01\defender"}
    assert control.problems(stale) == ["real-time protection is off", "signatures are 82.0 h old (threshold 24 h)"]


PROFILE = {"name": "Lab EDR", "msi": r"\\fs01\edr\agent.msi", "product_code": "{5C4B2D4E-1A2B-4C3D-8E9F-0A1B2C3D4E5F}",
           "service": "LabEdrAgent", "properties": ["ENROLMENT_TOKEN=secret"],
           "enrolment_key": r"HKLM:\SOFTWARE\LabEdr",
           "enrolment_value": "AgentId"}


def test_edr_missing_agent_is_installed_and_a_stopped_one_started():
    control = EdrAgent(PROFILE)
    plan = control.plan({"software": [], "edr": {"service": None, "enrolled": False}})
    assert plan.params["install"] and plan.params["properties"] == ["ENROLMENT_TOKEN=secret"]
    assert "secret" not in " ".join(plan.actions)
    state = {"software": [{"key": PROFILE["product_code"].lower()}],
             "edr": {"service": {"status": "Stopped", "start_type": "Manual"}, "enrolled": True}}
    plan = control.plan(state)
    assert plan.actions == ["set the agent service to start automatically", "start the agent service"]
    assert not plan.params["install"]


@pytest.mark.parametrize("enrolled", [True, False])
def test_edr_compliance_needs_enrolment(enrolled):
    state = {"software": [{"key": PROFILE["product_code"]}],
             "edr": {"service": {"status": "Running", "start_type": "Automatic"}, "enrolled": enrolled}}
    control = EdrAgent(PROFILE)
    assert bool(control.problems(state)) is not enrolled
    plan = control.plan(state)
    if enrolled:
        assert plan.actions == []
    else:  # installed, not enrolled: a repair install with the enrolment properties
        assert plan.actions == [f"re-run the installer of Lab EDR from {PROFILE['msi']} with its enrolment properties"]
        assert plan.params["properties"] == ["REINSTALL=ALL", "REINSTALLMODE=vomus", "ENROLMENT_TOKEN=secret"]
