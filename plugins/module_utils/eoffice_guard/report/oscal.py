"""assessment-results.json: the run as NIST OSCAL assessment results against the advisory's catalog."""

from __future__ import annotations

import uuid

from .catalog import CATALOG_HREF, describe, order

OSCAL_VERSION = "1.1.2"
NAMESPACE = uuid.UUID("6f1d0d36-5e0b-4c1f-9d55-0e0ff1ce0002")  # fixed: the same run gives the same UUIDs


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def render(document: dict) -> dict:
    run, ministry = document["run"], document["ministry"]
    key = (ministry, run["started"])
    items = {h: _uuid(*key, "host", h) for h in document["hosts"]}
    observations, findings = [], []
    for cell in document["cells"]:
        obs = _uuid(*key, cell["host"], cell["control"], "observation")
        observations.append({
            "uuid": obs,
            "title": f"{cell['control']} on {cell['host']}",
            "description": f"{cell['status']}: {cell['message']}",
            "methods": ["TEST"],
            "subjects": [{"subject-uuid": items[cell["host"]], "type": "inventory-item"}],
            "collected": cell["checked_at"],
            "relevant-evidence": [{"description": _evidence(e)} for e in cell["evidence"]] or
                                 [{"description": cell["message"]}],
        })
        if cell["status"] == "not_applicable":
            continue
        status = {"state": "satisfied" if cell["status"] in ("compliant", "remediated") else "not-satisfied"}
        if cell["status"] in ("remediated", "error"):
            status["reason"] = cell["status"]
        findings.append({
            "uuid": _uuid(*key, cell["host"], cell["control"], "finding"),
            "title": f"{cell['control']} on {cell['host']}: {cell['status']}",
            "description": cell["message"],
            "target": {"type": "statement-id", "target-id": f"{describe(cell['control'])['oscal_id']}_smt",
                       "status": status},
            "related-observations": [{"observation-uuid": obs}],
        })
    controls = [{"control-id": describe(c)["oscal_id"]} for c in sorted(document["controls"], key=order)]
    return {"assessment-results": {
        "uuid": _uuid(*key, "assessment-results"),
        "metadata": {"title": f"e-Office advisory assessment of {ministry}", "last-modified": run["finished"],
                     "version": run["project_version"], "oscal-version": OSCAL_VERSION,
                     "props": [{"name": "marking", "value": f"policy-sha256-{run['policy_hash'][:12]}"}]},
        "import-ap": {"href": run["playbook"]},
        "results": [{
            "uuid": _uuid(*key, "result"),
            "title": f"{run['kind']} run of {run['playbook']}",
            "description": f"Controls of the advisory catalog ({CATALOG_HREF}) on each host of {ministry}; "
                           f"policy sha256 {run['policy_hash']}.",
            "start": run["started"], "end": run["finished"],
            "local-definitions": {"inventory-items": [
                {"uuid": u, "description": f"host {h}", "props": [{"name": "host-name", "value": h}]}
                for h, u in items.items()]},
            "reviewed-controls": {"control-selections": [{"include-controls": controls}]} if controls else
                                 {"control-selections": [{"include-all": {}}]},
            **({"observations": observations} if observations else {}),
            **({"findings": findings} if findings else {}),
        }],
    }}


def _evidence(entry: dict) -> str:
    return "; ".join([entry["task"], *entry["details"]])
