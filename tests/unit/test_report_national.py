"""The national roll-up over generated ministry reports: per ministry the share of compliant cells,
per control the ministries behind, days to the deadline, and ministries that have not reported."""

from __future__ import annotations

import datetime
import json

from eoffice_guard.report.document import dumps
from eoffice_guard.report.national import roll_up, write
from tests.support.reports import ministry_document

NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)


def _publish(root, document: dict, stamp: str) -> None:
    folder = root / document["ministry"] / stamp
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(dumps(document))


def _reports(tmp_path):
    for i, ministry in enumerate(("moitt", "mofa", "moib")):
        _publish(tmp_path, ministry_document(ministry, hosts=5, seed=i), "20261125T061000Z")
    old = ministry_document("mopd", hosts=3, seed=9)
    old["run"]["finished"] = "2026-11-01T06:10:00Z"  # has not reported for 24 days
    _publish(tmp_path, old, "20261101T061000Z")
    newer = ministry_document("moitt", hosts=5, seed=7)  # the newest report of a ministry counts
    _publish(tmp_path, newer, "20261125T091000Z")
    return tmp_path


def test_each_ministry_counts_its_latest_report_once(tmp_path):
    national = roll_up(_reports(tmp_path), NOW, stale_days=7)
    rows = {r["ministry"]: r for r in national["ministries"]}
    assert sorted(rows) == ["mofa", "moib", "moitt", "mopd"]
    assert rows["moitt"]["report"] == "moitt/20261125T091000Z/report.json"
    for row in rows.values():
        assert 0 < row["cells_met"] <= row["cells_applicable"]
        assert row["share_met"] == round(row["cells_met"] / row["cells_applicable"], 4)
        assert row["days_to_deadline"] == 27  # 2026-12-22 from 2026-11-25


def test_controls_list_the_ministries_behind_and_stale_ministries_are_named(tmp_path):
    reports = _reports(tmp_path)
    national = roll_up(reports, NOW, stale_days=7)
    assert national["not_reported_within"] == ["mopd"]
    for control, info in national["controls"].items():
        behind = set(info["ministries_behind"])
        for ministry in ("mofa", "moib", "moitt", "mopd"):
            doc = json.loads(next((reports / ministry).glob("*/report.json")).read_text()) if ministry != "moitt" \
                else json.loads((reports / "moitt/20261125T091000Z/report.json").read_text())
            cells = [c for c in doc["cells"] if c["control"] == control]
            failing = any(c["status"] in ("non_compliant", "error") for c in cells)
            assert (ministry in behind) == failing, (control, ministry)
    assert national["nearest_deadline_days"] == 27


def test_the_roll_up_is_written_and_identical_for_the_same_reports(tmp_path):
    reports = _reports(tmp_path)
    folder = write(reports, roll_up(reports, NOW, stale_days=7))
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    write(reports, roll_up(reports, NOW, stale_days=7))  # its own folder is not read as a ministry
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    html = first["national.html"].decode()
    assert "mopd" in html and "NOT REPORTED RECENTLY" in html and "http" not in html.split("</head>")[1]
