"""Pushing to one lab firewall per platform: the exact delta of a one-network change, and the three faults.

Each platform's scenario runs in its own thread (the devices are independent), so the slow PAN-OS
commits set the pace, not their sum. Every fault must leave the managed section either as it was or
as intended, never in between, fail with a message saying which, and leave the backup behind.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from eoffice_guard.delivery.drivers import driver
from eoffice_guard.delivery.session import DeliveryError, deliver
from lab.firewalls.faults import FaultSettings, write_faults
from lab.firewalls.process import device_dir
from tests.integration.lab_firewalls_support import PLATFORMS, lab_device, running
from tests.integration.ngfw_support import intended, lab_policy_data, running_config, target

pytestmark = pytest.mark.integration


def base_policy() -> dict:
    """The lab policy without device bindings: its approved network is then an object of its own."""
    data = lab_policy_data()
    data.pop("device_bindings")
    return data


def changed_policy() -> dict:
    """One approved network moved."""
    data = base_policy()
    data["networks"]["lab-hq-lan"] = ["10.30.0.0/16", "fd00:20::/48"]
    return data


def bigger_change() -> dict:
    """Two networks moved: a fault can fall between them."""
    data = changed_policy()
    data["networks"]["lab-core-services"] = ["10.0.61.0/29"]
    return data


EXACT = {
    "fortios": ["config firewall address", '    edit "EO-NET-lab-hq-lan-1"', "        set subnet 10.30.0.0 255.255.0.0",
                "    next", "end"],
    "panos": ["set address EO-NET-lab-hq-lan-1 ip-netmask 10.30.0.0/16"],
    "asa": ["object-group network EO-NET-lab-hq-lan", " network-object 10.30.0.0 255.255.0.0",
            " no network-object 10.20.0.0 255.255.0.0"],
}
#: one fault per kind; the drop falls inside the delta, the rejection hits its new network
FAULTS = {
    "drop": lambda platform: FaultSettings(drop_after={"fortios": 4, "panos": 1, "asa": 3}[platform]),
    "reject": lambda platform: FaultSettings(reject="10[.]30[.]0[.]0"),
    "slow commit": lambda platform: FaultSettings(commit_delay=4),
}


def managed(platform: str, text: str, policy: dict):
    drv = driver(platform)
    return drv.current(text, intended(platform, policy)).comparable()


def holds(platform: str, text: str, policy: dict) -> bool:
    """Whether the running config ``text`` holds exactly the managed rules of ``policy``."""
    drv, wanted = driver(platform), intended(platform, policy)
    return drv.plan(drv.current(text, wanted), drv.target(wanted, text)).empty


def push(lab, state_dir: Path, policy: dict, backups: Path, **options):
    return deliver(target(lab, state_dir), intended(lab.platform, policy), check=False, backup_dir=backups,
                   name=lab.name, ministry="lab", **options)


def clear_after_the_drop(lab, state_dir: Path) -> None:
    """A dropped connection is a moment, not a state: the knob is cleared once the device dropped one."""
    folder = device_dir(state_dir, lab.name)
    start = len((folder / "serve.log").read_text().splitlines())

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "dropping connection" in "".join((folder / "serve.log").read_text().splitlines()[start:]):
                write_faults(folder / "faults.json", FaultSettings())
                return
            time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()


def scenario(lab, state_dir: Path, backups: Path) -> dict:
    """Everything the tests look at, for one device."""
    out: dict = {"first": push(lab, state_dir, base_policy(), backups)}
    out["plan"] = deliver(target(lab, state_dir), intended(lab.platform, changed_policy()), check=True, backup_dir=None,
                          name=lab.name, ministry="lab")
    out["push"] = push(lab, state_dir, changed_policy(), backups)
    out["again"] = deliver(target(lab, state_dir), intended(lab.platform, changed_policy()), check=True,
                           backup_dir=None, name=lab.name, ministry="lab")
    push(lab, state_dir, base_policy(), backups)
    before = managed(lab.platform, running_config(lab, state_dir), base_policy())
    out["faults"] = {}
    for kind, fault in FAULTS.items():
        folder = backups / kind.replace(" ", "-")
        write_faults(device_dir(state_dir, lab.name) / "faults.json", fault(lab.platform))
        if kind == "drop":
            clear_after_the_drop(lab, state_dir)
        options = {"slow commit": {"commit_timeout": 1, "timeout": 1}, "drop": {"timeout": 5}}.get(kind, {})
        try:
            push(lab, state_dir, bigger_change(), folder, **options)
            error = None
        except DeliveryError as err:
            error = err
        write_faults(device_dir(state_dir, lab.name) / "faults.json", FaultSettings())
        config = running_config(lab, state_dir)
        now = ("before" if managed(lab.platform, config, base_policy()) == before else
               "intended" if holds(lab.platform, config, bigger_change()) else "in between")
        out["faults"][kind] = {"error": error, "now": now, "backups": list((folder / "lab" / lab.name).glob("*"))}
        if now != "before":
            push(lab, state_dir, base_policy(), backups)
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    work = tmp_path_factory.mktemp("ngfw-delivery")
    devices = [lab_device(p) for p in PLATFORMS]
    with running(devices, work / "state"), ThreadPoolExecutor(len(devices)) as pool:
        futures = {d.platform: pool.submit(scenario, d, work / "state", work / "backups") for d in devices}
        return {platform: f.result() for platform, f in futures.items()}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_changing_one_network_sends_only_its_lines(results, platform):
    r = results[platform]
    assert r["first"].changed
    assert r["plan"].commands == EXACT[platform]
    assert r["push"].changed and r["push"].sent == len(EXACT[platform])
    assert not r["again"].changed and r["again"].commands == []


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_fault_leaves_the_device_as_before_or_as_intended(results, platform, kind):
    f = results[platform]["faults"][kind]
    assert f["error"] is not None, "the push did not fail"
    message = str(f["error"])
    assert f["now"] == f["error"].state, message
    assert ("as before the change (verified)" in message) or ("holds the intended config (verified)" in message)
    assert len(f["backups"]) == 1 and str(f["backups"][0]) in message
