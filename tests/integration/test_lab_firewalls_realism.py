"""What real devices do and clients must cope with, over SSH with netmiko's own drivers: PAN-OS
brace output until a login asks for ``set`` commands, its error lines and quoted names, FortiOS
values that span lines, and host keys checked against the known-hosts file the lab writes."""

from __future__ import annotations

import shutil

import paramiko
import pytest
from netmiko.exceptions import ConfigInvalidException

from lab.firewalls import process
from tests.integration.lab_firewalls_support import (
    connect,
    known_hosts,
    lab_device,
    one_of_each_platform,
    running,
)

pytestmark = pytest.mark.integration
PANOS_ERRORS = r"Invalid syntax|Unknown command|failed|doesn't exist|cannot be deleted|not a valid reference"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    yield from one_of_each_platform(tmp_path_factory)


def test_panos_prints_braces_until_the_session_sets_the_format(lab):
    devices, state_dir = lab
    with connect(devices["panos"], known_hosts(state_dir)) as conn:
        braces = conn.send_command("show config running")
        assert braces.startswith("config {\n  devices {\n    localhost.localdomain {\n")
        assert '                "Allow Internet" {\n                  from trust;\n' in braces
        assert "set " not in braces
        conn.send_command("set cli config-output-format set")
        lines = conn.send_command("show config running").splitlines()
        assert 'set rulebase security rules "Allow Internet" source "HQ printers"' in lines
        conn.config_mode()
        conn.send_command("run set cli config-output-format default")
        assert conn.send_command("show address Ministry-Printers").startswith("Ministry-Printers {\n")
        conn.send_command("run set cli config-output-format set")
        assert conn.send_command("show address Ministry-Printers").startswith(
            "set address Ministry-Printers ip-netmask 10.20.200.0/24")
    with connect(devices["panos"]) as conn:
        assert conn.send_command("show config running") == braces, "a new login starts in braces"


def test_panos_names_with_spaces_and_error_lines(lab):
    devices, _ = lab
    with connect(devices["panos"]) as conn:
        conn.config_mode()
        conn.send_command("run set cli config-output-format set")

        def configure(*lines):
            return conn.send_config_set(list(lines), enter_config_mode=False, exit_config_mode=False,
                                        error_pattern=PANOS_ERRORS)

        configure("set rulebase security rules EO-R1 from trust", "set rulebase security rules EO-R1 to untrust",
                  'set rulebase security rules EO-R1 source "HQ printers"',
                  'move rulebase security rules EO-R1 before "Allow Internet"')
        rules = [line.split(" from ")[0][len("set rulebase security rules "):]
                 for line in conn.send_command("show rulebase security rules").splitlines() if " from " in line]
        assert rules == ["EO-R1", '"Allow Internet"', "Ministry-Internet"]
        for refused, answer in [("move rulebase security rules EO-R1 before Internet", "Move failed. Entry not found."),
                                ("delete address EO-NONE", "Delete failed. Object doesn't exist."),
                                ('delete address "HQ printers"', "address -> HQ printers  cannot be deleted "
                                 "because of references from:\nrulebase -> security -> rules -> EO-R1 -> source")]:
            output = conn.send_config_set([refused], enter_config_mode=False, exit_config_mode=False)
            assert answer in output, refused
            with pytest.raises(ConfigInvalidException):
                configure(refused)
        configure("set rulebase security rules EO-R1 destination EO-NOPE")
        with pytest.raises(ValueError, match="Commit failed"):
            conn.commit()
        conn.config_mode()
        assert "EO-R1 -> destination 'EO-NOPE' is not a valid reference" in conn.send_command("commit")
        configure("delete rulebase security rules EO-R1")
        assert "Configuration committed successfully" not in conn.send_command("commit"), "nothing to commit"


def test_fortios_certificates_span_lines_over_ssh(lab):
    devices, state_dir = lab
    device = devices["fortios"]
    with connect(device, known_hosts(state_dir)) as conn:
        shown = conn.send_command("show vpn certificate local")
        assert '        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----\n' in shown
        assert "\n-----END CERTIFICATE-----\"\n" in shown
        assert '        set comments "Ministry\'s own VPN certificate, not managed by eoffice-guard"\n' in shown
        key_line = shown.split("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")[1].splitlines()[0]
        # no prompt comes back while a quoted value is open, so the lines are not checked one by one
        output = conn.send_config_set(["config vpn certificate local", 'edit "EO-Test"', 'set comments "it\'s ours"',
                                       'set certificate "-----BEGIN CERTIFICATE-----', "MIIBfake",
                                       '-----END CERTIFICATE-----"', "next", "end"], cmd_verify=False)
        assert "Command fail" not in output
        entry = conn.send_command('show vpn certificate local "EO-Test"')
    assert entry == ('config vpn certificate local\n    edit "EO-Test"\n        set comments "it\'s ours"\n'
                     '        set certificate "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----"\n'
                     "    next\nend")
    log = process.log_file(state_dir, device.name).read_text()
    assert "MIIBfake" not in log and key_line not in log, "lines of a value spanning lines are not logged"


def test_known_hosts_lets_clients_verify_every_device(lab):
    devices, state_dir = lab
    path = known_hosts(state_dir)
    for device in devices.values():
        with connect(device, path) as conn:
            assert conn.find_prompt()
    client = paramiko.SSHClient()
    client.load_host_keys(str(path))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    device = devices["asa"]
    client.connect(device.address, device.port, device.username, device.password, look_for_keys=False,
                   allow_agent=False, timeout=10)
    client.close()


def test_a_changed_host_key_is_refused(tmp_path):
    device = lab_device("asa")
    with running([device], tmp_path):
        pass
    before = shutil.copy(known_hosts(tmp_path), tmp_path / "known_hosts.before")
    assert f"[127.0.0.1]:{device.port} ecdsa-sha2-nistp256 " in (tmp_path / "known_hosts.before").read_text()
    process.host_key_file(tmp_path, device.name).unlink()  # the device is reinstalled: a new key
    with running([device], tmp_path):
        client = paramiko.SSHClient()
        client.load_host_keys(before)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        with pytest.raises(paramiko.BadHostKeyException):
            client.connect(device.address, device.port, device.username, device.password, look_for_keys=False,
                           allow_agent=False, timeout=10)
        with pytest.raises(paramiko.SSHException, match="not found in known_hosts"):
            connect(device, tmp_path / "empty", conn_timeout=10)
        with connect(device, known_hosts(tmp_path)) as conn:
            assert conn.find_prompt() == "asa#", "the file now holds the new key"


def test_asa_remark_goes_to_the_line_it_names(lab):
    devices, _ = lab
    with connect(devices["asa"]) as conn:
        conn.send_config_set(["access-list EO-RM extended permit tcp any any eq 443",
                              "access-list EO-RM extended deny ip any any",
                              "access-list EO-RM line 2 remark EO-R9 deny the rest",
                              "access-list EO-RM line 1 remark EO-R1 https first"], error_pattern="ERROR")
        acl = conn.send_command("show running-config access-list EO-RM").splitlines()
    assert acl == ["access-list EO-RM remark EO-R1 https first",
                   "access-list EO-RM extended permit tcp any any eq https",
                   "access-list EO-RM remark EO-R9 deny the rest",
                   "access-list EO-RM extended deny ip any any"]
