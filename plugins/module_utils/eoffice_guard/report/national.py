"""The national roll-up: every ministry's latest report.json, added up for the national team.

Reads ``<reports>/<ministry>/<UTC time>/report.json`` (the newest per ministry, one file at a time, so
memory stays flat however many ministries report) and writes ``<reports>/national/national.json`` and
``national.html``. Run it with ``python tools/national_report.py`` (docs/reporting.md).
"""

from __future__ import annotations

import argparse
import datetime
import json
from html import escape
from pathlib import Path

from .catalog import describe, order
from .document import days_left, dumps, latest
from .files import write_atomically
from .model import MET, NOT_MET

SCHEMA_ID = "eoffice-guard/national/1"
NATIONAL = "national"


def summarise(report: dict, path: str, now: datetime.datetime, stale_days: int) -> tuple[dict, dict]:
    """One ministry's row, and per control whether every applicable cell is met."""
    per_control: dict[str, list[int]] = {}
    for cell in report["cells"]:
        tally = per_control.setdefault(cell["control"], [0, 0])
        if cell["status"] in MET:
            tally[0] += 1
        if cell["status"] in MET or cell["status"] in NOT_MET:
            tally[1] += 1
    met, applicable = sum(t[0] for t in per_control.values()), sum(t[1] for t in per_control.values())
    finished = datetime.datetime.fromisoformat(report["run"]["finished"].replace("Z", "+00:00"))
    age = (now - finished).days
    row = {"ministry": report["ministry"], "report": path, "run_kind": report["run"]["kind"],
           "run_finished": report["run"]["finished"], "age_days": age, "stale": age > stale_days,
           "advisory_deadline": report["advisory_deadline"],
           "days_to_deadline": days_left(report["advisory_deadline"], now.strftime("%Y-%m-%d")),
           "hosts": len(report["hosts"]), "cells_met": met, "cells_applicable": applicable,
           "share_met": round(met / applicable, 4) if applicable else 1.0,
           "drift": len(report["drift"]["items"])}
    return row, {c: t[0] == t[1] for c, t in per_control.items()}


def roll_up(reports: Path, now: datetime.datetime, stale_days: int) -> dict:
    rows, behind, seen_controls = [], {}, set()
    for ministry_dir in sorted(p for p in reports.iterdir() if p.is_dir() and p.name != NATIONAL):
        path = latest(ministry_dir)
        if path is None:
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        row, met = summarise(report, str(path.relative_to(reports)), now, stale_days)
        rows.append(row)
        for control, ok in met.items():
            seen_controls.add(control)
            if not ok:
                behind.setdefault(control, []).append(row["ministry"])
        del report  # one ministry in memory at a time
    controls = {c: {"title": describe(c)["title"], "ministries_behind": behind.get(c, [])}
                for c in sorted(seen_controls, key=order)}
    return {"schema": SCHEMA_ID, "generated": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "stale_after_days": stale_days,
            "ministries": rows, "controls": controls,
            "not_reported_within": [r["ministry"] for r in rows if r["stale"]],
            "nearest_deadline_days": min((r["days_to_deadline"] for r in rows), default=None)}


def render_html(national: dict) -> str:
    rows = "".join(
        f"<tr><th>{escape(r['ministry'])}</th><td>{r['share_met'] * 100:.1f}% ({r['cells_met']} of "
        f"{r['cells_applicable']})</td><td>{r['hosts']}</td><td>{r['days_to_deadline']}</td>"
        f"<td>{escape(r['run_finished'])}{' &#9888; NOT REPORTED RECENTLY' if r['stale'] else ''}</td>"
        f"<td>{r['drift']}</td></tr>"
        for r in sorted(national["ministries"], key=lambda r: (r["share_met"], r["ministry"])))
    controls = "".join(
        f"<tr><th>{escape(c)}</th><td>{escape(v['title'])}</td><td>{len(v['ministries_behind'])}</td>"
        f"<td>{escape(', '.join(v['ministries_behind'])) or '&#10004; none'}</td></tr>"
        for c, v in national["controls"].items())
    stale = ", ".join(national["not_reported_within"]) or "none"
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "<title>e-Office advisory: national roll-up</title><style>body{font-family:system-ui,Arial,sans-serif;"
        "margin:1.5em}table{border-collapse:collapse}th,td{border:1px solid #444;padding:.3em .5em;text-align:left}"
        "</style></head><body>",
        f"<h1>e-Office advisory: national roll-up</h1><p>Generated {escape(national['generated'])}; nearest "
        f"deadline in {national['nearest_deadline_days']} days. Ministries without a report in the last "
        f"{national['stale_after_days']} days: <b>{escape(stale)}</b>.</p>",
        '<h2>Per ministry (least compliant first)</h2><table id="ministries"><tr><th>ministry</th>'
        "<th>host &times; control cells met</th><th>hosts</th><th>days to deadline</th><th>last report</th>"
        f"<th>drift</th></tr>{rows}</table>",
        '<h2>Per control: ministries behind</h2><table id="controls"><tr><th>control</th><th>what</th>'
        f"<th>ministries behind</th><th>which</th></tr>{controls}</table>",
        "</body></html>", ""])


def write(reports: Path, national: dict) -> Path:
    folder = reports / NATIONAL
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / "national.json", dumps(national))
    write_atomically(folder / "national.html", render_html(national))
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="national_report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="folder of ministry reports")
    parser.add_argument("--stale-days", type=int, default=7,
                        help="a ministry whose latest report is older than this is listed as not reporting")
    args = parser.parse_args(argv)
    if not args.reports.is_dir():
        parser.error(f"{args.reports}: no such folder of reports")
    national = roll_up(args.reports, datetime.datetime.now(datetime.UTC), args.stale_days)
    folder = write(args.reports, national)
    print(f"national roll-up of {len(national['ministries'])} ministries: {folder / 'national.html'}")
    for control, info in national["controls"].items():
        print(f"{control} {info['title']}: {len(info['ministries_behind'])} ministries behind")
    return 0
