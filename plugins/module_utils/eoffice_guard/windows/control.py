"""The flow every Windows control shares: read (or take the audit's reading) → plan → in check mode stop →
apply with one script → judge the state the script read back. Controls differ only in their plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .client import Session, WinRMError

AUDIT = "audit.ps1"


@dataclass
class Plan:
    actions: list[str]  # what would change, one line each, in the order it is done
    params: dict  # the apply script's parameters
    findings: list[str] = field(default_factory=list)  # reported, not changed (e.g. the domain's GPO wins)
    before: dict = field(default_factory=dict)  # the control's state as the diff shows it
    after: dict = field(default_factory=dict)


class Control(Protocol):
    ID: str
    SCRIPT: str  # the apply script

    def plan(self, state: dict) -> Plan: ...

    def problems(self, state: dict) -> list[str]:
        """What still breaks the control in ``state`` (empty: compliant)."""
        ...


def audit_params(winrm_port: int, edr: dict | None = None) -> dict:
    edr = edr or {}
    return {"winrm_port": winrm_port,
            "edr": {k: str(edr.get(k) or "") for k in ("service", "enrolment_key", "enrolment_value")}}


def read_state(session: Session, edr: dict | None = None) -> dict:
    try:
        return session.run(AUDIT, audit_params(session.target.port, edr), "reading the host's state")
    except WinRMError as err:  # a read failed: say that nothing was changed, so no one has to guess
        raise WinRMError(f"{err}; nothing was changed") from None


def after_lost_answer(session: Session, control: Control, edr: dict | None) -> str:
    """When the answer to a change is lost, what the host holds now: read again, once, never assumed."""
    try:
        left = control.problems(read_state(session, edr))
    except WinRMError:
        return "whether the changes were made is unknown: the host could not be read again"
    if left:
        return f"read again, the host is not compliant: still wrong: {'; '.join(left)}"
    return "read again, the host is compliant: the changes were made before the answer was lost"


def one_line(text: str) -> str:
    return " ".join(text.split())


def enforce(session: Session, control: Control, state: dict | None, *, check: bool, edr: dict | None = None) -> dict:
    """Bring one control to the advisory; returns the module result. Raises WinRMError with what was done."""
    if state is None:
        state = read_state(session, edr)
    plan = control.plan(state)
    result = {"changed": bool(plan.actions), "actions": plan.actions, "findings": plan.findings,
              "diff": {"before": plan.before, "after": plan.after}}
    if check or not plan.actions:
        return result | report_only(session, control, state, plan, check)
    return result | apply(session, control, state, plan, edr)


def report_only(session: Session, control: Control, state: dict, plan: Plan, check: bool) -> dict:
    """Check mode, or nothing to change: judge the state as read. A problem no action can fix fails the task,
    unless the plan says why it is not ours to fix (a domain's Group Policy)."""
    problems = control.problems(state)
    if not check and problems and not plan.findings:
        raise WinRMError(one_line(f"{session.target.name}: {control.ID} is not compliant and nothing here can fix "
                                  f"it: nothing was changed; still wrong: {'; '.join(problems)}"))
    return {"problems": problems, "compliant": not plan.actions and not problems, "invocations": session.invocations}


def apply(session: Session, control: Control, state: dict, plan: Plan, edr: dict | None) -> dict:
    """One invocation makes the changes and reads the control's state back; that state decides, not the plan."""
    params = {"winrm_port": session.target.port} | plan.params
    try:
        answer = session.run(control.SCRIPT, params, f"{control.ID}: applying {len(plan.actions)} change(s)")
    except WinRMError as err:
        raise WinRMError(f"{err}; {after_lost_answer(session, control, edr)}") from None
    done = [str(x) for x in answer.get("done") or []]
    failed = [f"{f.get('step')}: {f.get('error')}" for f in answer.get("failed") or []]
    left = control.problems(dict(state) | answer.get("state", {}))
    if failed or left:
        raise WinRMError(one_line(
            f"{session.target.name}: {control.ID} is not compliant: done: {'; '.join(done) or 'nothing'}; "
            f"not done: {'; '.join(failed) or 'nothing failed'}; still wrong: {'; '.join(left) or 'nothing'}"))
    return {"done": done, "compliant": True, "problems": [], "invocations": session.invocations}
