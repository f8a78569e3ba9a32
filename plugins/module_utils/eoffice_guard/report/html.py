"""report.html: one self-contained page for the ministry's Director of Cyber Security.

No network assets: styles and the one small script are inline. Every status is written as a word and a
symbol as well as a colour, and the colours differ in lightness, so the page reads in grayscale and in
print. Every value that came from a host or a device is escaped.
"""

from __future__ import annotations

import re
from html import escape

from .catalog import describe, order

STATUS_LOOK = {  # status → (symbol, word)
    "compliant": ("✔", "compliant"),
    "remediated": ("✚", "fixed this run"),
    "non_compliant": ("✘", "NOT COMPLIANT"),
    "error": ("⚠", "ERROR"),
    "not_applicable": ("&ndash;", "not applicable"),
}

STYLE = """
body{font-family:system-ui,Arial,sans-serif;margin:1.5em;color:#111;background:#fff}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:2px solid #111}
.facts{display:flex;flex-wrap:wrap;gap:1.5em;margin:.5em 0}.facts div{border:1px solid #555;padding:.4em .7em}
.deadline{font-size:1.3em;font-weight:bold}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #444;padding:.3em .5em;vertical-align:top;
text-align:left}th{background:#ddd}
td.compliant{background:#e8f5e9}td.remediated{background:#c8e6c9}
td.non_compliant{background:#b71c1c;color:#fff;font-weight:bold;
background-image:repeating-linear-gradient(45deg,transparent 0 6px,rgba(0,0,0,.25) 6px 9px)}
td.error{background:#4a148c;color:#fff;font-weight:bold;border:3px double #000}
td.not_applicable{background:#f4f4f4;color:#555}td.none{background:#fff;color:#777}
details{max-width:42em}summary{cursor:pointer}details[open]{background:#fff;color:#111;font-weight:normal;
padding:.3em;border:2px solid #111}details ul{margin:.3em 0 .3em 1.2em;padding:0}
.fix{border-left:4px solid #111;padding-left:.5em;margin-top:.4em}
code,.mono{font-family:ui-monospace,monospace;font-size:.9em;white-space:pre-wrap;word-break:break-word}
.legend span{margin-right:1.2em}
@media print{details{display:block}}
"""

# Opens the cell named in the address (report.html#cell-HOST-CONTROL), so a link points at one cell.
SCRIPT = """
function openCell(){var id=decodeURIComponent(location.hash.slice(1));var el=id&&document.getElementById(id);
if(el&&el.tagName==='DETAILS'){el.open=true;el.scrollIntoView();}}
window.addEventListener('hashchange',openCell);document.addEventListener('DOMContentLoaded',openCell);
"""


def cell_id(host: str, control: str) -> str:
    return "cell-" + re.sub(r"[^A-Za-z0-9_.-]", "_", f"{host}-{control}")


def render(document: dict) -> str:
    ministry = escape(document["ministry"])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        'script-src \'unsafe-inline\'">',
        f"<title>e-Office advisory compliance: {ministry}</title><style>{STYLE}</style>",
        f"<script>{SCRIPT}</script></head><body>",
        f"<h1>e-Office advisory compliance: ministry {ministry}</h1>",
        _facts(document),
        _summary(document),
        _matrix(document),
        _findings(document),
        _drift(document),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _deadline_words(days: int) -> str:
    if days > 0:
        return f"{days} days left to the deadline"
    return "deadline is today" if days == 0 else f"deadline passed {-days} days ago"


def _facts(document: dict) -> str:
    run = document["run"]
    mode = "audit (check mode, nothing changed)" if run["check_mode"] else "enforcement run"
    rows = [
        ("Director of Cyber Security", document["director_cyber_security"]),
        ("Advisory deadline", document["advisory_deadline"]),
        ("Run", f"{mode} of {run['playbook']}, {run['started']} to {run['finished']}"),
        ("Policy", f"{run['policy_file']} (sha256 {run['policy_hash'][:16]}…)"),
        ("eoffice-guard", run["project_version"]),
    ]
    facts = "".join(f"<div><b>{escape(k)}</b><br>{escape(str(v))}</div>" for k, v in rows)
    return (f'<p class="deadline" id="deadline">{escape(_deadline_words(document["days_to_deadline"]))}</p>'
            f'<div class="facts">{facts}</div>')


def _summary(document: dict) -> str:
    rows = []
    for control in sorted(document["summary"], key=order):
        c = document["summary"][control]
        met = c["compliant"] + c["remediated"]
        rows.append(f"<tr><th>{escape(control)}</th><td>{escape(describe(control)['title'])}</td>"
                    f"<td>{met} of {met + c['non_compliant'] + c['error']} met</td>"
                    f"<td>{c['non_compliant']} not compliant</td><td>{c['error']} errors</td>"
                    f"<td>{c['not_applicable']} n/a</td></tr>")
    return ("<h2>Per control</h2><table id=\"summary\"><tr><th>control</th><th>what</th><th>met</th>"
            "<th>not compliant</th><th>errors</th><th>not applicable</th></tr>" + "".join(rows) + "</table>")


def _matrix(document: dict) -> str:
    controls = sorted(document["controls"], key=order)
    by_key = {(c["host"], c["control"]): c for c in document["cells"]}
    legend = "".join(f'<span>{s} {escape(w)}</span>' for s, w in STATUS_LOOK.values())
    head = "<tr><th>host</th>" + "".join(f'<th title="{escape(describe(c)["title"])}">{escape(c)}</th>'
                                         for c in controls) + "</tr>"
    rows = []
    for host in document["hosts"]:
        cells = "".join(_cell(by_key.get((host, control)), document) for control in controls)
        rows.append(f"<tr><th>{escape(host)}</th>{cells}</tr>")
    return (f'<h2>Control &times; host matrix</h2><p class="legend">{legend}<span>· not checked</span></p>'
            f'<table id="matrix">{head}{"".join(rows)}</table>')


def _cell(cell: dict | None, document: dict) -> str:
    if cell is None:
        return '<td class="none">· not checked</td>'
    symbol, word = STATUS_LOOK[cell["status"]]
    label = f"{symbol} {escape(word)}"
    if cell["status"] in ("compliant", "not_applicable"):
        return f'<td class="{cell["status"]}" title="{escape(cell["message"])}">{label}</td>'
    info = describe(cell["control"])
    evidence = "".join(_entry(e) for e in cell["evidence"])
    fact = ""
    if cell["fact"]:
        f = cell["fact"]
        fact = (f"<p>Last recorded on the host: version {escape(str(f.get('version', '?')))}, applied "
                f"{escape(str(f.get('applied_at', '?')))}</p>")
    fix = "" if cell["status"] == "remediated" else f'<p class="fix"><b>Fix:</b> {escape(info["fix"])}</p>'
    return (f'<td class="{cell["status"]}"><details id="{cell_id(cell["host"], cell["control"])}">'
            f"<summary>{label}</summary><p><b>{escape(cell['control'])} {escape(info['title'])}</b> on "
            f"{escape(cell['host'])}: {escape(cell['message'])}</p><p>Evidence ({escape(cell['role'] or 'no role')}, "
            f"checked {escape(cell['checked_at'])}):</p><ul>{evidence}</ul>{fact}{fix}</details></td>")


def _entry(entry: dict) -> str:
    """One task's line with its details (what it read or changed) below it."""
    details = "".join(f'<li class="mono">{escape(d)}</li>' for d in entry["details"])
    return f"<li>{escape(entry['task'])}" + (f"<ul>{details}</ul>" if details else "") + "</li>"


def _findings(document: dict) -> str:
    if not document["findings"]:
        return '<h2>Firewall findings</h2><p id="findings">None: no rule outside the managed ones lets ' \
               "through a flow the advisory forbids.</p>"
    rows = "".join(f"<tr><td>{escape(f['host'])}</td><td>{escape(f['control'])}</td>"
                   f"<td class=\"mono\">{escape(f['finding'])}</td></tr>" for f in document["findings"])
    return ('<h2>Firewall findings</h2><p>Rules the project does not own that let through what the advisory '
            'forbids; they were left in place for the ministry to remove.</p><table id="findings">'
            f"<tr><th>firewall</th><th>control</th><th>finding</th></tr>{rows}</table>")


def _drift(document: dict) -> str:
    drift = document["drift"]
    if drift["previous"] is None:
        return '<h2>Drift since the last report</h2><p id="drift">No earlier report of this ministry.</p>'
    since = f"since the report of {escape(str(drift['previous_started']))}"
    if not drift["items"]:
        return f'<h2>Drift since the last report</h2><p id="drift">None {since}.</p>'
    rows = "".join(
        f"<tr><td>{escape(i['host'])}</td><td>{escape(i['control'])}</td><td>{escape(i['was'])}</td>"
        f"<td>{' '.join(STATUS_LOOK[i['now']])}</td><td><ul>"
        + "".join(_entry(w) for w in i["what_changed"]) + "</ul></td></tr>"
        for i in drift["items"])
    return (f"<h2>Drift since the last report</h2><p>Cells that were met {since} and are not now (or were "
            f'fixed again by this run).</p><table id="drift"><tr><th>host</th><th>control</th><th>was</th>'
            f"<th>now</th><th>what changed</th></tr>{rows}</table>")
