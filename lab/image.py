"""Build the lab's Debian images with debootstrap and ``podman import`` (no registry needed).

Each image is tagged with a hash of its recipe (release, package list, this file's build steps) and
rebuilt only when the recipe changes: ``python -m lab image`` is a no-op when the images are current.
The Debian mirror is the one this machine's apt already uses, or ``EOFFICE_DEBIAN_MIRROR``.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

IMAGE_PREFIX = "localhost/eoffice-lab-"
# What every lab host needs: systemd as PID 1, SSH, sudo, Python for Ansible, and the PAM modules
# the endpoint roles configure (installed here because the lab's containers have no package mirror).
PACKAGES = (
    "python3", "python3-apt", "systemd", "systemd-sysv", "dbus", "openssh-server", "sudo",
    "iproute2", "libpam-modules", "libpam-pwquality", "cracklib-runtime", "pamtester", "procps",
    # EO-ID-2 (TOTP in PAM) and EO-END-2 (ClamAV from Debian); the EDR agent comes from the lab repository
    "libpam-google-authenticator", "clamav", "clamav-daemon", "clamav-freshclam", "clamdscan",
)
# EO-VPN-1 / EO-NET: the VPN software the lab hosts are seeded with (lab/seed-vpn.sh) and the tools the
# host firewall and the tunnel checks use; baked in because the containers have no package mirror.
VPN_PACKAGES = (
    "kmod", "netbase", "nftables", "openvpn", "wireguard-tools", "wireguard-go", "charon-systemd",
    "strongswan-swanctl",
)
# Units that make no sense in a container and slow its boot.
MASKED_UNITS = (
    "systemd-udevd.service", "systemd-udevd-control.socket", "systemd-udevd-kernel.socket",
    "getty@tty1.service", "console-getty.service", "systemd-logind.service",
    "systemd-networkd-wait-online.service", "apt-daily.timer", "apt-daily-upgrade.timer",
    "e2scrub_all.timer", "fstrim.timer",
)


@dataclass(frozen=True)
class Release:
    name: str  # image name suffix
    suite: str

    @property
    def repo(self) -> str:
        return IMAGE_PREFIX + self.name


RELEASES = (Release("debian12", "bookworm"), Release("debian13", "trixie"))


def recipe_hash(release: Release) -> str:
    recipe = {
        "suite": release.suite,
        "packages": sorted(PACKAGES + VPN_PACKAGES),
        "masked": sorted(MASKED_UNITS),
        # the steps that shape the image, not the rest of this file: comments elsewhere rebuild nothing
        "steps": [inspect.getsource(f) for f in (build, _configure_rootfs)],
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]


def debian_mirror() -> str:
    """The Debian mirror apt already uses here (deb822 or one-line sources)."""
    if os.environ.get("EOFFICE_DEBIAN_MIRROR"):
        return os.environ["EOFFICE_DEBIAN_MIRROR"]
    sources = sorted(Path("/etc/apt").glob("sources.list.d/*.sources"))
    for path in [*sources, Path("/etc/apt/sources.list")]:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for uri in re.findall(r"^URIs:\s*(\S+)", text, re.M) + re.findall(
            r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.M
        ):
            if uri.rstrip("/").endswith("/debian"):
                return uri
    raise SystemExit("lab image: no Debian mirror found in apt sources; set EOFFICE_DEBIAN_MIRROR")


def image_exists(ref: str) -> bool:
    return subprocess.run(["podman", "image", "exists", ref], check=False).returncode == 0


def _run(cmd: list[str], log) -> None:
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)


def _configure_rootfs(root: Path, release: Release) -> None:
    """Make the tree a bootable container: systemd target, masked units, sshd, no apt cache."""
    for unit in MASKED_UNITS:
        (root / "etc/systemd/system" / unit).unlink(missing_ok=True)
        (root / "etc/systemd/system" / unit).symlink_to("/dev/null")
    (root / "etc/hostname").write_text(f"{release.name}\n", encoding="utf-8")
    (root / "etc/machine-id").write_text("", encoding="utf-8")
    for key in (root / "etc/ssh").glob("ssh_host_*"):
        key.unlink()  # regenerated per container by the ssh unit's keygen step
    dropin = root / "etc/systemd/system/ssh.service.d"
    dropin.mkdir(parents=True, exist_ok=True)
    (dropin / "host-keys.conf").write_text(
        "[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n",
        encoding="utf-8",
    )
    shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
    (root / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
    for lists in (root / "var/lib/apt/lists").glob("*_Packages"):
        lists.unlink()


def build(release: Release, tag: str, workdir: Path, log) -> None:
    root = workdir / "rootfs"
    _run(
        [
            "debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES + VPN_PACKAGES)}",
            release.suite, str(root), debian_mirror(),
        ],
        log,
    )
    # ssh host keys: created at first boot, not baked into the image.
    _run(["chroot", str(root), "systemctl", "enable", "ssh.service"], log)
    _configure_rootfs(root, release)
    tarball = workdir / "rootfs.tar"
    _run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(tarball), "."], log)
    _run(
        [
            "podman", "import",
            "--change", 'CMD ["/sbin/init"]',
            "--change", "STOPSIGNAL SIGRTMIN+3",
            "--change", f"LABEL eoffice.recipe={tag}",
            str(tarball), f"{release.repo}:{tag}",
        ],
        log,
    )
    _run(["podman", "tag", f"{release.repo}:{tag}", f"{release.repo}:latest"], log)


def ensure(release: Release, state_dir: Path, force: bool = False) -> str:
    """Build the release's image unless it is current; one build at a time per machine."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / "image.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_locked(release, state_dir, force)


def _ensure_locked(release: Release, state_dir: Path, force: bool) -> str:
    tag = recipe_hash(release)
    ref = f"{release.repo}:{tag}"
    if image_exists(ref) and not force:
        subprocess.run(["podman", "tag", ref, f"{release.repo}:latest"], check=True)
        print(f"lab image: {ref} is current")
        return ref
    log_path = state_dir / f"image-{release.name}.log"
    started = time.monotonic()
    print(f"lab image: building {ref} (log: {log_path})", flush=True)
    with tempfile.TemporaryDirectory(prefix="eoffice-lab-") as tmp, log_path.open("w") as log:
        try:
            build(release, tag, Path(tmp), log)
        except subprocess.CalledProcessError as err:
            raise SystemExit(f"lab image: {err.cmd[0]} failed for {release.name}; see {log_path}") from err
    print(f"lab image: built {ref} in {time.monotonic() - started:.0f} s")
    remove_stale_tags(release, tag)
    return ref


def remove_stale_tags(release: Release, current: str) -> None:
    """Drop images of older recipes so that rebuilds do not pile up on disk."""
    listed = subprocess.run(
        ["podman", "images", "--format", "{{.Repository}}:{{.Tag}}", release.repo],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    for ref in listed:
        if ref.rsplit(":", 1)[1] not in {current, "latest"}:
            subprocess.run(["podman", "rmi", ref], check=False, capture_output=True)


def main(argv: list[str]) -> int:
    from lab.control import default_state_dir

    parser = argparse.ArgumentParser(prog="python -m lab image", description=__doc__)
    parser.add_argument("--release", choices=[r.name for r in RELEASES], action="append",
                        help="build only this release (repeatable; default: all)")
    parser.add_argument("--force", action="store_true", help="rebuild even when current")
    args = parser.parse_args(argv)
    wanted = [r for r in RELEASES if not args.release or r.name in args.release]
    for release in wanted:
        ensure(release, default_state_dir(), force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
