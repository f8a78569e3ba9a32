"""Each fault knob makes netmiko's real driver fail the way it fails against a misbehaving box."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from netmiko.exceptions import ConfigInvalidException, NetmikoAuthenticationException, ReadTimeout

from lab.firewalls.faults import FaultSettings
from tests.integration.lab_firewalls_support import PLATFORMS, connect, one_of_each_platform

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    yield from one_of_each_platform(tmp_path_factory, FaultSettings(refuse_logins=True))


def set_fault(state_dir, device, *options):
    """Change a running device's faults the way an operator does, through the command line."""
    command = [sys.executable, "-m", "lab.firewalls", "--state-dir", str(state_dir), "fault", device.name,
               "--clear", *options]
    subprocess.run(command, check=True, capture_output=True)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_refused_login_is_an_authentication_failure_until_cleared(lab, platform):
    devices, state_dir = lab
    with pytest.raises(NetmikoAuthenticationException):
        connect(devices[platform])
    set_fault(state_dir, devices[platform])
    with connect(devices[platform]) as conn:
        assert conn.find_prompt()


def test_dropped_connection_keeps_what_was_applied_before_the_drop(lab):
    devices, state_dir = lab
    device = devices["fortios"]
    set_fault(state_dir, device, "--drop-after", "4")
    change = ["config firewall address", "edit EO-KEPT", "set subnet 10.1.0.0/16", "next",
              "edit EO-LOST", "set subnet 10.2.0.0/16", "next", "end"]
    with connect(device) as conn:
        with pytest.raises(ReadTimeout):
            conn.send_config_set(change, read_timeout=3)
        with pytest.raises(OSError, match="Socket is closed"):
            conn.send_command("show firewall address")
    set_fault(state_dir, device)
    with connect(device) as conn:
        addresses = conn.send_command("show firewall address")
    assert 'edit "EO-KEPT"' in addresses
    assert "EO-LOST" not in addresses


@pytest.mark.parametrize("platform", ["fortios", "asa"])
def test_rejected_command_raises_config_invalid(lab, platform):
    devices, state_dir = lab
    device = devices[platform]
    set_fault(state_dir, device, "--reject", "EO-REJECTED")
    change = {"fortios": ["config firewall address", "edit EO-REJECTED", "end"],
              "asa": ["object network EO-REJECTED", "host 10.1.1.1"]}[platform]
    with connect(device) as conn, pytest.raises(ConfigInvalidException):
        conn.send_config_set(change, error_pattern=r"Command fail|% Invalid input")
    set_fault(state_dir, device)


def test_slow_commit_times_out_and_still_completes_on_the_device(lab):
    devices, state_dir = lab
    device = devices["panos"]
    set_fault(state_dir, device, "--commit-delay", "3")
    with connect(device) as conn:
        conn.config_mode()
        conn.send_config_set(["set address EO-SLOW ip-netmask 10.7.0.0/16"], enter_config_mode=False,
                             exit_config_mode=False)
        with pytest.raises(ReadTimeout):
            conn.commit(read_timeout=1)
        with connect(device) as other:
            during = other.send_command("show config running")
    set_fault(state_dir, device)
    assert "EO-SLOW" not in during, "another login is answered while the commit job runs"
    deadline = time.monotonic() + 15
    with connect(device) as conn:
        conn.send_command("set cli config-output-format set")
        while "EO-SLOW" not in conn.send_command("show config running") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "set address EO-SLOW ip-netmask 10.7.0.0/16" in conn.send_command("show config running")
