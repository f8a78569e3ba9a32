"""The advisory's controls as a small OSCAL catalog (``catalog.json`` beside this file)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CATALOG_PATH = Path(__file__).with_name("catalog.json")
CATALOG_HREF = "catalog.json"  # how reports name it: shipped with eoffice-guard next to the report code


@cache
def controls() -> dict[str, dict]:
    """Control ID (``EO-ID-1``) → {oscal_id, title, statement, fix}, in catalog order."""
    data = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))["catalog"]
    out = {}
    for group in data["groups"]:
        for control in group["controls"]:
            label = next(p["value"] for p in control["props"] if p["name"] == "label")
            parts = {p["name"]: p["prose"] for p in control["parts"]}
            out[label] = {"oscal_id": control["id"], "title": control["title"],
                          "statement": parts["statement"], "fix": parts["guidance"]}
    return out


def describe(control: str) -> dict:
    """A control's catalog entry; one the catalog does not know yet still gets a title and a fix."""
    return controls().get(control) or {
        "oscal_id": control.lower(), "title": control, "statement": "",
        "fix": f"Run playbooks/site.yml with --tags {control} and read the failed task's message.",
    }


def order(control: str) -> tuple[int, str]:
    """Catalog order first, unknown controls after them by name."""
    known = list(controls())
    return (known.index(control), "") if control in known else (len(known), control)
