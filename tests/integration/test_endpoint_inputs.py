"""Bad inputs of the endpoint roles stop playbooks/endpoints.yml on the controller, before any host is
contacted, with the inventory file and the key path (no lab needed: the hosts are never reached)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# any armoured public key block will do: the run must stop before the key is used
KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ0test\n-----END PGP PUBLIC KEY BLOCK-----\n"


@pytest.fixture
def inventory(tmp_path):
    inv = tmp_path / "ministry"
    shutil.copytree(ROOT / "inventories/lab", inv)
    return inv


def endpoints(inventory: Path, change: dict) -> subprocess.CompletedProcess:
    linux = inventory / "group_vars/linux.yml"
    values = yaml.safe_load(linux.read_text())
    values["edr_agent_profile"]["apt_repository"]["key"] = KEY
    values.update(change)
    linux.write_text(yaml.safe_dump(values, sort_keys=False))
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    return subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inventory), "playbooks/endpoints.yml"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_an_edr_profile_without_a_service_is_refused_with_file_and_key(inventory):
    profile = yaml.safe_load((inventory / "group_vars/linux.yml").read_text())["edr_agent_profile"]
    del profile["service"]
    run = endpoints(inventory, {"edr_agent_profile": profile})
    assert run.returncode != 0
    assert "group_vars/linux.yml: edr_agent_profile.service is missing" in run.stdout, run.stdout[-3000:]
    assert "Gathering Facts" not in run.stdout, "no host may be contacted"


def test_a_signature_threshold_of_zero_days_is_refused_with_file_and_key(inventory):
    run = endpoints(inventory, {"av_signatures_max_age_days": 0})
    assert run.returncode != 0
    assert "group_vars/linux.yml: av_signatures_max_age_days is 0; it must be a whole number of days, at least 1" \
        in " ".join(run.stdout.split()), run.stdout[-3000:]
    assert "Gathering Facts" not in run.stdout
