"""A one-rule change on a 1,000-rule policy: our delta push against a full replace of the managed section.

Per platform (one lab firewall each, on free ports in a temporary state folder, next to any running
lab): the device starts with the managed rules of a policy of about 1,000 rules already in place
(written as its saved config, so the setup costs no push); then one egress rule changes its service and
we time (a) the minimal delta and (b) deleting and re-sending the whole managed section. Figures, not
pass/fail. ``EOFFICE_BENCH_RULES`` changes the size. Run from the project root:
``.venv/bin/python bench/bench_ngfw_push.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins/module_utils")]

import yaml  # noqa: E402
from netmiko import ConnectHandler  # noqa: E402

from eoffice_guard.compiler import compile_for  # noqa: E402
from eoffice_guard.delivery.drivers import driver  # noqa: E402
from eoffice_guard.delivery.session import Device, deliver  # noqa: E402
from eoffice_guard.policy import validate_policy  # noqa: E402
from lab.firewalls import asa_config, fortios_config, panos, process  # noqa: E402
from lab.firewalls.fleet import Device as LabDevice  # noqa: E402
from tests.integration.lab_firewalls_support import free_port  # noqa: E402

RULES = int(os.environ.get("EOFFICE_BENCH_RULES", "1000"))
PLATFORMS = ("fortios", "panos", "asa")
BASE_RULES = 13  # the lab policy's own managed rules


def policy(rules: int, changed: bool = False):
    data = yaml.safe_load((ROOT / "inventories/lab/group_vars/all/eoffice.yml").read_text())["eoffice"]
    for i in range(max(rules - BASE_RULES, 1)):
        data["networks"][f"bench-{i}"] = [f"10.{100 + i // 250}.{i % 250}.0/24"]
        port = 26 if changed and i == 0 else 25  # the one rule that changes
        data["eoffice_egress"].append({"network": f"bench-{i}", "services": [{"protocol": "tcp", "ports": [port]}]})
    return validate_policy(data, "bench")


def seed(platform: str, text: str) -> str:
    """The device's saved config: the managed section first (above the ministry's rules), then the rest."""
    body = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", "!"))]
    if platform == "fortios":
        return "\n".join(body) + "\n" + fortios_config.INITIAL_CONFIG
    if platform == "panos":
        return "\n".join(body) + "\n" + panos.INITIAL_CONFIG
    initial = asa_config.INITIAL_CONFIG.replace(": end", "")
    return initial + "\n".join(body) + "\n: end\n"


def full_replace(drv, running: str, intended: str) -> list[str]:
    """Delete every managed entry, then send the whole managed section (and put it back on top)."""
    have, want = drv.current(running, intended), drv.target(intended, running)
    nothing = drv.current("", intended)
    nothing.order = [n for n in getattr(have, "order", []) if not n.startswith("EO-")]
    if hasattr(nothing, "ids"):
        nothing.ids = {n: k for n, k in have.ids.items() if not n.startswith("EO-")}
    return drv.plan(have, nothing).commands + drv.plan(nothing, want).commands


def timed_push(target: Device, commands: list[str]) -> float:
    drv = driver(target.platform)
    start = time.monotonic()
    with ConnectHandler(**target.params()) as conn:
        drv.prepare(conn)
        drv.begin(conn)
        drv.send(conn, commands, 3600)
        drv.commit(conn, 3600)
    return time.monotonic() - start


def run(platform: str, texts: dict, state_dir: Path) -> dict:
    lab = LabDevice(name=f"bench-{platform}-{free_port()}", platform=platform, port=free_port())
    folder = process.device_dir(state_dir, lab.name)
    folder.mkdir(parents=True)
    (folder / "saved-config.txt").write_text(seed(platform, texts["base"]))
    target = Device(lab.address, lab.port, lab.username, lab.password, platform, lab.secret,
                    known_hosts=str(process.known_hosts_file(state_dir)))
    process.start([lab], state_dir)
    try:
        deliver(target, texts["base"], check=False, backup_dir=None, name=lab.name, ministry="bench")
        start = time.monotonic()
        delta = deliver(target, texts["changed"], check=False, backup_dir=None, name=lab.name, ministry="bench")
        delta_time = time.monotonic() - start
        drv = driver(platform)
        with ConnectHandler(**target.params()) as conn:
            drv.prepare(conn)
            running = drv.read(conn, 600)
        full = full_replace(drv, running, texts["base"])
        full_time = timed_push(target, full)
    finally:
        process.stop(lab.name, state_dir)
    return {"delta_lines": delta.sent, "delta_s": delta_time, "full_lines": len(full), "full_s": full_time}


def main() -> None:
    base, changed = policy(RULES), policy(RULES, changed=True)
    texts = {p: {"base": compile_for(base, p).text, "changed": compile_for(changed, p).text} for p in PLATFORMS}
    rules = len(compile_for(base, "panos").ruleset.rules)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(len(PLATFORMS)) as pool:
        results = {p: pool.submit(run, p, texts[p], Path(tmp)) for p in PLATFORMS}
        results = {p: f.result() for p, f in results.items()}
    print(f"one-rule change on a {rules}-rule policy (lab simulators, all three platforms at once)")
    print(f"{'platform':<9} {'delta lines':>11} {'delta s':>8} {'full lines':>10} {'full s':>8}")
    for p, r in results.items():
        print(f"{p:<9} {r['delta_lines']:>11} {r['delta_s']:>8.1f} {r['full_lines']:>10} {r['full_s']:>8.1f}")


if __name__ == "__main__":
    main()
