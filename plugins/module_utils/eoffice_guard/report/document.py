"""One run's report as a JSON-able dict (report.json), and the drift against the previous report."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from .catalog import describe, order
from .model import MET, NOT_MET, Cell, counts

SCHEMA_ID = "eoffice-guard/report/1"
#: fields that hold the run's clock; everything else is the same for the same task results
TIME_FIELDS = ("run.started", "run.finished", "days_to_deadline", "cells[].checked_at")


def days_left(deadline: str, started: str) -> int:
    return (datetime.date.fromisoformat(deadline) - datetime.date.fromisoformat(started[:10])).days


def assemble(run: dict, cells: list[Cell], previous: dict | None = None, previous_path: str = "") -> dict:
    """The report document; ``run`` holds ministry, director, deadline, kind, playbook, check_mode,
    started, finished, project_version, policy_hash and policy_file."""
    cell_dicts = [c.to_dict() for c in cells]
    controls = sorted({c["control"] for c in cell_dicts}, key=order)
    return {
        "schema": SCHEMA_ID,
        "ministry": run["ministry"],
        "director_cyber_security": run["director"],
        "advisory_deadline": run["deadline"],
        "days_to_deadline": days_left(run["deadline"], run["started"]),
        "run": {k: run[k] for k in ("kind", "playbook", "check_mode", "started", "finished", "project_version",
                                    "policy_hash", "policy_file")},
        "controls": {c: {k: describe(c)[k] for k in ("title", "fix")} for c in controls},
        "hosts": sorted({c["host"] for c in cell_dicts}),
        "summary": counts(cell_dicts),
        "cells": cell_dicts,
        "findings": [{"host": c["host"], "control": c["control"], "finding": f}
                     for c in cell_dicts for f in c["findings"]],
        "drift": drift(previous, cell_dicts, previous_path),
    }


def drift(previous: dict | None, cells: list[dict], previous_path: str = "") -> dict:
    """Host-by-control cells met in the previous report and not met (or fixed again) now, with what changed."""
    if not previous:
        return {"previous": None, "previous_started": None, "items": []}
    before = {(c["host"], c["control"]): c["status"] for c in previous.get("cells", [])}
    items = []
    for cell in cells:
        was = before.get((cell["host"], cell["control"]))
        if was in MET and (cell["status"] in NOT_MET or cell["status"] == "remediated"):
            items.append({"host": cell["host"], "control": cell["control"], "was": was, "now": cell["status"],
                          "what_changed": cell["changes"] or [{"task": cell["message"], "details": []}]})
    return {"previous": previous_path, "previous_started": previous.get("run", {}).get("started"), "items": items}


def dumps(document: dict) -> str:
    """Stable text: sorted keys, fixed indentation, a final newline."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def latest(ministry_dir: Path) -> Path | None:
    """The newest report.json of a ministry (run folders are named by UTC time, so they sort by name)."""
    runs = sorted(p for p in ministry_dir.glob("*/report.json")) if ministry_dir.is_dir() else []
    return runs[-1] if runs else None
