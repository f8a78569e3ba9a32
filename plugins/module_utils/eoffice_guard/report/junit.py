"""junit.xml: one test case per host and control, so CI shows a non-compliant cell as a failed test."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .catalog import describe


def render(document: dict) -> str:
    cells = document["cells"]
    total = {"tests": len(cells), "failures": _count(cells, "non_compliant"), "errors": _count(cells, "error"),
             "skipped": _count(cells, "not_applicable")}
    root = ET.Element("testsuites", {"name": f"eoffice-guard {document['ministry']}",
                                     **{k: str(v) for k, v in total.items()}})
    for host in document["hosts"]:
        mine = [c for c in cells if c["host"] == host]
        suite = ET.SubElement(root, "testsuite", {
            "name": host, "tests": str(len(mine)), "failures": str(_count(mine, "non_compliant")),
            "errors": str(_count(mine, "error")), "skipped": str(_count(mine, "not_applicable")),
            "timestamp": document["run"]["started"]})
        for cell in mine:
            case = ET.SubElement(suite, "testcase", {
                "classname": f"{document['ministry']}.{host}",
                "name": f"{cell['control']} {describe(cell['control'])['title']}"})
            _verdict(case, cell)
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _count(cells: list[dict], status: str) -> int:
    return sum(1 for c in cells if c["status"] == status)


def _verdict(case: ET.Element, cell: dict) -> None:
    changes = [line for c in cell["changes"] for line in (c["task"], *(f"  {d}" for d in c["details"]))]
    text = "\n".join([*changes, *cell["findings"], "fix: " + describe(cell["control"])["fix"]])
    if cell["status"] == "non_compliant":
        ET.SubElement(case, "failure", {"message": cell["message"], "type": "non_compliant"}).text = text
    elif cell["status"] == "error":
        ET.SubElement(case, "error", {"message": cell["message"], "type": "error"}).text = text
    elif cell["status"] == "not_applicable":
        ET.SubElement(case, "skipped", {"message": cell["message"]})
    else:
        ET.SubElement(case, "system-out").text = f"{cell['status']}: {cell['message']}"
