"""Twenty lab firewalls (platforms rotating) converge in one run of playbooks/firewalls.yml with forks=10."""

from __future__ import annotations

import time

import pytest

from tests.integration.lab_firewalls_support import PLATFORMS, lab_device, running
from tests.integration.ngfw_support import recap, run_playbook, write_inventory

pytestmark = pytest.mark.integration
FLEET = 20


def test_twenty_firewalls_converge_in_one_run(tmp_path):
    devices = [lab_device(PLATFORMS[i % len(PLATFORMS)]) for i in range(FLEET)]
    inventory = write_inventory(tmp_path / "inventory", devices, tmp_path / "state")
    with running(devices, tmp_path / "state"):
        start = time.monotonic()
        result = run_playbook(inventory, tmp_path, "--forks", "10", timeout=600)
        elapsed = time.monotonic() - start
    counters = recap(result.stdout)
    assert result.returncode == 0, result.stdout[-4000:]
    assert sorted(counters) == sorted(d.name for d in devices)
    assert all(c["failed"] == 0 and c["unreachable"] == 0 and c["changed"] > 0 for c in counters.values())
    print(f"{FLEET} firewalls converged in {elapsed:.0f} s with forks=10")
