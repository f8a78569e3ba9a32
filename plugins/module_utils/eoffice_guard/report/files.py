"""Write one run's report files under ``<root>/<ministry>/<UTC time>/``."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import html, junit, oscal
from .document import dumps, latest

FILES = ("report.json", "report.html", "junit.xml", "assessment-results.json")


def run_folder_name(started: str) -> str:
    """``2026-11-25T06:24:40Z`` → ``20261125T062440Z``: sortable, and valid on every file system."""
    return started.replace("-", "").replace(":", "")


def previous(root: Path, ministry: str) -> tuple[dict | None, str]:
    """The ministry's latest report and its path relative to ``root`` (None when there is none or it is unreadable)."""
    path = latest(root / ministry)
    if path is None:
        return None, ""
    try:
        return json.loads(path.read_text(encoding="utf-8")), str(path.relative_to(root))
    except (OSError, ValueError):
        return None, ""  # a broken earlier report is no baseline; this run's report still gets written


def write(root: Path, document: dict) -> Path:
    """All report files of the run; each appears complete or not at all."""
    folder = root / document["ministry"] / run_folder_name(document["run"]["started"])
    suffix = 1
    while folder.exists():  # two runs in one second
        suffix += 1
        folder = folder.with_name(f"{run_folder_name(document['run']['started'])}-{suffix}")
    folder.mkdir(parents=True)
    texts = {
        "report.json": dumps(document),
        "report.html": html.render(document),
        "junit.xml": junit.render(document),
        "assessment-results.json": dumps(oscal.render(document)),
    }
    for name in FILES:
        write_atomically(folder / name, texts[name])
    return folder


def write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
