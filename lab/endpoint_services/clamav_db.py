"""The lab's ClamAV signature database, in ClamAV's container format, built without sigtool.

A ClamAV database container (``.cvd`` signed, ``.cud`` unsigned) is a 512-byte header
``ClamAV-VDB:<build time>:<version>:<signatures>:<functionality level>:<md5>:<dsig>:<builder>:<seconds>``
padded with spaces, followed by a gzipped tar holding ``COPYING``, ``<name>.info`` (the header line
again, then ``file:size:sha256`` per signature file) and the signature files. This is what
``sigtool --unsigned --build`` writes. The official ``daily.cvd`` carries a digital signature made
with Cisco Talos' private key, which cannot be produced offline; the lab serves the unsigned
``.cud`` form, which libclamav loads as an "unsigned container" and which ``sigtool --info`` reads
like any other container. The build time is a parameter so that tests can make an old database.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from datetime import UTC, datetime

# The EICAR test file (https://www.eicar.org/download-anti-malware-testfile/), written in two parts
# so that this source file is not itself reported by a scanner.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
FUNCTIONALITY_LEVEL = 90  # ClamAV 0.103; both Debian 12 and 13 ship a newer engine
BUILDER = "eoffice-lab"


def signature_files(name: str) -> dict[str, bytes]:
    """One hash signature (.hdb: md5:size:name) and one body signature (.ndb) for the EICAR file."""
    md5 = hashlib.md5(EICAR).hexdigest()
    return {
        f"{name}.hdb": f"{md5}:{len(EICAR)}:Eoffice-Lab.Test.EICAR-HDB\n".encode(),
        f"{name}.ndb": f"Eoffice-Lab.Test.EICAR-NDB:0:0:{EICAR[:40].hex()}\n".encode(),
    }


def _header(built: datetime, version: int, sigs: int, md5: str, dsig: str) -> str:
    stamp = built.astimezone(UTC).strftime("%d %b %Y %H-%M +0000")
    return (f"ClamAV-VDB:{stamp}:{version}:{sigs}:{FUNCTIONALITY_LEVEL}:{md5}:{dsig}:{BUILDER}:"
            f"{int(built.timestamp())}")


def _tar_member(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.uname, info.gname = len(data), mtime, 0o644, "root", "root"
    tar.addfile(info, io.BytesIO(data))


def build_cud(name: str, built: datetime, version: int) -> bytes:
    """The bytes of ``<name>.cud`` built at ``built`` (timezone-aware) with ``version``."""
    files = signature_files(name)
    sigs = sum(data.count(b"\n") for data in files.values())
    info = _header(built, version, sigs, "X", "X") + "\n" + "".join(
        f"{fname}:{len(data)}:{hashlib.sha256(data).hexdigest()}\n" for fname, data in sorted(files.items())
    )
    mtime = int(built.timestamp())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        _tar_member(tar, "COPYING", b"Lab test signatures for eoffice-guard; no copyright claimed.\n", mtime)
        _tar_member(tar, f"{name}.info", info.encode(), mtime)
        for fname, data in sorted(files.items()):
            _tar_member(tar, fname, data, mtime)
    body = gzip.compress(raw.getvalue(), compresslevel=9, mtime=mtime)
    header = _header(built, version, sigs, hashlib.md5(body).hexdigest(), "X")
    return header.encode().ljust(512, b" ") + body
