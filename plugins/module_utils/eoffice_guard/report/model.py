"""The result model: one cell per host and advisory control, built from task records of any role.

A *task record* is what a run says about one task on one host: the control ID and kind taken from the
task name (``EO-ID-1 | PATCH | ...``), its outcome, and what it read or changed (words and values).
Nothing here knows a role: a new role that names its tasks by the convention, and records its
settings with ``eoffice_fact``, reports without a change here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

CONTROL_RE = re.compile(r"^(EO-[A-Z]+-\d+)\s*\|\s*(?:(PATCH|AUDIT)\s*\|)?")
TAG_RE = re.compile(r"^EO-[A-Z]+-\d+$")
CONTROLLER = "(controller)"  # run_once tasks (policy validation) speak for the run, not one host

STATUSES = ("compliant", "remediated", "non_compliant", "not_applicable", "error")
MET = frozenset({"compliant", "remediated"})
NOT_MET = frozenset({"non_compliant", "error"})
OUTCOMES = ("ok", "changed", "failed", "skipped", "unreachable")


def control_of(task_name: str, tags=()) -> tuple[str, str] | None:
    """(control ID, kind) from ``role : EO-XXX-N | KIND | words``; a lone control tag when the name has none."""
    match = CONTROL_RE.match(task_name.split(" : ")[-1].strip())
    if match:
        return match.group(1), match.group(2) or "AUDIT"
    controls = sorted({t for t in tags if TAG_RE.match(str(t))})
    return (controls[0], "AUDIT") if len(controls) == 1 else None


@dataclass
class TaskRecord:
    """One task's result on one host, reduced to what a report may show (never module arguments)."""

    host: str
    control: str
    kind: str  # PATCH (changes the host) or AUDIT (only looks)
    task: str
    outcome: str  # one of OUTCOMES
    at: str  # UTC time the result arrived (a run time field)
    role: str = ""
    check_mode: bool = False
    assertion: bool = False  # a failed check (assert/fail): the host is not compliant, not broken
    details: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    fact: dict | None = None  # the control's eoffice_fact entry (settings, version, applied_at)

    def line(self) -> str:
        word = {"ok": "ok", "changed": "changed", "failed": "failed", "skipped": "skipped",
                "unreachable": "unreachable"}[self.outcome]
        if self.outcome == "changed" and self.check_mode:
            word = "would change"
        return f"{self.kind} | {self.task}: {word}"


@dataclass
class Cell:
    host: str
    control: str
    status: str
    role: str
    checked_at: str
    evidence: list[dict]
    changes: list[dict]
    findings: list[str]
    fact: dict | None
    message: str

    def to_dict(self) -> dict:
        return {"host": self.host, "control": self.control, "status": self.status, "role": self.role,
                "checked_at": self.checked_at, "message": self.message, "evidence": self.evidence,
                "changes": self.changes, "findings": self.findings, "fact": self.fact}


def status_of(records: list[TaskRecord], run_check: bool) -> tuple[str, str]:
    """The cell's status and one sentence saying why."""
    ran = [r for r in records if r.outcome != "skipped"]
    if not ran:
        return "not_applicable", "every task of this control was skipped on this host"
    unreachable = [r for r in ran if r.outcome == "unreachable"]
    if unreachable:
        return "error", f"host unreachable during: {unreachable[0].task}"
    broken = [r for r in ran if r.outcome == "failed" and not r.assertion]
    if broken:
        return "error", f"could not be applied or checked: {broken[0].task}"
    refused = [r for r in ran if r.outcome == "failed"]
    if refused:
        return "non_compliant", f"a check failed: {refused[0].task}"
    patched = [r for r in ran if r.outcome == "changed" and r.kind == "PATCH"]
    if patched and (run_check or all(r.check_mode for r in patched)):
        return "non_compliant", f"differs from the policy ({len(patched)} task(s) would change it)"
    if patched:
        return "remediated", f"brought back to the policy by {len(patched)} task(s) of this run"
    return "compliant", "every check passed and nothing needed to change"


def rendered_only(records: list[TaskRecord]) -> bool:
    """Only look-only tasks changed something (files written on the controller): a render, not a fix."""
    changed = [r for r in records if r.outcome == "changed"]
    return bool(changed) and all(r.kind == "AUDIT" for r in changed) and \
        not any(r.kind == "PATCH" and r.outcome != "skipped" for r in records)


def build_cell(records: list[TaskRecord], run_check: bool) -> Cell:
    status, message = status_of(records, run_check)
    ran = [r for r in records if r.outcome != "skipped"]
    evidence = _unique([{"task": r.line(), "details": r.details} for r in ran])
    changes = _unique([{"task": r.line(), "details": r.details} for r in ran
                       if (r.outcome == "changed" and r.kind == "PATCH") or r.outcome in ("failed", "unreachable")])
    findings = sorted({f for r in ran for f in r.findings})
    facts = [r.fact for r in records if r.fact]
    roles = [r.role for r in ran if r.role] or [r.role for r in records if r.role]
    return Cell(host=records[0].host, control=records[0].control, status=status, role=roles[0] if roles else "",
                checked_at=max(r.at for r in records), evidence=evidence, changes=changes, findings=findings,
                fact=facts[-1] if facts else None, message=message)


def _unique(entries: list[dict]) -> list[dict]:
    """Entries in order, each once (the policy is validated by every imported playbook, say)."""
    seen, out = set(), []
    for entry in entries:
        key = (entry["task"], tuple(entry["details"]))
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


def build_cells(records: list[TaskRecord], run_check: bool,
                local_facts: dict[str, dict] | None = None) -> list[Cell]:
    """Cells in host, control order; ``local_facts`` (host → ansible_local.eoffice) fills in what applied a control."""
    grouped: dict[tuple[str, str], list[TaskRecord]] = defaultdict(list)
    for record in records:
        grouped[(record.host, record.control)].append(record)
    cells = []
    for key in sorted(grouped):
        cell = build_cell(grouped[key], run_check)
        fact = (local_facts or {}).get(cell.host, {}).get(cell.control)
        if cell.fact is None and isinstance(fact, dict):
            cell.fact = fact
        cells.append(cell)
    return cells


def counts(cells) -> dict[str, dict[str, int]]:
    """Per control, how many cells have each status."""
    out: dict[str, dict[str, int]] = {}
    for cell in cells:
        control, status = (cell["control"], cell["status"]) if isinstance(cell, dict) else (cell.control, cell.status)
        out.setdefault(control, dict.fromkeys(STATUSES, 0))[status] += 1
    return {c: out[c] for c in sorted(out)}
