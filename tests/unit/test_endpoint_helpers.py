"""The pure parts behind EO-ID-2, EO-END-1 and EO-END-2: the lab's ClamAV container format, the age
verdict of the `clamav_signatures` module, and the filters that name accounts and inventory files."""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "plugins/modules"))
sys.path.insert(0, str(ROOT / "plugins/filter"))

import clamav_signatures  # noqa: E402
import eoffice_vars  # noqa: E402

from lab.endpoint_services.clamav_db import EICAR, build_cud  # noqa: E402

BUILT = datetime(2026, 11, 21, 7, 2, tzinfo=UTC)


def test_the_lab_database_has_a_clamav_container_header_and_body():
    data = build_cud("eoffice-lab", BUILT, 7)
    header = data[:512].decode().rstrip()
    fields = header.split(":")
    assert fields[0] == "ClamAV-VDB" and fields[1] == "21 Nov 2026 07-02 +0000"
    assert fields[2:5] == ["7", "2", "90"]  # version, signatures, functionality level
    assert fields[5] == hashlib.md5(data[512:]).hexdigest()  # the format's own checksum
    assert fields[6] == "X" and fields[8] == str(int(BUILT.timestamp()))  # unsigned; build time in seconds
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data[512:]))) as tar:
        names = tar.getnames()
        info = tar.extractfile("eoffice-lab.info").read().decode().splitlines()
        ndb = tar.extractfile("eoffice-lab.ndb").read()
    assert names[:2] == ["COPYING", "eoffice-lab.info"]
    assert info[0].startswith("ClamAV-VDB:21 Nov 2026 07-02 +0000:7:2:90:X:X:eoffice-lab:")
    assert f"eoffice-lab.ndb:{len(ndb)}:{hashlib.sha256(ndb).hexdigest()}" in info
    assert EICAR[:40].hex().encode() in ndb


def test_the_lab_database_is_byte_identical_for_the_same_input():
    assert build_cud("eoffice-lab", BUILT, 7) == build_cud("eoffice-lab", BUILT, 7)


@pytest.mark.parametrize(("text", "expected"), [
    ("21 Nov 2026 07:02 +0000", datetime(2026, 11, 21, 7, 2, tzinfo=UTC)),
    ("24 Nov 2026 09-22 -0500", datetime(2026, 11, 24, 14, 22, tzinfo=UTC)),
    ("yesterday", None),
])
def test_build_times_are_read_as_sigtool_prints_them(text, expected):
    assert clamav_signatures.parse_build_time(text) == expected


def test_sigtool_info_output_is_parsed():
    out = ("File: /var/lib/clamav/daily.cld\nBuild time: 24 Nov 2026 09:22 -0500\nVersion: 27834\n"
           "Signatures: 2071234\nFunctionality level: 90\nBuilder: raynman\nVerification OK.\n")
    entry = clamav_signatures.parse_info(out)
    assert entry == {"build_time": "2026-11-24T14:22:00Z", "version": 27834, "signatures": 2071234,
                     "builder": "raynman", "verification": "Verification OK."}


def test_the_newest_database_decides_and_the_sentence_keeps_whole_days():
    now = BUILT + timedelta(days=4, hours=5)
    old = {"file": "a.cud", "build_time": "2026-11-01T00:00:00Z"}
    new = {"file": "b.cud", "build_time": "2026-11-21T07:02:00Z"}
    verdict = clamav_signatures.verdict([old, new], 2, now)
    assert verdict["stale"] is True and verdict["age_days"] == 4.21
    assert verdict["reason"] == ("the newest signatures were built 4 days ago (2026-11-21T07:02Z), "
                                 "more than the 2 allowed")
    fresh = clamav_signatures.verdict([new], 2, BUILT + timedelta(hours=3))
    assert fresh["stale"] is False and "within the 2 days allowed" in fresh["reason"]


def test_no_readable_database_is_stale():
    broken = {"file": "x.cvd", "build_time": None, "error": "Not a CVD file"}
    assert clamav_signatures.verdict([broken], 2, BUILT)["stale"] is True


def test_human_accounts_have_a_uid_in_range_and_a_login_shell():
    passwd = {
        "root": ["x", "0", "0", "", "/root", "/bin/bash"],
        "alice": ["x", "1000", "1000", "", "/home/alice", "/bin/bash"],
        "svc": ["x", "1001", "1001", "", "/srv", "/usr/sbin/nologin"],
        "bob": ["x", "1002", "1002", "", "/home/bob", "/bin/zsh"],
        "nobody": ["x", "65534", "65534", "", "/nonexistent", "/usr/sbin/nologin"],
    }
    assert eoffice_vars.eoffice_human_accounts(passwd, 1000, 59999) == ["alice", "bob"]


def test_the_file_that_sets_a_variable_is_named(tmp_path, monkeypatch):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/linux.yml").write_text("edr_agent_profile:\n  name: x\n")
    (tmp_path / "group_vars/all.yml").write_text("other: 1\n")
    monkeypatch.chdir(tmp_path)
    assert eoffice_vars.eoffice_var_file("edr_agent_profile", str(tmp_path)) == "group_vars/linux.yml"
    assert eoffice_vars.eoffice_var_file("missing", str(tmp_path)) == "the role defaults or extra vars"
