"""netmiko's real drivers against the lab firewalls: push, save, reconnect, reboot, read back."""

from __future__ import annotations

import re
import shlex

import pytest

from lab.firewalls import process
from tests.integration.lab_firewalls_support import (
    connect,
    one_of_each_platform,
    restart,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    yield from one_of_each_platform(tmp_path_factory)


FORTIOS_CHANGE = [
    "config firewall address",
    'edit "EO-HQ"', "set subnet 10.20.0.0/16", "next",
    'edit "EO-SRV"', "set subnet 10.10.5.0 255.255.255.240", "next",
    "end",
    "config firewall addrgrp",
    'edit "EO-APPROVED"', 'set member "EO-HQ"', "next",
    "end",
]


def test_fortios_change_survives_reconnect_and_reboot(lab):
    devices, state_dir = lab
    device = devices["fortios"]
    with connect(device) as conn:
        assert conn.find_prompt() == "FGT #"
        assert 'edit "Ministry-Printers"' in conn.send_command("show firewall address")
        echoed = conn.send_config_set(FORTIOS_CHANGE, error_pattern="Command fail")
        assert "FGT (EO-HQ) #" in echoed
    host_keys = set()
    for attempt in ("reconnect", "reboot"):
        if attempt == "reboot":
            restart(device, state_dir)
        with connect(device) as conn:
            addresses = conn.send_command("show firewall address")
            groups = conn.send_command("show firewall addrgrp EO-APPROVED")
            host_keys.add(conn.remote_conn_pre.get_transport().get_remote_server_key().get_base64())
        assert '    edit "EO-HQ"\n' in addresses, attempt
        assert "        set subnet 10.20.0.0 255.255.0.0\n" in addresses, attempt
        assert "        set subnet 10.10.5.0 255.255.255.240\n" in addresses, attempt
        assert 'set subnet 10.20.200.0 255.255.255.0' in addresses, "ministry object untouched"
        assert '        set member "EO-HQ"\n' in groups, attempt
    assert len(host_keys) == 1, "the host key is kept across a reboot"


PANOS_CHANGE = [
    "set address EO-HQ ip-netmask 10.20.0.0/16",
    "set address EO-SRV ip-netmask 10.10.5.0/28",
    "set address-group EO-APPROVED static [ EO-HQ ]",
    "set service EO-https protocol tcp port 443",
    "set rulebase security rules EO-1 from trust",
    "set rulebase security rules EO-1 to servers",
    "set rulebase security rules EO-1 source EO-APPROVED",
    "set rulebase security rules EO-1 destination EO-SRV",
    "set rulebase security rules EO-1 service EO-https",
    "set rulebase security rules EO-1 application any",
    "set rulebase security rules EO-1 action allow",
    "move rulebase security rules EO-1 top",
]


def test_panos_commit_survives_reconnect_and_reboot_but_candidate_does_not(lab):
    devices, state_dir = lab
    device = devices["panos"]
    with connect(device) as conn:
        assert conn.find_prompt() == "admin@fw>"
        assert "Ministry-Internet" in conn.send_command("show config running")
        conn.send_config_set(PANOS_CHANGE, error_pattern="Invalid syntax|invalid")
        assert "EO-HQ" not in conn.send_command("show config running"), "candidate only until commit"
        assert "Configuration committed successfully" in conn.commit()
        conn.send_config_set(["set address EO-NOT-COMMITTED ip-netmask 10.99.0.0/16"])
    for attempt in ("reconnect", "reboot"):
        if attempt == "reboot":
            restart(device, state_dir)
        with connect(device) as conn:
            conn.send_command("set cli config-output-format set")  # each login starts in braces
            shown = conn.send_command("show config running")
            candidate = conn.send_command("show config candidate")
        assert "set address EO-HQ ip-netmask 10.20.0.0/16" in shown, attempt
        assert "set address-group EO-APPROVED static EO-HQ" in shown, attempt
        rules = [shlex.split(line)[4] for line in shown.splitlines() if line.startswith("set rulebase")]
        assert rules.index("EO-1") < rules.index("Allow Internet") < rules.index("Ministry-Internet"), attempt
        assert ("EO-NOT-COMMITTED" in candidate) == (attempt == "reconnect"), attempt


ASA_CHANGE = [
    "object network EO-HQ", "subnet 10.20.0.0 255.255.0.0",
    "object network EO-SRV", "host 10.10.5.5",
    "object-group service EO-SVC tcp", "port-object eq 443", "port-object eq 587",
    "access-list EO-IN extended permit tcp object EO-HQ object EO-SRV object-group EO-SVC log",
    "access-list EO-IN line 1 extended deny ip any object EO-SRV log",
    "access-group EO-IN in interface dmz",
]


def test_asa_saved_change_survives_reboot_and_unsaved_one_does_not(lab):
    devices, state_dir = lab
    device = devices["asa"]
    with connect(device) as conn:
        assert conn.find_prompt() == "asa#"
        assert "access-list Ministry-In" in conn.send_command("show running-config")
        conn.send_config_set(ASA_CHANGE, error_pattern="ERROR")
        assert "[OK]" in conn.save_config()
        conn.send_config_set(["access-list EO-IN extended deny ip any any log"], error_pattern="ERROR")
    expected = [
        "access-list EO-IN extended deny ip any object EO-SRV log",
        "access-list EO-IN extended permit tcp object EO-HQ object EO-SRV object-group EO-SVC log",
    ]
    with connect(device) as conn:
        acl = conn.send_command("show running-config access-list EO-IN").splitlines()
    assert acl == [*expected, "access-list EO-IN extended deny ip any any log"]
    restart(device, state_dir)
    with connect(device) as conn:
        acl = conn.send_command("show running-config access-list EO-IN").splitlines()
        objects = conn.send_command("show running-config object-group")
        group = conn.send_command("show running-config access-group")
    assert acl == expected, "the unsaved ACE is gone after the reboot"
    assert objects.splitlines() == [
        "object-group service EO-SVC tcp", " port-object eq https", " port-object eq 587",
    ]
    assert "access-group EO-IN in interface dmz" in group
    assert "access-group Ministry-In in interface inside" in group


def test_fortios_paging_is_off_for_netmiko_and_restored_after(lab):
    devices, state_dir = lab
    device = devices["fortios"]
    saved = process.device_dir(state_dir, device.name) / "saved-config.txt"
    with connect(device) as conn:
        conn.send_config_set(["config system console", "set output more", "end"])
    assert "set output" not in saved.read_text(), "more is the default, so show omits it"
    with connect(device) as conn:
        during = conn.send_command("get system console")
        assert "    set output standard\n" in saved.read_text()
    assert re.search(r"^output\s+: standard$", during, re.M), "netmiko switched paging off"
    assert "set output" not in saved.read_text(), "netmiko's cleanup put paging back"
