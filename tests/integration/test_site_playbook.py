"""playbooks/site.yml against the lab (Debian hosts and firewalls): converges, then a re-run and a check run
change nothing."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAB = {"lab-debian12": "EO-ID-1", "lab-debian13": "EO-ID-1",
       "lab-fgt-01": "EO-NET-2", "lab-pan-02": "EO-NET-2", "lab-asa-03": "EO-NET-2"}
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def lab(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "lab", *args, "--devices", ",".join(LAB)],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=600,
    ).stdout


@pytest.fixture(scope="module")
def lab_hosts():
    """The lab's devices, running; stopped afterwards only if this test started them."""
    running = {line.split()[0] for line in lab("status").splitlines()[1:] if line.rstrip().endswith("running")}
    lab("up")
    yield LAB
    if not running.issuperset(LAB):
        lab("down")


def site(*extra: str) -> tuple[dict, str]:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", "inventories/lab", "playbooks/site.yml",
         "-e", "ngfw_policy_auto_approve=true", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    recap = {m[0]: {"ok": int(m[1]), "changed": int(m[2]), "unreachable": int(m[3]), "failed": int(m[4])}
             for m in RECAP.findall(result.stdout)}
    return recap, result.stdout


def test_site_converges_then_changes_nothing(lab_hosts):
    site()
    recap, output = site()
    for host, control in lab_hosts.items():
        assert recap[host]["changed"] == 0, f"{host} changed on the second run"
        assert re.search(rf"^{host}\s+{control}\s+compliant\s", output, re.M), f"summary row of {host} missing"

    recap, output = site("--check", "--diff")
    for host in lab_hosts:
        assert recap[host]["changed"] == 0, f"--check --diff reports changes on hardened {host}"
    assert "EOFFICE-GUARD SUMMARY" in output
