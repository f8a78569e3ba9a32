"""report.html in a real browser: headless Chromium, network off, a file:// URL only.

Asserts what a reader sees (``innerText``, which leaves out what is not rendered): the matrix, the
evidence of a non-compliant cell hidden until its cell is opened, then shown with the fix. Screenshots
stay under tests/artefacts/ (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eoffice_guard.report import files
from eoffice_guard.report.document import assemble
from eoffice_guard.report.html import cell_id
from eoffice_guard.report.model import build_cells
from tests.support.chromium import BROWSER, Chromium
from tests.support.reports import records_for, run_info

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not Path(BROWSER).exists(), reason="Debian's chromium is not installed (make apt)")]
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"
FINDING = "unmanaged rule Old-Any (allow any to any, evaluated before the managed rules) lets through traffic"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    previous = assemble(run_info(check=False, started="2026-11-24T06:00:00Z", finished="2026-11-24T06:05:00Z"),
                        build_cells(records_for("lab-debian12", "EO-ID-1", "compliant", check=False), False))
    records = (records_for("lab-debian12", "EO-ID-1", "non_compliant") + records_for("lab-debian13", "EO-ID-1",
               "compliant") + records_for("lab-fgt-01", "EO-NET-2", "error")
               + records_for("lab-debian13", "EO-END-2", "not_applicable"))
    records[-2].findings = [FINDING]
    document = assemble(run_info(), build_cells(records, True), previous, "lab/20261124T060000Z/report.json")
    return files.write(root, document) / "report.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def visible(browser: Chromium, selector: str) -> str:
    return browser.evaluate(f"document.querySelector({selector!r}).innerText")


def table(browser: Chromium, selector: str) -> list[list[str]]:
    """The visible text of each cell of a table, row by row."""
    return browser.evaluate(f"[...document.querySelector({selector!r}).rows].map("
                            "tr => [...tr.cells].map(td => td.innerText.trim()))")


def test_director_reads_the_matrix_and_opens_the_evidence_of_a_failed_cell(browser, report):
    browser.open(report.as_uri())
    assert browser.evaluate("document.title") == "e-Office advisory compliance: lab"
    assert visible(browser, "#deadline") == "27 days left to the deadline"
    assert table(browser, "#matrix") == [
        ["host", "EO-NET-2", "EO-ID-1", "EO-END-2"],
        ["lab-debian12", "· not checked", "✘ NOT COMPLIANT", "· not checked"],
        ["lab-debian13", "· not checked", "✔ compliant", "\u2013 not applicable"],
        ["lab-fgt-01", "⚠ ERROR", "· not checked", "· not checked"],
    ]
    assert "minlen = 14" not in visible(browser, "#matrix"), "evidence is hidden until the cell is opened"
    browser.screenshot(ARTEFACTS / "report-matrix.png")

    browser.open(report.as_uri() + "#" + cell_id("lab-debian12", "EO-ID-1"))
    opened = visible(browser, f"#{cell_id('lab-debian12', 'EO-ID-1')}")
    assert [line for line in opened.splitlines() if line][:2] == [
        "✘ NOT COMPLIANT",
        "EO-ID-1 Strong password policy on lab-debian12: differs from the policy (1 task(s) would change it)"]
    assert "PATCH | Require 14 characters in new passwords: would change" in opened
    assert "/etc/security/pwquality.conf.d/50-eoffice-guard.conf: +minlen = 14" in opened
    assert "Last recorded on the host: version 0.1.0, applied 2026-11-20T10:00:00Z" in opened
    assert "Fix: Run playbooks/site.yml with tag EO-ID-1 (role password_policy)" in opened
    assert "Destination /etc/security not writable" not in visible(browser, "#matrix"), "other cells stay closed"
    assert FINDING in visible(browser, "#findings")
    header, drift = table(browser, "#drift")
    assert header[:4] == ["host", "control", "was", "now"]
    assert drift[:4] == ["lab-debian12", "EO-ID-1", "compliant", "✘ NOT COMPLIANT"] and "+minlen = 14" in drift[4]
    browser.screenshot(ARTEFACTS / "report-evidence-open.png")
    assert {url.split(":", 1)[0] for url in browser.requests} == {"file"}, browser.requests


def test_grayscale_still_tells_the_statuses_apart(browser, report):
    """Rendered in grayscale, the cell backgrounds of different statuses differ in lightness."""
    browser.open(report.as_uri())
    browser.evaluate("document.documentElement.style.filter='grayscale(1)'")
    browser.screenshot(ARTEFACTS / "report-grayscale.png")
    lightness = browser.evaluate("""[...new Set([...document.querySelectorAll('#matrix td')].map(td => {
        const [r, g, b] = getComputedStyle(td).backgroundColor.match(/\\d+/g).map(Number);
        return td.className + ':' + Math.round(0.299 * r + 0.587 * g + 0.114 * b);}))]""")
    by_status = dict(item.split(":") for item in lightness)
    levels = [int(by_status[s]) for s in ("compliant", "non_compliant", "error", "none")]
    assert len(set(levels)) == len(levels), by_status

