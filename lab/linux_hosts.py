"""The lab's Debian hosts: one podman container per release, systemd as PID 1.

Ansible reaches them with the ``containers.podman.podman`` connection (``podman exec``), so they
need no SSH keys on the controller. They sit on the lab network of ``lab.endpoint_services``, where
the package repository, the ClamAV mirror and the EDR enrolment server answer (and their sshd too).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from lab import endpoint_services
from lab.image import RELEASES, ensure

SEED_VPN = Path(__file__).resolve().parent / "seed-vpn.sh"

HOSTS = {f"lab-{release.name}": release for release in RELEASES}
CONTAINER_PREFIX = "eoffice-"


def names() -> list[str]:
    return sorted(HOSTS)


def container(name: str) -> str:
    return CONTAINER_PREFIX + name


def _podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], check=check, capture_output=True, text=True)


def _state(name: str) -> str:
    result = _podman("container", "inspect", "--format", "{{.State.Status}}", container(name), check=False)
    return result.stdout.strip() if result.returncode == 0 else "absent"


def _image_id(ref: str) -> str:
    return _podman("image", "inspect", "--format", "{{.Id}}", ref).stdout.strip()


def _runs_image(name: str, image: str) -> bool:
    used = _podman("container", "inspect", "--format", "{{.Image}}", container(name), check=False)
    return used.returncode == 0 and used.stdout.strip() == _image_id(image)


def up(hosts: list[str], state_dir: Path) -> None:
    """Start each host; a host on an outdated image is started afresh from the current one."""
    endpoint_services.ensure_network()
    for name in hosts:
        image = ensure(HOSTS[name], state_dir)
        state = _state(name)
        if state == "running" and _runs_image(name, image):
            continue
        if state != "absent":
            _podman("rm", "-f", container(name))
        _podman(
            "run", "--detach", "--name", container(name), "--hostname", name,
            "--systemd=always", f"--network={endpoint_services.network()}", "--label", "eoffice.lab=linux",
            # EO-VPN-1: tunnels must be possible here, so that the lab can show them removed
            "--cap-add", "NET_ADMIN", "--device", "/dev/net/tun", image,
        )
        seed(name)


def seed(name: str) -> None:
    """Seed a freshly started host non-compliant (a live WireGuard tunnel, OpenVPN, a VPN profile)."""
    _podman("exec", container(name), "systemctl", "is-system-running", "--wait", check=False)
    _podman("cp", str(SEED_VPN), f"{container(name)}:/usr/local/sbin/eoffice-lab-seed-vpn")
    _podman("exec", container(name), "sh", "/usr/local/sbin/eoffice-lab-seed-vpn")


def down(hosts: list[str], state_dir: Path) -> None:
    for name in hosts:
        if _state(name) != "absent":
            _podman("rm", "--force", "--time", "5", container(name))


def status(hosts: list[str], state_dir: Path) -> list[dict]:
    return [
        {
            "name": name,
            "platform": f"debian ({HOSTS[name].suite})",
            "address": f"podman:{container(name)}",
            "port": "-",
            "username": "root",
            "password": "-",
            "state": _state(name),
        }
        for name in hosts
    ]
