"""EO-END-2 on Windows: Microsoft Defender's real-time protection on and its signatures younger than the
threshold, updated from the ministry's internal source when older."""

from __future__ import annotations

import datetime

from .control import Plan


def parse_time(text: str) -> datetime.datetime | None:
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def signature_age_hours(state: dict) -> float | None:
    """Hours since the last signature update, by the host's own clock (no controller clock skew)."""
    defender = state.get("defender") or {}
    updated = parse_time(defender.get("signature_updated", ""))
    now = parse_time((state.get("computer") or {}).get("now", ""))
    if updated is None or now is None:
        return None
    return round((now - updated).total_seconds() / 3600, 1)


class Defender:
    ID = "EO-END-2"
    SCRIPT = "defender_apply.ps1"

    def __init__(self, max_age_hours: int, update_source: str, file_share: str):
        self.max_age_hours, self.update_source, self.file_share = max_age_hours, update_source, file_share

    def _stale(self, state: dict) -> bool:
        age = signature_age_hours(state)
        return age is None or age > self.max_age_hours

    def plan(self, state: dict) -> Plan:
        d = state.get("defender") or {}
        realtime, stale = not d.get("realtime"), self._stale(state)
        update = f"update signatures from {self.update_source} (they are {signature_age_hours(state)} h old)"
        actions = (["turn real-time protection on"] if realtime else []) + ([update] if stale else [])
        before = {"realtime_protection": bool(d.get("realtime")), "signature_age_hours": signature_age_hours(state),
                  "signature_version": d.get("signature_version", "")}
        after = before | {"realtime_protection": True} | (
            {"signature_age_hours": f"at most {self.max_age_hours}"} if stale else {})
        params = {"realtime": realtime, "update": stale, "update_source": self.update_source,
                  "file_share": self.file_share if self.update_source == "FileShares" else ""}
        return Plan(actions, params, [], before, after)

    def problems(self, state: dict) -> list[str]:
        d = state.get("defender") or {}
        out = [] if d.get("realtime") else ["real-time protection is off"]
        if not d.get("antivirus", True):
            out.append("the antivirus engine is disabled")
        if self._stale(state):
            out.append(f"signatures are {signature_age_hours(state)} h old (threshold {self.max_age_hours} h)")
        return out
