"""Callback ``eoffice_summary``: a per-host, per-control table at the end of every run."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from ansible.plugins.callback import CallbackBase

# Controller-side plugins import the core directly: `ansible.module_utils.*` exists only inside modules.
_CORE = str(Path(__file__).resolve().parents[1] / "module_utils")
if _CORE not in sys.path:
    sys.path.append(_CORE)

from eoffice_guard.report import console  # noqa: E402
from eoffice_guard.report.collect import Collector, RecordingCallback  # noqa: E402
from eoffice_guard.report.model import rendered_only, status_of  # noqa: E402

DOCUMENTATION = r"""
name: eoffice_summary
type: aggregate
short_description: Per-host, per-advisory-control summary at the end of a run
description:
  - Groups task results by the advisory control ID that starts each task name (C(EO-ID-1 | PATCH | ...))
    and prints, for each host, how many tasks of each control were ok, changed, failed or skipped.
  - A control is C(compliant) on a host when every check passed and no change was needed, C(fixed) when
    a PATCH task changed it and none failed, C(would change) for the same in check mode, C(rendered) when
    only look-only tasks wrote something (review files on the controller), C(FAILED) when a task failed,
    C(not applicable) when every task was skipped.
  - It reads the same result model as the C(eoffice_report) callback, which writes the report files.
requirements:
  - enabled in ansible.cfg (C(callbacks_enabled = eoffice_summary))
"""

STATES = ("ok", "changed", "failed", "skipped")


def verdict(records, run_check: bool) -> str:
    if any(r.outcome in ("failed", "unreachable") for r in records):
        return "FAILED"
    if rendered_only(records):
        return "rendered"
    status = status_of(records, run_check)[0]
    return {"remediated": "fixed", "non_compliant": "would change", "not_applicable": "not applicable"}.get(
        status, "compliant")


class CallbackModule(RecordingCallback, CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "eoffice_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.collector = Collector()
        self.check_mode = False

    def v2_playbook_on_play_start(self, play):
        self.check_mode = self.check_mode or bool(play.check_mode)

    def v2_playbook_on_stats(self, stats):
        grouped = defaultdict(list)
        for record in self.collector.records:
            grouped[(record.host, record.control)].append(record)
        if grouped:
            self._table(grouped)
        if console.PENDING:  # the report callback wrote a report: the run ends with it
            self._display.banner("EOFFICE-GUARD REPORT")
            for line in console.PENDING:
                self._display.display(line)

    def _table(self, grouped) -> None:
        rows = [("HOST", "CONTROL", "RESULT", "OK", "CHANGED", "FAILED", "SKIPPED")]
        for host, control in sorted(grouped):
            records = grouped[(host, control)]
            tally = dict.fromkeys(STATES, 0)
            for r in records:
                tally["failed" if r.outcome == "unreachable" else r.outcome] += 1
            rows.append((host, control, verdict(records, self.check_mode), *(str(tally[s]) for s in STATES)))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        self._display.banner("EOFFICE-GUARD SUMMARY")
        for row in rows:
            self._display.display("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
