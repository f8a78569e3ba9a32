"""Turn Ansible task results into task records (used by the callbacks; no Ansible import here).

What a record keeps is chosen, never copied wholesale: module arguments (``invocation``) are never
read, a ``no_log`` result arrives censored and stays so, and long values are cut.
"""

from __future__ import annotations

import datetime
import difflib
import json

from .model import CONTROLLER, TaskRecord, control_of

MAX_LINES = 30  # per task: enough to say what changed, bounded whatever a module returns
MAX_TEXT = 400
ASSERT_ACTIONS = frozenset({"assert", "fail", "ansible.builtin.assert", "ansible.builtin.fail",
                            "ansible.legacy.assert", "ansible.legacy.fail"})


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cut(text) -> str:
    text = str(text).replace("\r", "")
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def diff_lines(diff) -> list[str]:
    """The changed lines of a task's ``diff`` (one dict or a list of them), each with its file."""
    out: list[str] = []
    for d in diff if isinstance(diff, list) else [diff]:
        if not isinstance(d, dict):
            continue
        if isinstance(d.get("prepared"), str):
            out += [line for line in d["prepared"].splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        before, after = d.get("before"), d.get("after")
        if before is None and after is None:
            continue
        header = d.get("before_header") or d.get("after_header") or ""  # before: the file on the host
        prefix = f"{header}: " if header else ""
        lines = [_text(before).splitlines(), _text(after).splitlines()]
        for line in difflib.unified_diff(*lines, lineterm="", n=0):
            if not line.startswith(("---", "+++", "@@")):
                out.append(prefix + line)
    return out


def _text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, indent=1, sort_keys=True, default=str)


def _bounded(lines: list[str]) -> list[str]:
    lines = [_cut(line) for line in lines]
    if len(lines) > MAX_LINES:
        return [*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more lines"]
    return lines


def details_of(result: dict, outcome: str, action: str = "") -> list[str]:
    """What the task read or changed, in words and values."""
    if result.get("censored"):
        return ["output hidden (no_log)"]
    if is_eoffice_fact(action):  # its entry is the cell's `fact`; the file's diff would only repeat it
        entry = result.get("entry") if isinstance(result.get("entry"), dict) else {}
        return [f"recorded settings: {json.dumps(entry.get('settings'), sort_keys=True)}"] if entry else []
    lines: list[str] = []
    if outcome in ("failed", "unreachable") and result.get("msg"):
        lines.append(str(result["msg"]))
    summary = result.get("summary")
    if isinstance(summary, list) and summary:  # the module said in words what changes: its diff would repeat it
        return _bounded(lines + [str(s) for s in summary])
    items = result.get("results") if isinstance(result.get("results"), list) else []
    for item in [result, *items]:
        if not isinstance(item, dict):
            continue
        if item is not result and item.get("failed") and item.get("msg"):
            lines.append(f"{item.get('_ansible_item_label', '')}: {item['msg']}")
        if "diff" in item and (item is result or item.get("changed")):
            lines += diff_lines(item["diff"])
    return _bounded(lines)


def is_eoffice_fact(action: str) -> bool:
    return action.rsplit(".", 1)[-1] == "eoffice_fact"


class Collector:
    """Records of one run, and what a run needs besides them (the policy, each host's local fact)."""

    def __init__(self) -> None:
        self.records: list[TaskRecord] = []
        self.local_facts: dict[str, dict] = {}
        self.policy: dict = {}
        self.started = utc_now()

    def add(self, result, outcome: str) -> TaskRecord | None:
        """One task result (``outcome``: ok, changed, failed, skipped or unreachable); None when it names no control."""
        task, data = result._task, result._result if isinstance(result._result, dict) else {}
        self._note_run_facts(result, data)
        found = control_of(task.get_name(), task.tags or ())
        if not found:
            return None
        control, kind = found
        if task.run_once and outcome == "skipped":
            return None  # a skipped run-once step (the approval pause) says nothing about any host
        role = task._role.get_name() if getattr(task, "_role", None) else ""
        fact = data.get("entry") if is_eoffice_fact(task.action) and isinstance(data.get("entry"), dict) else None
        findings = data.get("findings") if isinstance(data.get("findings"), list) else []
        record = TaskRecord(
            host=CONTROLLER if task.run_once else result._host.get_name(), control=control, kind=kind,
            task=task.get_name().split(" : ")[-1].split("|")[-1].strip(), outcome=outcome, at=utc_now(),
            role=role, check_mode=bool(task.check_mode),
            assertion=task.action in ASSERT_ACTIONS or "assertion" in data,
            details=details_of(data, outcome, task.action), findings=[_cut(f) for f in findings], fact=fact)
        self.records.append(record)
        return record

    def _note_run_facts(self, result, data: dict) -> None:
        if "policy_hash" in data and isinstance(data.get("policy"), dict):  # eoffice_policy: the validated policy
            self.policy = {"policy": data["policy"], "hash": data["policy_hash"],
                           "file": data.get("policy_file", "")}
        local = (data.get("ansible_facts") or {}).get("ansible_local") if isinstance(data.get("ansible_facts"),
                                                                                   dict) else None
        if isinstance(local, dict) and isinstance(local.get("eoffice"), dict):
            self.local_facts[result._host.get_name()] = local["eoffice"]


class RecordingCallback:
    """Mixin for a callback plugin: feeds every task result to ``self.collector``."""

    collector: Collector

    def v2_runner_on_ok(self, result):
        self.collector.add(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self.collector.add(result, "ok" if ignore_errors else "failed")  # an ignored failure is no verdict

    def v2_runner_on_skipped(self, result):
        self.collector.add(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self.collector.add(result, "unreachable")
