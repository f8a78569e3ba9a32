"""National roll-up at country scale: 43 ministries x 500 hosts x 12 controls of generated reports.

Prints the wall time and peak memory of `roll_up` + `write` (goal: under 10 s and 500 MB); generating
the reports is not measured. Run with `make bench`.
"""

from __future__ import annotations

import datetime
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins" / "module_utils"), str(ROOT)]

from eoffice_guard.report.document import dumps  # noqa: E402
from eoffice_guard.report.national import roll_up, write  # noqa: E402
from tests.support.reports import ministry_document  # noqa: E402

MINISTRIES, HOSTS = 43, 500


def generate(reports: Path) -> None:
    for i in range(MINISTRIES):
        document = ministry_document(f"ministry-{i:02d}", hosts=HOSTS, seed=i)
        folder = reports / document["ministry"] / "20261125T061000Z"
        folder.mkdir(parents=True)
        (folder / "report.json").write_text(dumps(document))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-rollup-") as tmp:
        reports = Path(tmp)
        start = time.monotonic()
        # generated in a process of its own, so the peak memory below is the roll-up's alone
        subprocess.run([sys.executable, __file__, "--generate", tmp], check=True)
        made = time.monotonic() - start
        size = sum(p.stat().st_size for p in reports.rglob("report.json")) / 2 ** 20
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.monotonic()
        national = roll_up(reports, datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC), stale_days=7)
        write(reports, national)
        elapsed = time.monotonic() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"national roll-up: {MINISTRIES} ministries x {HOSTS} hosts x 12 controls "
          f"({size:.0f} MB of report.json, generated in {made:.0f} s)")
    print(f"  roll_up + write: {elapsed:.2f} s (goal < 10 s); peak RSS {peak:.0f} MB "
          f"(before the roll-up {before:.0f} MB; goal < 500 MB)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        generate(Path(sys.argv[2]))
    else:
        main()
