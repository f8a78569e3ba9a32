"""Filters for the endpoint roles: ``eoffice_var_file`` (which inventory file sets a variable, so that
errors can name it) and ``eoffice_human_accounts`` (the people among a host's accounts)."""

from __future__ import annotations

from pathlib import Path

import yaml

VARS_DIRS = ("group_vars", "host_vars")
SUFFIXES = {".yml", ".yaml", ".json", ""}


def _defines(path: Path, name: str) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False  # a vault file or a broken one: Ansible itself reports those
    return isinstance(data, dict) and name in data


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def eoffice_var_file(name: str, inventory_dir: str | None, fallback: str = "the role defaults or extra vars") -> str:
    """The group_vars/host_vars file(s) of ``inventory_dir`` that define ``name``, or ``fallback``."""
    if not inventory_dir:
        return fallback
    root = Path(inventory_dir)
    found = [
        _display(path)
        for sub in VARS_DIRS
        if (root / sub).is_dir()
        for path in sorted((root / sub).rglob("*"))
        if path.is_file() and path.suffix in SUFFIXES and _defines(path, name)
    ]
    return ", ".join(found) if found else fallback


NO_LOGIN_SHELLS = ("/nologin", "/false", "/sync", "/shutdown", "/halt")


def eoffice_human_accounts(passwd: dict, uid_min: int, uid_max: int) -> list[str]:
    """Names of accounts in ``getent passwd`` form (name: [pw, uid, gid, gecos, home, shell]) that
    have a UID in the human range and a login shell, sorted."""
    people = []
    for name, fields in passwd.items():
        uid, shell = str(fields[1]), str(fields[5])
        if uid.isdigit() and uid_min <= int(uid) <= uid_max and shell and not shell.endswith(NO_LOGIN_SHELLS):
            people.append(name)
    return sorted(people)


class FilterModule:
    def filters(self):
        return {"eoffice_var_file": eoffice_var_file, "eoffice_human_accounts": eoffice_human_accounts}
