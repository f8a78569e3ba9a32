"""playbooks/site.yml against the lab (Debian hosts, firewalls and Windows endpoints): converges, then a
re-run and a check run change nothing.

The lab firewalls and Windows endpoints run from a state folder of this test on ports of their own, with
an inventory generated for those ports, so a developer's running lab and other test runs are left alone.
"""

import os
import random
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAB = {"lab-debian12": "EO-ID-1", "lab-debian13": "EO-ID-1",
       "lab-fgt-01": "EO-NET-2", "lab-pan-02": "EO-NET-2", "lab-asa-03": "EO-NET-2",
       "lab-win-01": "EO-VPN-1", "lab-win-02": "EO-VPN-1", "lab-win-03": "EO-VPN-1"}
FIREWALLS = 3
# what the Linux hosts reach on the lab network (package repository, ClamAV mirror, EDR enrolment)
ENDPOINT_SERVICES = ("lab-apt-repo", "lab-clamav-mirror", "lab-edr-server")
WINDOWS = 3
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def free_base_port(count: int = FIREWALLS) -> int:
    """A base port whose next ``count`` ports are free (device n listens on base + n)."""
    rng = random.Random()
    for _ in range(50):
        base = rng.randrange(20000, 40000)
        try:
            for n in range(1, count + 1):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", base + n))
            return base
        except OSError:
            continue
    raise RuntimeError("no free port range for the lab firewalls")


def run(cmd: list[str], env: dict, timeout: int = 600) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(cmd[1:4])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def lab_env(tmp_path_factory):
    state = tmp_path_factory.mktemp("lab-state")
    return {**os.environ, "EOFFICE_LAB_STATE": str(state), "EOFFICE_LAB_FIREWALL_BASE_PORT": str(free_base_port()),
            "EOFFICE_LAB_WINRM_HTTP_BASE_PORT": str(free_base_port(WINDOWS)),
            "EOFFICE_LAB_WINRM_HTTPS_BASE_PORT": str(free_base_port(WINDOWS))}


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, lab_env):
    """inventories/lab with its firewalls and Windows files made for this test's ports."""
    inv = tmp_path_factory.mktemp("inventory") / "lab"
    shutil.copytree(ROOT / "inventories/lab", inv)
    firewalls = run([sys.executable, "-m", "lab.firewalls", "inventory", "--count", str(FIREWALLS)], lab_env)
    known_hosts = f"{lab_env['EOFFICE_LAB_STATE']}/known_hosts"  # the test's state folder, not the lab's
    (inv / "firewalls.yml").write_text(re.sub(r"ngfw_known_hosts: .*", f'ngfw_known_hosts: "{known_hosts}"', firewalls))
    windows = run([sys.executable, "-m", "lab.windows", "inventory", "--count", str(WINDOWS)], lab_env)
    (inv / "windows.yml").write_text(windows)
    return inv


@pytest.fixture(scope="module")
def lab_hosts(lab_env):
    """The lab's devices, running; afterwards it stops those this test started."""
    def lab(*args: str, devices=(*ENDPOINT_SERVICES, *LAB)) -> str:
        return run([sys.executable, "-m", "lab", *args, "--devices", ",".join(devices)], lab_env)

    running = {line.split()[0] for line in lab("status").splitlines()[1:] if line.rstrip().endswith("running")}
    lab("up")
    yield LAB
    started = [name for name in (*ENDPOINT_SERVICES, *LAB) if name not in running]
    if started:
        lab("down", devices=started)


def changed_tasks(output: str, host: str) -> list[str]:
    """The tasks that reported ``changed`` for ``host`` in a run's output."""
    task, found = "", []
    for line in output.splitlines():
        if line.startswith("TASK ["):
            task = line
        elif line.startswith(f"changed: [{host}]"):
            found.append(task)
    return found


def site(inventory: Path, env: dict, *extra: str) -> tuple[dict, str]:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inventory), "playbooks/site.yml",
         "-e", "ngfw_policy_auto_approve=true", "-e", f"ngfw_policy_backup_dir={inventory.parent}/backups",
         "-e", f"ngfw_policy_render_dest={inventory.parent}/rendered",
         "-e", f"ngfw_known_hosts={env['EOFFICE_LAB_STATE']}/known_hosts",
         *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    recap = {m[0]: {"ok": int(m[1]), "changed": int(m[2]), "unreachable": int(m[3]), "failed": int(m[4])}
             for m in RECAP.findall(result.stdout)}
    return recap, result.stdout


def test_site_converges_then_changes_nothing(lab_hosts, inventory, lab_env):
    recap, _ = site(inventory, lab_env)
    assert set(recap) - {"localhost"} == set(lab_hosts), "every lab device takes part"
    recap, output = site(inventory, lab_env)
    for host, control in lab_hosts.items():
        assert recap[host]["changed"] == 0, f"{host} changed on the second run: {changed_tasks(output, host)}"
        assert re.search(rf"^{host}\s+{control}\s+compliant\s", output, re.M), f"summary row of {host} missing"

    recap, output = site(inventory, lab_env, "--check", "--diff")
    for host in lab_hosts:
        assert recap[host]["changed"] == 0, f"--check --diff reports changes on hardened {host}"
    assert "EOFFICE-GUARD SUMMARY" in output
