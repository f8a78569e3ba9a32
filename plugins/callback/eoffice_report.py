"""Callback ``eoffice_report``: the compliance report files of a run (docs/reporting.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase

_CORE = str(Path(__file__).resolve().parents[1] / "module_utils")
if _CORE not in sys.path:
    sys.path.append(_CORE)

from eoffice_guard_version import VERSION  # noqa: E402

from eoffice_guard.report import console, files  # noqa: E402
from eoffice_guard.report.collect import Collector, RecordingCallback, utc_now  # noqa: E402
from eoffice_guard.report.document import assemble  # noqa: E402
from eoffice_guard.report.model import build_cells  # noqa: E402

DOCUMENTATION = r"""
name: eoffice_report
type: aggregate
short_description: Per-ministry compliance report (JSON, HTML, JUnit, OSCAL) of a site or audit run
description:
  - Collects, for every host and advisory control, the results of the tasks named after the control
    (C(EO-ID-1 | PATCH | ...)), the C(eoffice_fact) entries and C(ngfw_policy) findings, and writes
    C(report.json), C(report.html), C(junit.xml) and C(assessment-results.json) under
    C(<report_dir>/<ministry>/<UTC time>/) at the end of the run.
  - Compares with the ministry's previous report and lists drift (a cell met then and not now).
  - Writes nothing for playbooks not listed in O(playbooks), or when the run did not validate a policy.
requirements:
  - enabled in ansible.cfg (C(callbacks_enabled))
options:
  report_dir:
    description: Folder that holds one sub-folder per ministry; default C(reports) beside the playbooks folder.
    type: path
    env: [{name: EOFFICE_REPORT_DIR}]
    ini: [{section: callback_eoffice_report, key: report_dir}]
  playbooks:
    description: File names of the playbooks whose runs are reported.
    type: list
    elements: str
    default: [site.yml, audit.yml]
    env: [{name: EOFFICE_REPORT_PLAYBOOKS}]
    ini: [{section: callback_eoffice_report, key: playbooks}]
"""


class CallbackModule(RecordingCallback, CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "eoffice_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.collector = Collector()
        self.playbook: Path | None = None

    def v2_playbook_on_start(self, playbook):
        self.playbook = Path(playbook._file_name)
        self.collector.started = utc_now()


    def _report_dir(self) -> Path:
        configured = self.get_option("report_dir")
        return Path(configured) if configured else self.playbook.resolve().parent.parent / "reports"

    def v2_playbook_on_stats(self, stats):
        if self.playbook is None or self.playbook.name not in self.get_option("playbooks"):
            return
        policy = self.collector.policy
        if not policy or not self.collector.records:
            self._display.warning("eoffice_report: no validated policy or no control results; no report written")
            return
        check = bool(context.CLIARGS.get("check"))
        run = {"ministry": policy["policy"]["ministry"], "director": policy["policy"]["director_cyber_security"],
               "deadline": policy["policy"]["advisory_deadline"], "kind": "audit" if check else "enforce",
               "playbook": self.playbook.name, "check_mode": check, "started": self.collector.started,
               "finished": utc_now(), "project_version": VERSION, "policy_hash": policy["hash"],
               "policy_file": policy["file"]}
        cells = build_cells(self.collector.records, check, self.collector.local_facts)
        root = self._report_dir()
        previous, previous_path = files.previous(root, run["ministry"])
        document = assemble(run, cells, previous, previous_path)
        folder = files.write(root, document)
        self._print(folder, document)

    def _print(self, folder: Path, document: dict) -> None:
        console.PENDING[:] = console.lines(folder, document)
        if "eoffice_summary" not in C.CALLBACKS_ENABLED:  # otherwise it prints them after its table
            self._display.banner("EOFFICE-GUARD REPORT")
            for line in console.PENDING:
                self._display.display(line)
