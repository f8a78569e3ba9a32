"""Each Windows module against a lab WinRM endpoint through pywinrm: the first run changes, the second changes
nothing and sends no change command (the endpoint's command log says so), check mode with diff leaves the
endpoint's state byte-identical, and the approved and management adapters stay up."""

from __future__ import annotations

import pytest

from eoffice_guard.windows.client import WinRMError
from eoffice_guard.windows.runner import run
from tests.integration.win_support import LAB_EDR, endpoint, hostvars, module_args, state_bytes

pytestmark = pytest.mark.integration
MODULES = ("win_vpn_adapters", "win_password_policy", "win_defender", "win_edr_agent")


@pytest.mark.parametrize("module", MODULES)
def test_first_run_changes_second_run_sends_no_change(tmp_path, module):
    with endpoint(tmp_path, f"i12cl-{module[4:7]}") as ep:
        first = run(module, module_args(module), "pc1", hostvars(ep), check=False)
        assert first["changed"] and first["compliant"] and first["actions"], first
        assert first["invocations"] == 2  # one read, one apply (which reads its result back)
        changes = len(ep.changes())
        assert changes > 0
        second = run(module, module_args(module), "pc1", hostvars(ep), check=False)
        assert not second["changed"] and second["compliant"] and second["actions"] == []
        assert second["invocations"] == 1
        assert len(ep.changes()) == changes, ep.changes()[changes:]


def test_check_mode_with_diff_leaves_the_endpoint_byte_identical(tmp_path):
    with endpoint(tmp_path, "i12cl-check") as ep:
        before = state_bytes(ep)
        for module in MODULES:
            result = run(module, module_args(module), "pc1", hostvars(ep), check=True)
            assert result["changed"] and result["diff"]["before"] != result["diff"]["after"], module
        assert ep.changes() == []
        assert state_bytes(ep) == before


def test_the_approved_profile_its_miniport_and_the_management_adapter_stay_up(tmp_path):
    with endpoint(tmp_path, "i12cl-keep") as ep:
        result = run("win_vpn_adapters", module_args("win_vpn_adapters"), "pc1", hostvars(ep), check=False)
        assert "disable adapter Ethernet 2" in result["actions"] and "disable adapter wg-home" in result["actions"]
        adapters = {a["Name"]: a["Status"] for a in ep.state()["adapters"]}
        assert adapters["Ethernet0"] == "Up"  # carries the WinRM session
        assert adapters["WAN Miniport (IKEv2)"] != "Disabled"  # carries the approved Ministry-VPN profile
        assert adapters["Ethernet 2"] == adapters["wg-home"] == "Disabled"
        assert [p["Name"] for p in ep.state()["vpn_connections"]] == ["Ministry-VPN"]
        assert any("OpenVPN" in f for f in result["findings"])  # reported, not uninstalled (gate off)


def test_the_uninstall_gate_removes_msi_vpn_software_and_names_what_it_cannot(tmp_path):
    with endpoint(tmp_path, "i12cl-gate") as ep:
        args = module_args("win_vpn_adapters", uninstall_software=True)
        with pytest.raises(WinRMError) as err:  # WireGuard of this seed is no MSI product: not compliant, said so
            run("win_vpn_adapters", args, "pc1", hostvars(ep), check=False)
        text = str(err.value)
        assert "done: " in text and "uninstall {A5B0B5D1-4F0B-4E3E-8F4A-2B7E0C1D9A10}" in text
        assert "still wrong: VPN software WireGuard is installed (not an MSI product" in text
        names = [k["DisplayName"] for k in ep.state()["uninstall"]["native"].values()]
        assert not any("OpenVPN" in n for n in names)


def test_http_with_ntlm_message_encryption_reads_and_changes(tmp_path):
    with endpoint(tmp_path, "i12cl-ntlm", seed="tap_lockout") as ep:
        result = run("win_edr_agent", module_args("win_edr_agent"), "pc1", hostvars(ep, "http"), check=False)
        assert result["changed"] and result["compliant"]
        service = ep.state()["services"]["labedragent"]
        assert (service["Status"], service["StartType"]) == ("Running", "Automatic")


def test_an_audit_of_every_control_is_one_invocation(tmp_path):
    with endpoint(tmp_path, "i12cl-audit") as ep:
        audit = run("win_endpoint_audit", {"edr_profile": LAB_EDR, "command_timeout": 60}, "pc1", hostvars(ep),
                    check=True)
        for module in MODULES:
            result = run(module, module_args(module, gathered=audit["state"]), "pc1", hostvars(ep), check=True)
            assert result["changed"] and result["invocations"] == 0
        assert ep.stats()["powershell_invocations"] == 1


def test_signatures_that_stay_stale_after_the_update_are_not_compliant(tmp_path):
    with endpoint(tmp_path, "i12cl-stale", seed="wireguard_profiles") as ep:
        with pytest.raises(WinRMError) as err:
            run("win_defender", module_args("win_defender"), "pc1", hostvars(ep), check=False)
        text = str(err.value)
        assert text.startswith("pc1: EO-END-2 is not compliant") and "signatures are" in text and "\n" not in text
        assert "turn real-time protection on" in text  # what was done is said too


def test_certificate_validation_is_off_only_when_the_inventory_says_ignore(tmp_path):
    with endpoint(tmp_path, "i12cl-ign") as ep:
        untrusted = hostvars(ep)
        untrusted.pop("ansible_winrm_ca_trust_path")
        with pytest.raises(WinRMError):
            run("win_endpoint_audit", {"edr_profile": None, "command_timeout": 60}, "pc1", untrusted, check=True)
        ignored = untrusted | {"ansible_winrm_server_cert_validation": "ignore"}
        result = run("win_endpoint_audit", {"edr_profile": None, "command_timeout": 60}, "pc1", ignored, check=True)
        assert result["state"]["adapters"]


def test_a_domain_member_is_reported_with_what_was_found_and_not_changed(tmp_path):
    with endpoint(tmp_path, "i12cl-dom", seed="domain_joined") as ep:
        result = run("win_password_policy", module_args("win_password_policy"), "pc1", hostvars(ep), check=False)
        assert not result["changed"] and not result["compliant"] and ep.changes() == []
        assert "member of ministry.example" in result["findings"][0]
        assert "MinimumPasswordLength=12" in result["findings"][0]
        assert "MinimumPasswordLength is 12, the advisory asks at least 14" in result["problems"]
