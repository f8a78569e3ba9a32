"""The Windows controls on 50 lab WinRM endpoints with forks=10: wall time, WinRM HTTP requests and PowerShell
invocations per host, for an audit run (check mode) and a converging run (figures, not a target).

The endpoints are simulators (docs/lab.md): the figures measure the client's round trips, not Windows' speed.
They run in a temporary state folder on ports 5800-5899, so a running lab is left alone. Run from the project
root: ``.venv/bin/python bench/bench_windows.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNT = int(os.environ.get("BENCH_WINDOWS_COUNT", "50"))
FORKS = 10
PORTS = {"EOFFICE_LAB_WINRM_HTTP_BASE_PORT": "5799", "EOFFICE_LAB_WINRM_HTTPS_BASE_PORT": "5849"}  # 5800-5899


def lab(state: Path, *args: str) -> str:
    env = os.environ | PORTS | {"EOFFICE_LAB_STATE": str(state)}
    return subprocess.run([sys.executable, "-m", "lab.windows", "--state-dir", str(state), *args], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True).stdout


def inventory(state: Path) -> Path:
    """The fleet's inventory as `python -m lab.windows inventory` writes it, with the lab policy."""
    directory = state / "inventory"
    (directory / "group_vars" / "all").mkdir(parents=True)
    shutil.copy(ROOT / "inventories/lab/group_vars/all/eoffice.yml", directory / "group_vars/all/eoffice.yml")
    (directory / "windows.yml").write_text(lab(state, "inventory", "--count", str(COUNT)))
    return directory


def counters(state: Path) -> dict[str, dict]:
    from lab.windows.fleet import fleet
    from lab.windows.process import Endpoint

    return {name: Endpoint(name, state, None, None).stats() for name in fleet(COUNT)}


def playbook(state: Path, inv: Path, *extra: str) -> tuple[float, int, list[str]]:
    env = os.environ | PORTS | {"EOFFICE_LAB_STATE": str(state), "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
                                "ANSIBLE_FORKS": str(FORKS), "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(state / "facts")}
    started = time.perf_counter()
    run = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inv),
                          "playbooks/endpoints.yml", *extra], cwd=ROOT, env=env, capture_output=True, text=True)
    lines = run.stdout.splitlines()
    failures = [f"{line.strip()} {lines[i + 2].strip() if i + 2 < len(lines) else ''}"
                for i, line in enumerate(lines) if line.startswith("fatal:")]
    return time.perf_counter() - started, run.returncode, failures


def per_host(before: dict, after: dict, key: str) -> tuple[float, int, int]:
    values = [after[h].get(key, 0) - before[h].get(key, 0) for h in after]
    return sum(values) / len(values), min(values), max(values)


def measure(state: Path, inv: Path, label: str, *extra: str) -> None:
    before = counters(state)
    seconds, code, failures = playbook(state, inv, *extra)
    after = counters(state)
    req = per_host(before, after, "http_requests")
    inv_ = per_host(before, after, "powershell_invocations")
    print(f"{label:<16} {COUNT} hosts forks={FORKS}: {seconds:6.1f} s wall (rc={code}); per host: "
          f"{req[0]:.1f} WinRM HTTP requests (min {req[1]}, max {req[2]}), "
          f"{inv_[0]:.1f} PowerShell invocations (min {inv_[1]}, max {inv_[2]})")
    for line in failures[:6]:
        print(f"    {line}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-windows-") as tmp:
        state = Path(tmp)
        try:
            lab(state, "up", "--count", str(COUNT))
            inv = inventory(state)
            measure(state, inv, "audit (--check)", "--check")
            measure(state, inv, "converge")
            measure(state, inv, "converge again")
        finally:
            lab(state, "down", "--count", str(COUNT))
    print("(the lab endpoints are WinRM simulators: the figures count the client's round trips, not Windows' speed)")


if __name__ == "__main__":
    main()
