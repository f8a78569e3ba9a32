"""Generated report documents: task records of a ministry's estate through the real model and writers.

Used by the report unit tests, the browser test and ``bench/bench_rollup.py``. The records are what
the callback would collect; everything after them is the project's own code.
"""

from __future__ import annotations

import random

from eoffice_guard.report.document import assemble
from eoffice_guard.report.model import TaskRecord, build_cells

CONTROLS = ("EO-NET-1", "EO-NET-2", "EO-NET-3", "EO-NET-4", "EO-VPN-1", "EO-VPN-2", "EO-ID-1", "EO-ID-2",
            "EO-END-1", "EO-END-2", "EO-GOV-1", "EO-XYZ-9")  # the last: a control the catalog does not know
STARTED, FINISHED = "2026-11-25T06:00:00Z", "2026-11-25T06:10:00Z"
POLICY_HASH = "ab" * 32


def run_info(ministry: str = "lab", check: bool = True, started: str = STARTED, finished: str = FINISHED) -> dict:
    return {"ministry": ministry, "director": f"Director of {ministry} <dcs@{ministry}.example.gov>",
            "deadline": "2026-12-22", "kind": "audit" if check else "enforce",
            "playbook": "audit.yml" if check else "site.yml", "check_mode": check, "started": started,
            "finished": finished, "project_version": "0.1.0", "policy_hash": POLICY_HASH,
            "policy_file": f"inventories/{ministry}/group_vars/all/eoffice.yml"}


def records_for(host: str, control: str, outcome: str, check: bool = True) -> list[TaskRecord]:
    """Three tasks of one control on one host, ending in ``outcome`` of the PATCH task."""
    at = STARTED
    base = {"host": host, "control": control, "at": at, "role": f"role_{control.split('-')[1].lower()}",
            "check_mode": check}
    audit = TaskRecord(**base, kind="AUDIT", task="Read the current settings", outcome="ok",
                       details=[f"{control} setting read on {host}: value 14"])
    fact = TaskRecord(**base, kind="PATCH", task="Record the applied settings", outcome="ok",
                      fact={"settings": {"min_length": 14}, "version": "0.1.0", "applied_at": "2026-11-20T10:00:00Z"})
    if outcome == "non_compliant":
        patch = TaskRecord(**base, kind="PATCH", task="Require 14 characters in new passwords", outcome="changed",
                           details=["/etc/security/pwquality.conf.d/50-eoffice-guard.conf: -minlen = 8",
                                    "/etc/security/pwquality.conf.d/50-eoffice-guard.conf: +minlen = 14"])
    elif outcome == "error":
        patch = TaskRecord(**base, kind="PATCH", task="Require 14 characters in new passwords", outcome="failed",
                           details=["Destination /etc/security not writable"])
    elif outcome == "not_applicable":
        return [TaskRecord(**base, kind="PATCH", task="Only on Windows", outcome="skipped")]
    else:
        patch = TaskRecord(**base, kind="PATCH", task="Require 14 characters in new passwords", outcome="ok")
    return [audit, patch, fact]


def ministry_document(ministry: str, hosts: int, controls=CONTROLS, seed: int = 0, previous: dict | None = None,
                      check: bool = True) -> dict:
    """A ministry's report: about 85 % of cells compliant, the rest not compliant, in error or n/a."""
    rng = random.Random(f"{ministry}-{seed}")
    records: list[TaskRecord] = []
    for n in range(hosts):
        host = f"{ministry}-host-{n:04d}"
        for control in controls:
            outcome = rng.choices(["compliant", "non_compliant", "error", "not_applicable"], [85, 10, 2, 3])[0]
            records += records_for(host, control, outcome, check)
    return assemble(run_info(ministry, check), build_cells(records, check), previous,
                    "previous/report.json" if previous else "")
