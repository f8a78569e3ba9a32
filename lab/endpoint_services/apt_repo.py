"""The lab's package repository: the lab EDR agent as a real .deb, in an apt repository signed
with a lab key (``InRelease`` and ``Release.gpg``), plus a copy signed with another key that apt
must refuse (``rogue/``).

Keys live in ``<state>/apt/gnupg`` and are made once; the public key apt trusts is
``<state>/apt/lab-archive-key.asc``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

PACKAGE = "eoffice-lab-edr-agent"
VERSION = "1.0.0"
SUITE = "lab"
AGENT_SOURCES = Path(__file__).resolve().parent / "agent"
KEY_UIDS = {"lab": "eoffice-guard lab archive <archive@lab.eoffice.invalid>",
            "rogue": "someone else <rogue@lab.eoffice.invalid>"}

CONTROL = f"""Package: {PACKAGE}
Version: {VERSION}
Architecture: all
Maintainer: eoffice-guard lab <archive@lab.eoffice.invalid>
Depends: python3
Section: admin
Priority: optional
Description: lab stand-in for an EDR agent
 Enrols with the lab enrolment server, sends heartbeats, reports its status
 (eoffice-edr-agent status). For the eoffice-guard lab only.
"""


def _gpg(home: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--quiet", *args],
                          check=True, capture_output=True, **kwargs)


def ensure_key(home: Path, uid: str) -> str:
    """The fingerprint of the key with ``uid`` in ``home``, made on first use."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    listed = subprocess.run(["gpg", "--homedir", str(home), "--batch", "--with-colons", "--list-secret-keys", uid],
                            capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        _gpg(home, "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
        listed = subprocess.run(["gpg", "--homedir", str(home), "--batch", "--with-colons", "--list-secret-keys",
                                 uid], capture_output=True, text=True, check=True)
    return next(line.split(":")[9] for line in listed.stdout.splitlines() if line.startswith("fpr:"))


def build_deb(out_dir: Path) -> Path:
    """dpkg-deb of the agent: script, systemd unit, control file; byte-stable for the same sources."""
    deb = out_dir / f"{PACKAGE}_{VERSION}_all.deb"
    with tempfile.TemporaryDirectory(prefix="eoffice-lab-deb-") as tmp:
        root = Path(tmp)
        (root / "DEBIAN").mkdir()
        (root / "DEBIAN/control").write_text(CONTROL)
        (root / "usr/sbin").mkdir(parents=True)
        shutil.copy(AGENT_SOURCES / "eoffice-edr-agent", root / "usr/sbin/eoffice-edr-agent")
        (root / "usr/sbin/eoffice-edr-agent").chmod(0o755)
        (root / "usr/lib/systemd/system").mkdir(parents=True)
        shutil.copy(AGENT_SOURCES / "eoffice-edr-agent.service", root / "usr/lib/systemd/system/")
        for path in root.rglob("*"):
            os.utime(path, (0, 0))
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(deb)], check=True,
                       capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
    return deb


def _packages_stanza(deb: Path, filename: str) -> str:
    data = deb.read_bytes()
    return (CONTROL.rstrip("\n").replace("\nMaintainer", "\nInstalled-Size: 8\nMaintainer")
            + f"\nFilename: {filename}\nSize: {len(data)}\nMD5sum: {hashlib.md5(data).hexdigest()}"
            + f"\nSHA256: {hashlib.sha256(data).hexdigest()}\n\n")


def _release(index: dict[str, bytes]) -> str:
    lines = ["Origin: eoffice-guard lab", "Label: eoffice-guard lab", f"Suite: {SUITE}", f"Codename: {SUITE}",
             "Date: " + datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S UTC"),
             "Architectures: amd64", "Components: main", "SHA256:"]
    lines += [f" {hashlib.sha256(data).hexdigest()} {len(data)} {name}" for name, data in sorted(index.items())]
    return "\n".join(lines) + "\n"


def write_repo(root: Path, deb: Path, home: Path, fingerprint: str) -> None:
    """A repository under ``root`` (dists/lab/main, pool/) holding ``deb``, signed by ``fingerprint``."""
    pool = root / "pool/main/e" / PACKAGE
    pool.mkdir(parents=True, exist_ok=True)
    shutil.copy(deb, pool / deb.name)
    packages = _packages_stanza(deb, f"pool/main/e/{PACKAGE}/{deb.name}").encode()
    dist = root / "dists" / SUITE
    (dist / "main/binary-amd64").mkdir(parents=True, exist_ok=True)
    (dist / "main/binary-amd64/Packages").write_bytes(packages)
    release = dist / "Release"
    release.write_text(_release({"main/binary-amd64/Packages": packages}))
    _gpg(home, "--yes", "--local-user", fingerprint, "--digest-algo", "SHA512", "--clearsign",
         "--output", str(dist / "InRelease"), str(release))
    _gpg(home, "--yes", "--local-user", fingerprint, "--digest-algo", "SHA512", "--armor", "--detach-sign",
         "--output", str(dist / "Release.gpg"), str(release))


def build(state: Path, web_root: Path) -> Path:
    """Build both repositories into ``web_root`` (``debian/`` and ``rogue/``); returns the trusted key file."""
    home = state / "gnupg"
    keys = {name: ensure_key(home, uid) for name, uid in KEY_UIDS.items()}
    key_file = state / "lab-archive-key.asc"
    key_file.write_bytes(_gpg(home, "--armor", "--export", keys["lab"]).stdout)
    deb = build_deb(state)
    for name, tree in (("lab", "debian"), ("rogue", "rogue")):
        shutil.rmtree(web_root / tree, ignore_errors=True)
        write_repo(web_root / tree, deb, home, keys[name])
    shutil.copy(key_file, web_root / "lab-archive-key.asc")
    return key_file
