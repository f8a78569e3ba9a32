"""Bad Windows settings stop the run on the controller, naming the file, the key path and what is valid; the
connection settings come from the inventory variables a ministry already has."""

from __future__ import annotations

import pytest

from eoffice_guard.windows.client import Target, WinRMError
from eoffice_guard.windows.runner import run
from eoffice_guard.windows.settings import ROLE_VARIABLES, check, check_profile

CANARY = "Canary-Pa55-i12cl"


def test_a_pattern_that_is_not_a_regex_and_a_short_password_are_refused():
    errors = dict(check({"extra_adapter_patterns": [{"name": "x", "pattern": "TAP(["}],
                         "approved_software": ["ok", "*bad"], "min_length": 8}, ROLE_VARIABLES))
    assert "not a valid regular expression" in errors["windows_endpoint_vpn_extra_adapter_patterns[0].pattern"]
    assert "windows_endpoint_vpn_approved_software[1]" in errors
    assert "minimum is 14" in errors["windows_endpoint_password_min_length"]


def test_a_module_names_its_own_argument():
    with pytest.raises(WinRMError) as err:
        run("win_password_policy", {"min_length": 10}, "pc1", {}, check=True)
    assert str(err.value).startswith("pc1: nothing was sent: min_length is 10; the advisory's minimum is 14")


def test_approved_servers_must_name_an_approved_vpn():
    errors = dict(check({"approved_servers": {"nitb-s2s": ["vpn.ministry.example"], "other": ["x;y"]},
                         "approved_vpns": [{"name": "nitb-s2s"}]}))
    assert set(errors) == {"approved_servers.other", "approved_servers.other[0]"}


def test_the_error_names_the_inventory_file_that_set_the_variable(tmp_path, monkeypatch):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "windows.yml").write_text("windows_endpoint_password_min_length: 8\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WinRMError) as err:
        run("win_endpoint_settings", {"settings": {"windows_endpoint_password_min_length": 8,
                                                   "windows_endpoint_edr_enabled": False}},
            "pc1", {"inventory_dir": str(tmp_path), "group_names": ["windows"]}, check=False)
    assert str(err.value) == ("pc1: nothing was contacted: group_vars/windows.yml: "
                              "windows_endpoint_password_min_length is 8; the advisory's minimum is 14 "
                              "(a ministry may ask more, not less)")


def test_an_edr_profile_with_hostile_values_is_refused():
    errors = dict(check_profile({"name": "x", "msi": "\\\\fs\\edr\\a.msi';calc", "product_code": "not-a-guid",
                                 "service": "svc$(x)", "properties": ['TOKEN="a" /x'], "enrolment_key": "HKCU:\\x"},
                                "p"))
    assert set(errors) == {"p.msi", "p.product_code", "p.service", "p.properties[0]", "p.enrolment_key",
                           "p.enrolment_value"}


def test_the_usual_inventory_variables_and_their_defaults():
    t = Target.from_hostvars("pc1", {"ansible_host": "10.20.1.15", "ansible_user": "eo", "ansible_password": CANARY})
    assert (t.url, t.transport, t.cert_validation) == ("https://10.20.1.15:5986/wsman", "ntlm", "validate")
    t = Target.from_hostvars("pc1", {"ansible_port": 5985, "ansible_user": "eo", "ansible_password": CANARY,
                                     "ansible_winrm_transport": ["ntlm"], "ansible_winrm_ca_trust_path": "/ca.pem"})
    assert (t.url, t.scheme, t.ca_trust_path) == ("http://pc1:5985/wsman", "http", "/ca.pem")
    assert CANARY not in repr(t)


@pytest.mark.parametrize(("extra", "message"), [
    ({"ansible_winrm_scheme": "http", "ansible_winrm_transport": "basic"}, "unencrypted"),
    ({"ansible_winrm_server_cert_validation": "off"}, "must be one of validate, ignore"),
    ({"ansible_winrm_transport": "telnet"}, "is not one of"),
])
def test_unsafe_or_unknown_connection_settings_are_refused(extra, message):
    with pytest.raises((WinRMError, ValueError)) as err:
        Target.from_hostvars("pc1", {"ansible_user": "eo", "ansible_password": CANARY} | extra)
    assert message in str(err.value) and CANARY not in str(err.value)


def test_scrub_hides_the_password_however_it_is_quoted():
    t = Target.from_hostvars("pc1", {"ansible_user": "eo", "ansible_password": "p'w\\d-" + CANARY})
    assert CANARY not in t.scrub(f"auth failed for {t.password!r} and {t.password}")


def test_the_winrm_connection_plugins_other_variable_names_work_too():
    t = Target.from_hostvars("pc1", {"ansible_winrm_host": "10.0.0.5", "ansible_winrm_user": "eo",
                                     "ansible_winrm_pass": CANARY, "ansible_winrm_port": 5985})
    assert (t.url, t.username, t.password) == ("http://10.0.0.5:5985/wsman", "eo", CANARY)
