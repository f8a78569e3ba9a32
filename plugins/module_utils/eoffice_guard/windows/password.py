"""EO-ID-1 on Windows: the local account policy's ``[System Access]`` section (secedit), only the keys that
fall short of the advisory are configured; a domain member is reported, not changed (the domain's GPO wins)."""

from __future__ import annotations

from .control import Plan

# secedit key -> (what the advisory asks, how a stronger value compares). "min": the value must be at
# least the target; "max": at most the target and not 0 (0 means never); "eq": exactly the target.
KEYS = {
    "MinimumPasswordLength": ("min_length", "min"),
    "PasswordComplexity": ("complexity", "eq"),
    "PasswordHistorySize": ("history", "min"),
    "MaximumPasswordAge": ("max_age_days", "max"),
    "MinimumPasswordAge": ("min_age_days", "min"),
    "LockoutBadCount": ("lockout_threshold", "max"),
    "LockoutDuration": ("lockout_duration_minutes", "min"),
    "ResetLockoutCount": ("lockout_reset_minutes", "min"),
}
ADVISORY_MIN_LENGTH = 14


def parse_system_access(lines: list[str]) -> dict[str, int]:
    """The integer keys of the ``[System Access]`` section of a ``secedit /export`` file."""
    found, inside = {}, False
    for raw in lines or []:
        line = str(raw).strip().lstrip("\ufeff")
        if line.startswith("["):
            inside = line.lower() == "[system access]"
            continue
        if inside and "=" in line:
            key, _, value = line.partition("=")
            try:
                found[key.strip()] = int(value.strip().strip('"'))
            except ValueError:
                continue  # string-valued keys (account names) are not policy values this control sets
    return found


def meets(have: int | None, want: int, how: str) -> bool:
    if have is None:
        return False
    if how == "min":
        return have >= want
    if how == "max":
        return 0 < have <= want
    return have == want


class PasswordPolicy:
    ID = "EO-ID-1"
    SCRIPT = "password_apply.ps1"

    def __init__(self, settings: dict):
        self.want = {key: int(settings[name]) for key, (name, _) in KEYS.items()}

    def differing(self, found: dict) -> dict[str, int]:
        return {k: v for k, v in self.want.items() if not meets(found.get(k), v, KEYS[k][1])}

    def plan(self, state: dict) -> Plan:
        found = parse_system_access(state.get("security_policy"))
        differ = self.differing(found)
        before = {k: found.get(k) for k in self.want}
        computer = state.get("computer") or {}
        if computer.get("part_of_domain"):
            findings = [f"{computer.get('name', 'host')} is a member of {computer.get('domain')}: the domain's "
                        "Group Policy sets the account policy and overrides a local change; found "
                        + ", ".join(f"{k}={found.get(k)}" for k in self.want)]
            return Plan([], {}, findings, before, before)
        actions = [f"set {k} from {found.get(k)} to {v}" for k, v in differ.items()]
        return Plan(actions, {"settings": differ}, [], before, before | differ)

    def problems(self, state: dict) -> list[str]:
        found = parse_system_access(state.get("security_policy"))
        return [f"{k} is {found.get(k)}, the advisory asks {KEYS[k][1]} {v}".replace(" min ", " at least ")
                .replace(" max ", " at most ").replace(" eq ", " ") for k, v in self.differing(found).items()]
