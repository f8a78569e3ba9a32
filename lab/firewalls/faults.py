"""Fault injection: the ways a real firewall misbehaves during a push, switchable per device.

Faults live in a small JSON file next to the device's state, so they can be set when the device
starts (``serve --faults``) or changed while it runs (``python -m lab.firewalls fault``); the device
re-reads the file when it changes, so no restart and no signal is needed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path


class SettingsFile:
    """Reading and writing a dataclass of fault settings as the JSON of ``faults.json``."""

    @classmethod
    def from_dict(cls, data: dict):
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**data)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, 0.0, False)}


@dataclass
class FaultSettings(SettingsFile):
    #: close the connection instead of running the config command after this many (per login)
    drop_after: int | None = None
    #: answer commands matching this regular expression with the vendor's error
    reject: str | None = None
    #: seconds added to the commit point (PAN-OS commit, ASA write memory, FortiOS end)
    commit_delay: float = 0.0
    #: refuse every login as if the password were wrong
    refuse_logins: bool = False


class Faults:
    """The device's current faults, re-read from ``path`` whenever the file changes."""

    #: the dataclass the file holds (the lab's Windows endpoints have faults of their own)
    settings_class = FaultSettings

    def __init__(self, path: Path):
        self.path = path
        self._stamp: float | None = None
        self._settings = self.settings_class()

    def current(self) -> FaultSettings:
        try:
            stamp = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            self._stamp, self._settings = None, self.settings_class()
            return self._settings
        if stamp != self._stamp:
            self._settings = self.settings_class.from_dict(json.loads(self.path.read_text() or "{}"))
            self._stamp = stamp
        return self._settings


def change_faults(path: Path, faults_class: type[Faults], clear: bool, changes: dict) -> SettingsFile:
    """Apply the given changes (``None`` = leave as is) to the faults in ``path``, after clearing them if asked."""
    settings = faults_class.settings_class() if clear else faults_class(path).current()
    for key, value in changes.items():
        if value is not None:
            setattr(settings, key, value)
    write_faults(path, settings)
    return settings


def write_faults(path: Path, settings) -> None:
    """Replace the fault file atomically (the device may be reading it at the same moment)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(settings.to_dict(), indent=2) + "\n")
    tmp.replace(path)
