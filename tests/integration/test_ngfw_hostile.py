"""The firewall path against the lab devices under hostile conditions (issue: the firewall path under
hostile input): bindings whose owners start alike, ministry names with spaces, the PAN-OS output
format, a device changed after approval, unknown and changed SSH host keys."""

from __future__ import annotations

import re
from pathlib import Path

import paramiko
import pytest
import yaml
from netmiko import ConnectHandler

from eoffice_guard.delivery.drivers import driver
from eoffice_guard.delivery.hostkeys import HostKeyError, fingerprint
from eoffice_guard.delivery.planning import UnreadableConfig
from eoffice_guard.delivery.session import Device, PlanChanged, deliver, gather
from eoffice_guard.policy import validate_policy
from eoffice_guard.registry import parse
from lab.firewalls.process import device_dir
from tests.integration.lab_firewalls_support import lab_device, running
from tests.integration.ngfw_support import intended, lab_policy_data, running_config, target

pytestmark = pytest.mark.integration
OWNERS = ("Registry workstation, 2nd floor - desk A", "Registry workstation, 2nd floor - desk B")


def similar_owners() -> dict:
    data = lab_policy_data()
    for binding, owner in zip(data["device_bindings"], OWNERS, strict=True):
        binding["owner"] = owner
    return data


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    state = tmp_path_factory.mktemp("ngfw-hostile")
    devices = {p: lab_device(p) for p in ("fortios", "panos")}
    with running(list(devices.values()), state):
        yield devices, state


def test_two_bindings_whose_owners_start_alike_both_reach_the_fortigate(lab):
    devices, state = lab
    fgt, data = devices["fortios"], similar_owners()
    policy = validate_policy(data, "lab")
    deliver(target(fgt, state), intended("fortios", data), check=False, backup_dir=None, name=fgt.name,
            ministry="lab")
    bound = {(b.ip, b.mac) for b in parse("fortios", running_config(fgt, state), policy.zones).ruleset.bindings}
    assert bound == {("10.20.1.15", "00:1a:2b:3c:4d:5e"), ("10.20.1.16", "00:1a:2b:3c:4d:5f")}
    again = deliver(target(fgt, state), intended("fortios", data), check=True, backup_dir=None, name=fgt.name,
                    ministry="lab")
    assert not again.changed, again.commands
    assert gather(target(fgt, state), policy)["broken"] == []


def test_panos_rules_move_above_a_ministry_rule_whose_name_has_a_space(lab):
    devices, state = lab
    pan = devices["panos"]
    before = running_config(pan, state)
    assert 'set rulebase security rules "Allow Internet" action allow' in before
    outcome = deliver(target(pan, state), intended("panos"), check=False, backup_dir=None, name=pan.name,
                      ministry="lab")
    assert any(c.endswith('before "Allow Internet"') for c in outcome.commands), outcome.commands
    after = running_config(pan, state)
    ministry = [line for line in before.splitlines() if '"Allow Internet"' in line or '"HQ printers"' in line]
    assert ministry and all(line in after.splitlines() for line in ministry), "the ministry's objects changed"
    assert not deliver(target(pan, state), intended("panos"), check=True, backup_dir=None, name=pan.name,
                       ministry="lab").changed


def test_a_panos_session_left_in_the_brace_format_is_not_read_as_an_empty_config(lab):
    devices, state = lab
    pan, drv = devices["panos"], driver("panos")
    with ConnectHandler(**target(pan, state).params()) as conn:
        with pytest.raises(UnreadableConfig, match="is the output format `set`"):
            drv.read(conn, 60)  # a login as netmiko leaves it: PAN-OS answers in its brace format
        drv.prepare(conn)
        assert "set rulebase security rules" in drv.read(conn, 60)


def test_a_device_changed_after_approval_is_not_changed_further(lab):
    devices, state = lab
    fgt = devices["fortios"]
    changed = lab_policy_data("10.0.60.0/29", "10.0.61.0/29")
    approved = deliver(target(fgt, state), intended("fortios", changed), check=True, backup_dir=None,
                       name=fgt.name, ministry="lab")
    assert approved.changed
    with ConnectHandler(**target(fgt, state).params()) as conn:  # another admin, meanwhile
        conn.send_config_set(["config firewall address", 'edit "EO-NET-nitb-monitoring-1"',
                              "set subnet 10.0.50.11 255.255.255.255", "next", "end"])
    meanwhile = running_config(fgt, state)
    with pytest.raises(PlanChanged, match=r"approved plan sha256 .* plan now .*nothing was sent") as info:
        deliver(target(fgt, state), intended("fortios", changed), check=False, backup_dir=None, name=fgt.name,
                ministry="lab", approved=approved.commands)
    assert "+" in str(info.value) and "-" in str(info.value)  # the difference is shown
    assert running_config(fgt, state) == meanwhile


def _logins(state: Path, name: str) -> int:
    return (device_dir(state, name) / "serve.log").read_text().count("login ")


def test_an_unknown_host_key_stops_before_any_login(lab, tmp_path):
    devices, state = lab
    fgt = devices["fortios"]
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    device = Device(fgt.address, fgt.port, fgt.username, fgt.password, "fortios", known_hosts=str(empty))
    logins = _logins(state, fgt.name)
    with pytest.raises(HostKeyError, match=rf"{fgt.address} port {fgt.port}: host key \S+ SHA256:\S+ is not in"):
        deliver(device, intended("fortios"), check=True, backup_dir=None, name=fgt.name, ministry="lab")
    assert _logins(state, fgt.name) == logins, "a login was attempted with an unknown host key"


def test_a_changed_host_key_stops_before_any_login(lab, tmp_path):
    devices, state = lab
    fgt = devices["fortios"]
    impostor = paramiko.ECDSAKey.generate()
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"[{fgt.address}]:{fgt.port} {impostor.get_name()} {impostor.get_base64()}\n")
    device = Device(fgt.address, fgt.port, fgt.username, fgt.password, "fortios", known_hosts=str(wrong))
    logins = _logins(state, fgt.name)
    with pytest.raises(HostKeyError, match=f"HOST KEY CHANGED.*expects .*{re.escape(fingerprint(impostor))}"):
        deliver(device, intended("fortios"), check=True, backup_dir=None, name=fgt.name, ministry="lab")
    assert _logins(state, fgt.name) == logins


def test_credentials_stay_out_of_a_devices_repr():
    device = Device("192.0.2.1", 22, "admin", "canary-password-1", "asa", "canary-secret-2")
    assert "canary" not in repr(device) and "canary" not in str(device)


def test_policy_file_loads_as_the_lab_policy():
    assert yaml.safe_load(Path("inventories/lab/group_vars/all/eoffice.yml").read_text())["eoffice"] == \
        lab_policy_data()
