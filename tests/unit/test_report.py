"""The result model and the report files: statuses, drift, schema, JUnit, OSCAL, HTML escaping, determinism."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog

from eoffice_guard.report import files, html
from eoffice_guard.report.catalog import CATALOG_PATH, controls
from eoffice_guard.report.document import assemble
from eoffice_guard.report.model import TaskRecord, build_cells, control_of, rendered_only, status_of
from tests.support.reports import CONTROLS, ministry_document, records_for, run_info

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "report.schema.json").read_text())


def validate(document: dict) -> None:
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())


def record(outcome: str, kind: str = "PATCH", **extra) -> TaskRecord:
    return TaskRecord(host="h1", control="EO-ID-1", kind=kind, task="t", outcome=outcome,
                      at="2026-11-25T06:00:00Z", **extra)


@pytest.mark.parametrize(("name", "tags", "expected"), [
    ("password_policy : EO-ID-1 | PATCH | Require 14 characters", [], ("EO-ID-1", "PATCH")),
    ("EO-END-2 | AUDIT | Signatures are younger than 24 hours", [], ("EO-END-2", "AUDIT")),
    ("Validating arguments against arg spec 'main'", ["EO-ID-1", "always"], ("EO-ID-1", "AUDIT")),
    ("Gathering Facts", ["EO-ID-1", "EO-NET-2"], None),
    ("Import the tasks", [], None),
])
def test_control_comes_from_the_task_name_or_a_lone_tag(name, tags, expected):
    assert control_of(name, tags) == expected


@pytest.mark.parametrize(("records", "check", "status"), [
    ([record("ok"), record("ok", "AUDIT")], False, "compliant"),
    ([record("changed"), record("ok", "AUDIT")], False, "remediated"),
    ([record("changed")], True, "non_compliant"),
    ([record("changed", check_mode=True)], False, "non_compliant"),  # a task forced into check mode only looks
    ([record("changed", "AUDIT"), record("ok")], True, "compliant"),  # a render on the controller is no drift
    ([record("failed", "AUDIT", assertion=True), record("changed")], False, "non_compliant"),
    ([record("failed"), record("ok")], False, "error"),
    ([record("unreachable")], True, "error"),
    ([record("skipped"), record("skipped", "AUDIT")], False, "not_applicable"),
])
def test_status_of_a_cell(records, check, status):
    assert status_of(records, check)[0] == status


def test_a_render_only_run_is_rendered_not_fixed():
    assert rendered_only([record("changed", "AUDIT")])
    assert not rendered_only([record("changed", "AUDIT"), record("changed")])
    assert not rendered_only([record("ok", "AUDIT")])


def test_cell_keeps_evidence_changes_and_the_recorded_fact():
    cells = build_cells(records_for("h1", "EO-ID-1", "non_compliant"), True)
    (cell,) = cells
    assert cell.status == "non_compliant" and cell.role == "role_id"
    assert cell.changes == [{"task": "PATCH | Require 14 characters in new passwords: would change",
                             "details": ["/etc/security/pwquality.conf.d/50-eoffice-guard.conf: -minlen = 8",
                                         "/etc/security/pwquality.conf.d/50-eoffice-guard.conf: +minlen = 14"]}]
    assert cell.fact == {"settings": {"min_length": 14}, "version": "0.1.0", "applied_at": "2026-11-20T10:00:00Z"}
    assert [e["task"].split(":")[0] for e in cell.evidence] == [
        "AUDIT | Read the current settings", "PATCH | Require 14 characters in new passwords",
        "PATCH | Record the applied settings"]


def test_local_fact_fills_in_a_cell_whose_run_did_not_record():
    recs = [r for r in records_for("h1", "EO-ID-1", "compliant") if r.fact is None]
    (cell,) = build_cells(recs, True, {"h1": {"EO-ID-1": {"version": "0.0.9", "applied_at": "x", "settings": {}}}})
    assert cell.fact["version"] == "0.0.9"


def test_drift_lists_cells_met_before_and_not_now_with_what_changed():
    before = assemble(run_info(check=False), build_cells(
        records_for("h1", "EO-ID-1", "compliant") + records_for("h2", "EO-ID-1", "non_compliant"), False))
    now = assemble(run_info(started="2026-11-26T06:00:00Z", finished="2026-11-26T06:01:00Z"), build_cells(
        records_for("h1", "EO-ID-1", "non_compliant") + records_for("h2", "EO-ID-1", "non_compliant"), True),
        before, "lab/x/report.json")
    assert [(i["host"], i["was"], i["now"]) for i in now["drift"]["items"]] == [("h1", "compliant", "non_compliant")]
    assert "+minlen = 14" in now["drift"]["items"][0]["what_changed"][0]["details"][1]
    assert now["drift"]["previous_started"] == "2026-11-25T06:00:00Z"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    return files.write(root, ministry_document("lab", hosts=6, seed=3))


def test_report_json_matches_the_schema(written):
    validate(json.loads((written / "report.json").read_text()))


@pytest.mark.parametrize("breakage", [
    lambda d: d["cells"][0].update(status="fine"),
    lambda d: d["cells"][0].pop("evidence"),
    lambda d: d["run"].update(policy_hash="not-a-hash"),
    lambda d: d.update(days_to_deadline="soon"),
    lambda d: d["drift"]["items"].append({"host": "h", "control": "EO-ID-1", "was": "error", "now": "error",
                                          "what_changed": []}),
])
def test_schema_rejects_a_hand_broken_report(written, breakage):
    document = json.loads((written / "report.json").read_text())
    broken = copy.deepcopy(document)
    breakage(broken)
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_junit_has_one_case_per_cell_and_fails_the_non_compliant_ones(written):
    document = json.loads((written / "report.json").read_text())
    xml = JUnitXml.fromfile(str(written / "junit.xml"))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == len(document["cells"]) == 6 * len(CONTROLS)
    verdicts = [type(r) for case in cases for r in case.result]
    expected = {s: sum(c["status"] == s for c in document["cells"]) for s in ("non_compliant", "error")}
    assert verdicts.count(Failure) == expected["non_compliant"] > 0
    assert verdicts.count(Error) == expected["error"]
    assert verdicts.count(Skipped) == sum(c["status"] == "not_applicable" for c in document["cells"])
    assert xml.failures == expected["non_compliant"]


def test_oscal_assessment_results_load_in_trestle_and_point_at_the_catalog(written):
    results = AssessmentResults.oscal_read(written / "assessment-results.json")
    catalog = Catalog.oscal_read(CATALOG_PATH)
    statements = {p.id for g in catalog.groups for c in g.controls for p in c.parts}
    (result,) = results.results
    document = json.loads((written / "report.json").read_text())
    applicable = [c for c in document["cells"] if c["status"] != "not_applicable"]
    assert len(result.findings) == len(applicable)
    assert len(result.observations) == len(document["cells"])
    known = {f.target.target_id for f in result.findings} - {"eo-xyz-9_smt"}
    assert known <= statements and "eo-id-1_smt" in known
    not_met = sum(c["status"] in ("non_compliant", "error") for c in applicable)
    assert sum(f.target.status.state.value == "not-satisfied" for f in result.findings) == not_met


def test_catalog_holds_every_advisory_control():
    assert set(controls()) == {c for c in CONTROLS if c != "EO-XYZ-9"} | {"EO-NET-1"}


def test_writers_are_deterministic(tmp_path):
    first = files.write(tmp_path / "a", ministry_document("lab", hosts=4, seed=1))
    second = files.write(tmp_path / "b", ministry_document("lab", hosts=4, seed=1))
    for name in files.FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_hostile_values_are_escaped_in_html():
    recs = records_for("<script>alert(1)</script>", "EO-ID-1", "non_compliant")
    recs[1].details = ["</details><img src=x onerror=alert(2)>"]
    page = html.render(assemble(run_info(), build_cells(recs, True)))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_a_second_report_in_the_same_second_gets_its_own_folder(tmp_path):
    document = ministry_document("lab", hosts=1, seed=1)
    assert files.write(tmp_path, document) != files.write(tmp_path, document)
