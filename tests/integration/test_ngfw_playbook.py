"""playbooks/firewalls.yml on one lab firewall per platform: check run, first run, second run.

The check run changes nothing and shows the delta; the first run pushes it with a backup; the second
run reports no change and sends no configuration command. The ministry's own rules stay untouched.
"""

from __future__ import annotations

import pytest

from tests.integration.lab_firewalls_support import PLATFORMS, lab_device, running
from tests.integration.ngfw_support import (
    PASSWORDS,
    change_commands,
    log_length,
    recap,
    run_playbook,
    running_config,
    write_inventory,
)

pytestmark = pytest.mark.integration
UNMANAGED = {"fortios": ['set name "Ministry-Internet"', 'edit "Ministry-Printers"'],
             "panos": ["set rulebase security rules Ministry-Internet action allow",
                       "set address Ministry-Printers ip-netmask 10.20.200.0/24"],
             "asa": ["access-list Ministry-In extended permit tcp any any eq https",
                     "object network Ministry-Printers"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Check run, first run, second run against fresh devices; device configs and logs around each."""
    work = tmp_path_factory.mktemp("ngfw-playbook")
    devices = [lab_device(p) for p in PLATFORMS]
    state_dir = work / "state"
    inventory = write_inventory(work / "inventory", devices, state_dir)
    out = {"work": work, "devices": devices, "state_dir": state_dir}
    with running(devices, state_dir):
        out["initial"] = {d.platform: running_config(d, state_dir) for d in devices}
        for step, args in (("check", ("--check", "--diff")), ("first", ("--diff",)), ("second", ())):
            marks = {d.platform: log_length(state_dir, d) for d in devices}
            out[step] = run_playbook(inventory, work, *args)
            out[f"{step}-changes"] = {d.platform: change_commands(state_dir, d, marks[d.platform]) for d in devices}
            out[f"{step}-config"] = {d.platform: running_config(d, state_dir) for d in devices}
    return out


def test_check_run_shows_the_delta_and_changes_nothing(runs):
    result = runs["check"]
    assert result.returncode == 0, result.stdout[-3000:]
    assert "managed section (intended)" in result.stdout
    assert "+    edit \"EO-R1-MGMT-1-SRV\"" in result.stdout or "EO-R1-MGMT-1-SRV" in result.stdout
    assert runs["check-config"] == runs["initial"]
    assert all(not cmds for cmds in runs["check-changes"].values()), runs["check-changes"]


def test_first_run_changes_every_firewall_and_keeps_a_backup(runs):
    result = runs["first"]
    assert result.returncode == 0, result.stdout[-3000:]
    for device in runs["devices"]:
        assert recap(result.stdout)[device.name]["changed"] > 0
        assert runs["first-changes"][device.platform], f"{device.name}: nothing was sent"
        backups = list((runs["work"] / "backups" / "lab" / device.name).glob("*.conf"))
        assert len(backups) == 1
        assert backups[0].read_text().strip() == runs["initial"][device.platform].strip()
        assert "EO-R6-DENY-TO-EOFFICE" in runs["first-config"][device.platform]


def test_second_run_changes_nothing_and_sends_no_config_command(runs):
    result = runs["second"]
    assert result.returncode == 0, result.stdout[-3000:]
    for device in runs["devices"]:
        assert recap(result.stdout)[device.name]["changed"] == 0
        assert runs["second-changes"][device.platform] == []
    assert runs["second-config"] == runs["first-config"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_ministry_rules_are_still_there(runs, platform):
    for line in UNMANAGED[platform]:
        assert line in runs["initial"][platform]
        assert line in runs["second-config"][platform]


def test_passwords_never_appear_in_output_logs_or_backup_names(runs):
    work = runs["work"]
    texts = [runs[s].stdout + runs[s].stderr for s in ("check", "first", "second")]
    texts.append((work / "ansible.log").read_text())
    names = [str(p) for p in (work / "backups").rglob("*")]
    for password in PASSWORDS:
        assert not any(password in t for t in texts), f"{password} leaked into the output or log"
        assert not any(password in n for n in names)
