"""Render time and peak memory of a synthetic policy (5,000 rules, 20,000 address objects), ours next to
Aerleon's on the same rules (figures, not pass/fail).

Each measurement runs in a process of its own, so its peak resident memory is its own: the process
builds the rule set (not timed), then renders one platform (timed). Aerleon is given the same rules
through ``tests/support/aerleon_bridge.py`` and timed on its definitions load plus generation.
Run from the project root: ``.venv/bin/python bench/bench_render.py`` (``--profile <platform>``
prints where our renderer spends its time).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins/module_utils"), str(ROOT / "bench")]

PLATFORMS = ("fortios", "panos", "asa", "nftables")
AERLEON = {"fortios": "fortigate", "panos": "paloalto", "asa": "ciscoasa", "nftables": "nftables"}
TARGET_SECONDS, TARGET_MB = 2.0, 500
CHILD_TIMEOUT = 900  # seconds one measurement may take before it is reported as not finished


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure(side: str, platform: str) -> dict:
    """Inside a child: build the rules, then time one render (ours) or one generation (Aerleon's)."""
    import synthetic

    rs = synthetic.ruleset()
    before = peak_mb()
    if side == "ours":
        from eoffice_guard.registry import render

        start = time.perf_counter()
        text = render(platform, rs)
    else:
        from aerleon import api

        from tests.support import aerleon_bridge as bridge

        policy = bridge.zone_pair_policy(rs, AERLEON[platform], platform) if platform in ("fortios", "panos") \
            else (bridge.asa_policy(rs) if platform == "asa" else bridge.nftables_policy(rs))
        start = time.perf_counter()
        (text,) = api.Generate([policy], bridge.definitions(rs)).values()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_mb(), "base_mb": before, "lines": text.count("\n"),
            "rules": len(rs.rules), "addresses": len(rs.addresses)}


def child(side: str, platform: str) -> dict:
    try:
        done = subprocess.run([sys.executable, __file__, "--child", side, platform], capture_output=True,
                              text=True, timeout=CHILD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"not finished in {CHILD_TIMEOUT} s"}
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:80]}
    return json.loads(done.stdout)


def cell(result: dict) -> str:
    if "error" in result:
        return f"{result['error']:>28}"
    return f"{result['seconds']:8.2f} s {result['peak_mb']:7.0f} MB {result['lines']:>8} l"


def main() -> None:
    ours = {p: child("ours", p) for p in PLATFORMS}
    theirs = {p: child("aerleon", p) for p in PLATFORMS}
    sample = next((r for r in ours.values() if "rules" in r), {})
    print(f"synthetic policy: {sample.get('rules', '?')} rules, {sample.get('addresses', '?')} address objects; "
          f"peak = resident memory of the measuring process (rule set included, "
          f"{sample.get('base_mb', 0):.0f} MB before rendering)")
    print(f"{'platform':<10} {'ours: time, peak, lines':>28}   {'Aerleon: time, peak, lines':>28}   Aerleon/ours")
    for p in PLATFORMS:
        a, b = ours[p], theirs[p]
        ratio = f"{b['seconds'] / a['seconds']:.2f}" if "seconds" in a and "seconds" in b else "-"
        print(f"{p:<10} {cell(a)}   {cell(b)}   {ratio}")
    done = [r for r in ours.values() if "seconds" in r]
    total = sum(r["seconds"] for r in done)
    peak = max((r["peak_mb"] for r in done), default=0)
    both = [p for p in PLATFORMS if "seconds" in ours[p] and "seconds" in theirs[p]]
    their_total = sum(theirs[p]["seconds"] for p in both)
    print(f"ours, all four platforms: {total:.2f} s (target {TARGET_SECONDS} s), peak {peak:.0f} MB "
          f"(target {TARGET_MB} MB): "
          + ("target met" if len(done) == 4 and total < TARGET_SECONDS and peak < TARGET_MB else "TARGET MISSED"))
    if both:
        mine = sum(ours[p]["seconds"] for p in both)
        print(f"Aerleon on the same rules ({', '.join(both)}): {their_total:.2f} s against our {mine:.2f} s "
              f"= ratio {their_total / mine:.2f} (Aerleon time / our time)")


def profile(platform: str) -> None:
    import synthetic

    from eoffice_guard.registry import render

    rs = synthetic.ruleset()
    prof = cProfile.Profile()
    prof.runcall(render, platform, rs)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(12)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    elif sys.argv[1:2] == ["--profile"]:
        profile(sys.argv[2])
    else:
        main()
