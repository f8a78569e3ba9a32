"""Callback ``eoffice_summary``: a per-host, per-control table at the end of every run."""

from __future__ import annotations

import re
from collections import defaultdict

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: eoffice_summary
type: aggregate
short_description: Per-host, per-advisory-control summary at the end of a run
description:
  - Groups task results by the advisory control ID that starts each task name (C(EO-ID-1 | PATCH | ...))
    and prints, for each host, how many tasks of each control were ok, changed, failed or skipped.
  - A control is C(compliant) on a host when none of its tasks failed or changed, C(fixed) when some
    changed and none failed, C(FAILED) when any failed; in check mode C(fixed) reads C(would change).
requirements:
  - enabled in ansible.cfg (C(callbacks_enabled = eoffice_summary))
"""

CONTROL_RE = re.compile(r"^(EO-[A-Z]+-\d+)\s*\|")
STATES = ("ok", "changed", "failed", "skipped")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "eoffice_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.counts = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(STATES, 0)))
        self.check_mode = False

    def v2_playbook_on_play_start(self, play):
        self.check_mode = self.check_mode or bool(play.check_mode)

    def _count(self, result, state):
        match = CONTROL_RE.match(result._task.get_name().split(" : ")[-1])
        if match:
            # a run_once task (policy validation) speaks for the run, not for the host it ran on
            host = "(controller)" if result._task.run_once else result._host.get_name()
            self.counts[host][match.group(1)][state] += 1

    def v2_runner_on_ok(self, result):
        self._count(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result, "ok" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._count(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._count(result, "failed")

    def _verdict(self, counts):
        if counts["failed"]:
            return "FAILED"
        if counts["changed"]:
            return "would change" if self.check_mode else "fixed"
        return "compliant"

    def v2_playbook_on_stats(self, stats):
        if not self.counts:
            return
        rows = [("HOST", "CONTROL", "RESULT", "OK", "CHANGED", "FAILED", "SKIPPED")]
        for host in sorted(self.counts):
            for control in sorted(self.counts[host]):
                c = self.counts[host][control]
                rows.append((host, control, self._verdict(c), *(str(c[s]) for s in STATES)))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        self._display.banner("EOFFICE-GUARD SUMMARY")
        for row in rows:
            self._display.display("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
