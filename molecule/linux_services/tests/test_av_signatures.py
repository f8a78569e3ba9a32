"""EO-END-2 behaviour: clamd detects EICAR with the mirror's database; stale signatures are
updated from the lab mirror; a mirror that is down leaves the host non-compliant with the reason."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime, timedelta

from conftest import CLAMAV_DB, fact, flat

from lab.endpoint_services.clamav_db import EICAR


def build_time(info: str) -> datetime:
    """What the database's own header says, as `sigtool --info` prints it."""
    return datetime.strptime(re.search(r"^Build time: (.+)$", info, re.M).group(1), "%d %b %Y %H:%M %z")


def header(node) -> str:
    return node.check_output(f"sigtool --info={CLAMAV_DB}")


def test_clamd_reports_the_eicar_test_file(node):
    node.check_output("printf '%s' " + shlex.quote(EICAR.decode()) + " > /tmp/eicar.txt")
    assert node.service("clamav-daemon").is_running
    scan = node.run("clamdscan --no-summary /tmp/eicar.txt")
    assert scan.rc == 1, scan.stdout + scan.stderr
    assert "Eoffice-Lab.Test.EICAR" in scan.stdout and "FOUND" in scan.stdout
    clean = node.run("echo harmless > /tmp/clean.txt && clamdscan --no-summary /tmp/clean.txt")
    assert clean.rc == 0 and "OK" in clean.stdout


def test_fresh_signatures_are_compliant_and_recorded(node):
    entry = fact(node, "EO-END-2")["settings"]
    assert entry["compliant"] is True and entry["clamd_running"] is True
    assert datetime.now(UTC) - build_time(header(node)) < timedelta(days=2)
    assert entry["newest_build_time"] == build_time(header(node)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_stale_signatures_are_updated_from_the_mirror(name, drift_run):
    run, after = drift_run
    assert run.returncode == 0, run.stdout[-3000:]
    seen = after[name]
    assert datetime.now(UTC) - build_time(seen["clamav_info"]) < timedelta(days=1), "the mirror's database is not in"
    assert "eoffice-lab.cud updated" in seen["freshclam_log"]
    assert seen["facts"]["EO-END-2"]["settings"]["compliant"] is True
    assert seen["freshclam_running"] and seen["clamd_running"]


def test_a_mirror_that_is_down_leaves_the_host_non_compliant(name, outage_run):
    run, facts = outage_run
    assert f"EO-END-2 non-compliant on {name}" in flat(run.stdout)
    entry = facts[name]["EO-END-2"]["settings"]
    assert entry["compliant"] is False
    assert "were built 4 days ago" in entry["reason"] and "more than the 2 allowed" in entry["reason"], entry["reason"]
    assert "the update from the mirror failed" in entry["reason"], entry["reason"]
