"""The lines a run ends with: where the report is, and one line per control.

The ``eoffice_report`` callback writes the report; ``eoffice_summary`` prints its table last of all
callbacks (Ansible runs them in name order), so it prints these lines after the table: a run then
ends with the report. ``PENDING`` carries them from one to the other within the one Ansible process.
"""

from __future__ import annotations

import os
from pathlib import Path

from .catalog import order
from .model import STATUSES, counts

PENDING: list[str] = []


def lines(folder: Path, document: dict) -> list[str]:
    html = folder / "report.html"
    shown = os.path.relpath(html) if html.is_relative_to(Path.cwd()) else str(html)
    out = [f"report: {shown}",
           f"ministry {document['ministry']}: {document['days_to_deadline']} days to the deadline "
           f"{document['advisory_deadline']}"]
    tallies = counts(document["cells"])
    for control in sorted(tallies, key=order):
        tally = tallies[control]
        parts = ", ".join(f"{tally[s]} {s.replace('_', ' ')}" for s in STATUSES if tally[s])
        out.append(f"{control} {document['controls'][control]['title']}: {parts}")
    if document["drift"]["previous"]:
        drift = document["drift"]["items"]
        out.append(f"drift since the last report: {len(drift)} cell(s)")
        out += [f"  {d['host']} {d['control']}: {d['was']} -> {d['now']}" for d in drift]
    return out
