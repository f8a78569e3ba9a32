"""What a ministry runs, timed: ``compile_for`` per platform on a generated ministry policy of 500, 1,000
and 2,000 bound devices (200 approved networks, 50 management sources, 100 egress destinations; see
``bench/ministry.py``), validation and shadowing on the largest, and ``ngfw_policy``'s check run against
a lab firewall that already holds that policy (figures, not pass/fail).

Each measurement runs in a process of its own, so its peak resident memory is its own. The check run
does what the module does: validate, compile, then read the device, plan, run the anti-lockout guard
and the findings review, send nothing. Lab firewalls start on free ports in a temporary state folder,
next to any running lab. ``EOFFICE_BENCH_DEVICES=500,2000`` changes the sizes,
``EOFFICE_BENCH_NGFW=0`` skips the lab firewalls. Run from the project root:
``.venv/bin/python bench/bench_compile.py`` (``--profile <platform> <devices>`` shows where time goes).
"""

from __future__ import annotations

import cProfile
import datetime
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins/module_utils"), str(ROOT / "bench")]

PLATFORMS = ("fortios", "panos", "asa", "nftables")
NGFW_PLATFORMS = ("fortios", "panos", "asa")
SIZES = tuple(int(n) for n in os.environ.get("EOFFICE_BENCH_DEVICES", "500,1000,2000").split(","))
TARGET_SECONDS, TARGET_MB, TARGET_CHECKS = 5.0, 500, 1.0
CHILD_TIMEOUT = int(os.environ.get("EOFFICE_BENCH_TIMEOUT", "900"))
TODAY = datetime.date(2026, 11, 23)  # the generated approvals stay valid


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def policy(devices: int):
    import ministry

    from eoffice_guard.policy import validate_policy

    return validate_policy(ministry.ministry(devices), "bench", today=TODAY)


def measure_compile(platform: str, devices: int) -> dict:
    from eoffice_guard.compiler import compile_for

    p = policy(devices)
    start, cpu = time.perf_counter(), time.process_time()
    compiled = compile_for(p, platform)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "peak_mb": peak_mb(),
            "rules": len(compiled.ruleset.rules),
            "invariants": len(compiled.invariants), "bindings": len(p.device_bindings)}


def measure_checks(devices: int) -> dict:
    import ministry

    from eoffice_guard.ir import build_ir
    from eoffice_guard.policy import validate_policy
    from eoffice_guard.shadow import find_shadowed

    raw = ministry.ministry(devices)
    start = time.perf_counter()
    p = validate_policy(raw, "bench", today=TODAY)
    validated = time.perf_counter()
    rs = build_ir(p)
    start_shadow = time.perf_counter()
    find_shadowed(rs)
    return {"validate_s": validated - start, "shadow_s": time.perf_counter() - start_shadow, "peak_mb": peak_mb()}


def measure_ngfw(platform: str, devices: int) -> dict:
    """The check run of ngfw_policy against a lab firewall whose saved config holds the policy already."""
    import ministry
    from bench_ngfw_push import seed

    from eoffice_guard.compiler import compile_for
    from eoffice_guard.delivery.findings import findings
    from eoffice_guard.delivery.lockout import management_guard
    from eoffice_guard.delivery.session import Device, deliver
    from eoffice_guard.policy import validate_policy
    from lab.firewalls import process
    from lab.firewalls.fleet import Device as LabDevice
    from tests.integration.lab_firewalls_support import free_port

    raw = ministry.ministry(devices)
    text = compile_for(validate_policy(raw, "bench", today=TODAY), platform).text
    with tempfile.TemporaryDirectory() as tmp:
        lab = LabDevice(name=f"bench-{platform}-{free_port()}", platform=platform, port=free_port())
        folder = process.device_dir(Path(tmp), lab.name)
        folder.mkdir(parents=True)
        (folder / "saved-config.txt").write_text(seed(platform, text))
        target = Device(lab.address, lab.port, lab.username, lab.password, platform, lab.secret)
        process.start([lab], Path(tmp))
        try:
            deliver(target, text, check=False, backup_dir=None, name=lab.name, ministry="bench")  # in step
            start = time.perf_counter()
            p = validate_policy(raw, "bench", today=TODAY)
            intended = compile_for(p, platform).text
            outcome = deliver(target, intended, check=True, backup_dir=None, name=lab.name, ministry=p.ministry,
                              guard=management_guard(p, platform),
                              review=lambda running: findings(p, platform, running))
            seconds = time.perf_counter() - start
        finally:
            process.stop(lab.name, Path(tmp))
    return {"seconds": seconds, "changed": outcome.changed, "findings": len(outcome.findings), "peak_mb": peak_mb()}


def child(*args: str) -> dict:
    try:
        done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT, check=False, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"not finished in {CHILD_TIMEOUT} s"}
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:60]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def cell(r: dict) -> str:
    if "error" in r:
        return f"{r['error']:>26}"
    return f"{r['seconds']:6.2f} s {r['cpu']:6.2f} cpu {r['peak_mb']:4.0f} MB"


def report_compile() -> dict:
    results = {(n, p): child("compile", p, str(n)) for n in SIZES for p in PLATFORMS}
    sample = next((r for r in results.values() if "rules" in r), {})
    print(f"compile_for on a generated ministry policy ({sample.get('rules', '?')} managed rules): elapsed s, "
          "CPU s (what a loaded machine does not inflate), peak resident memory of the measuring process")
    print(f"{'devices':>7}  " + "".join(f"{p:>27}" for p in PLATFORMS) + f"{'all four':>22}")
    totals = {}
    for n in SIZES:
        row = [results[n, p] for p in PLATFORMS]
        done = all("seconds" in r for r in row)
        totals[n] = sum(r["seconds"] for r in row) if done else None
        cpu = sum(r["cpu"] for r in row) if done else 0
        total = f"{totals[n]:7.2f} s {cpu:6.2f} cpu" if done else f"{'-':>21}"
        print(f"{n:>7}  " + "".join(f"{cell(r):>27}" for r in row) + f" {total}")
    big = max(SIZES)
    row = [results[big, p] for p in PLATFORMS]
    if all("seconds" in r for r in row):
        peak = max(r["peak_mb"] for r in row)
        met = totals[big] < TARGET_SECONDS and peak < TARGET_MB
        print(f"{big} devices, all four platforms: {totals[big]:.2f} s (target {TARGET_SECONDS} s), peak {peak:.0f} MB "
              f"(target {TARGET_MB} MB): " + ("target met" if met else "TARGET MISSED"))
    small = min(SIZES)
    if totals.get(small) and totals.get(big) and big > small:
        print(f"growth {small} -> {big} devices: time x{totals[big] / totals[small]:.2f} for devices "
              f"x{big / small:.0f} (linear or better: ratio at most {big / small:.0f})")
    return results


def report_checks() -> None:
    big = max(SIZES)
    r = child("checks", str(big))
    if "error" in r:
        print(f"validation and shadowing, {big} devices: {r['error']}")
        return
    total = r["validate_s"] + r["shadow_s"]
    print(f"validation {r['validate_s']:.3f} s + find_shadowed {r['shadow_s']:.3f} s at {big} devices = {total:.3f} s "
          f"(target {TARGET_CHECKS} s): " + ("target met" if total < TARGET_CHECKS else "TARGET MISSED"))


def report_ngfw() -> None:
    big = max(SIZES)
    results = {p: child("ngfw", p, str(big)) for p in NGFW_PLATFORMS}
    print(f"ngfw_policy check run against a lab firewall holding the {big}-device policy "
          "(validate, compile, read, plan, anti-lockout guard, findings; nothing sent)")
    for p, r in results.items():
        if "error" in r:
            print(f"{p:<9} {r['error']}")
        else:
            state = "in step" if not r["changed"] else "CHANGES PLANNED"
            print(f"{p:<9} {r['seconds']:7.2f} s {r['peak_mb']:5.0f} MB  {state}, {r['findings']} finding(s)")


def profile(platform: str, devices: int) -> None:
    from eoffice_guard.compiler import compile_for

    p = policy(devices)
    prof = cProfile.Profile()
    prof.runcall(compile_for, p, platform)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(15)


def main() -> None:
    report_compile()
    report_checks()
    if os.environ.get("EOFFICE_BENCH_NGFW", "1") != "0":
        report_ngfw()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        kind, *rest = sys.argv[2:]
        if kind == "compile":
            print(json.dumps(measure_compile(rest[0], int(rest[1]))))
        elif kind == "checks":
            print(json.dumps(measure_checks(int(rest[0]))))
        else:
            print(json.dumps(measure_ngfw(rest[0], int(rest[1]))))
    elif sys.argv[1:2] == ["--profile"]:
        profile(sys.argv[2], int(sys.argv[3]))
    else:
        main()
