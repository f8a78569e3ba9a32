"""Shared fixtures: the converged hosts over `podman exec`, the scenario's lab services, and the
scenario's playbook run again after faults were made on every host at once (one run for all hosts,
since each run costs tens of seconds)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import testinfra
import yaml

SCENARIO = Path(__file__).resolve().parents[1]
PROJECT = SCENARIO.parents[1]
sys.path.insert(0, str(PROJECT))

from lab.endpoint_services.clamav_db import build_cud  # noqa: E402

CLAMAV_DB = "/var/lib/clamav/eoffice-lab.cud"
AGENT = "eoffice-edr-agent"


# Tests that break the hosts on purpose (and read what they saw from snapshots) run after all others.
FAULT_FIXTURES = {"drift_run", "outage_run", "deadline_story"}


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: bool(FAULT_FIXTURES & set(getattr(item, "fixturenames", ()))))


def flat(text: str) -> str:
    """Output with the callback's line wrapping and any colour codes undone."""
    return " ".join(re.sub(r"\x1b\[[0-9;]*m", "", text).split())


def hosts() -> list[str]:
    return [p["name"] for p in yaml.safe_load((SCENARIO / "molecule.yml").read_text())["platforms"]]


def podman_host(name: str):
    return testinfra.get_host(f"podman://{name}")


@pytest.fixture(scope="module")
def node(host):
    """Talk to the container with `podman exec` directly: Ansible per command is far slower."""
    return podman_host(host.backend.get_hostname())


@pytest.fixture(scope="module")
def name(host):
    return host.backend.get_hostname()


def services_state() -> Path:
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "lab"


def lab_services(command: str, *names: str) -> None:
    subprocess.run([sys.executable, "-m", "lab.endpoint_services", "--quiet", "--state-dir", str(services_state()),
                    command, *names], cwd=PROJECT, check=True, capture_output=True)


def converge(limit: str, *args: str) -> subprocess.CompletedProcess:
    """The scenario's converge playbook with the scenario's inventory and settings."""
    command = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "--limit", limit,
               str(SCENARIO / "converge.yml"), *args]
    env = {**os.environ, "ANSIBLE_CONFIG": str(PROJECT / "ansible.cfg"), "ANSIBLE_FORCE_COLOR": "0",
           "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False)


def fact(node, control: str) -> dict:
    return json.loads(node.file("/etc/ansible/facts.d/eoffice.fact").content_string)[control]


def plant_old_database(name: str, tmp: Path, days: int) -> None:
    """An older database of the same name, with an old file date too (freshclam asks If-Modified-Since)."""
    local = tmp / f"old-{name}.cud"
    local.write_bytes(build_cud("eoffice-lab", datetime.now(UTC) - timedelta(days=days), 1))
    node = podman_host(name)
    node.check_output("systemctl stop clamav-freshclam")
    subprocess.run(["podman", "cp", str(local), f"{name}:{CLAMAV_DB}"], check=True)
    node.check_output(f"chown clamav:clamav {CLAMAV_DB} && touch -d '{days} days ago' {CLAMAV_DB}")


def snapshot(name: str) -> dict:
    node = podman_host(name)
    return {
        "facts": json.loads(node.file("/etc/ansible/facts.d/eoffice.fact").content_string),
        "agent_running": node.service(AGENT).is_running,
        "agent_enabled": node.service(AGENT).is_enabled,
        "clamav_info": node.check_output(f"sigtool --info={CLAMAV_DB}"),
        "freshclam_log": node.check_output("cat /var/log/clamav/freshclam.log"),
        "freshclam_running": node.service("clamav-freshclam").is_running,
        "clamd_running": node.service("clamav-daemon").is_running,
    }


@pytest.fixture(scope="session")
def drift_run(tmp_path_factory):
    """Every host: signatures 5 days old, the agent stopped and disabled by hand; then one run.
    Returns the run's output and what each host looked like after it."""
    tmp = tmp_path_factory.mktemp("drift")
    for name in hosts():
        plant_old_database(name, tmp, 5)
        podman_host(name).check_output(f"systemctl disable --now {AGENT}")
    run = converge(",".join(hosts()), "--tags", "EO-END-1,EO-END-2")
    return run, {name: snapshot(name) for name in hosts()}


@pytest.fixture(scope="session")
def outage_run(drift_run, tmp_path_factory):
    """Every host: signatures 4 days old with the mirror down, enrolment lost and a wrong token; one run.
    Returns the run and the facts it left (the mirror is started again afterwards)."""
    tmp = tmp_path_factory.mktemp("outage")
    for name in hosts():
        plant_old_database(name, tmp, 4)
        podman_host(name).check_output("rm -f /var/lib/eoffice-edr-agent/enrolment.json")
    lab_services("down", "lab-clamav-mirror")
    try:
        run = converge(",".join(hosts()), "--tags", "EO-END-1,EO-END-2",
                       "-e", "edr_agent_enrolment_secret=not-the-lab-token")
    finally:
        lab_services("up", "lab-clamav-mirror")
    facts = {name: json.loads(podman_host(name).file("/etc/ansible/facts.d/eoffice.fact").content_string)
             for name in hosts()}
    return run, facts
