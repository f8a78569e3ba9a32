"""The lab's endpoint services: package repository, ClamAV mirror, EDR enrolment server.

They serve the Debian lab hosts over a podman network of their own (``eoffice-lab``, 10.89.83.0/24):
each service is a process on this machine bound to the network's gateway address, which the
containers reach as their default route. Names, ports and the network come from the environment so
that a test can run a second set next to a running lab:

| variable | default |
| --- | --- |
| ``EOFFICE_LAB_NETWORK`` | ``eoffice-lab`` |
| ``EOFFICE_LAB_SUBNET`` | ``10.89.83.0/24`` (the services listen on its first address) |
| ``EOFFICE_LAB_SERVICES_BASE_PORT`` | ``8380``: repository 8380, ClamAV mirror 8381, enrolment 8382 |
| ``EOFFICE_LAB_EDR_TOKEN`` | the lab's enrolment token (lab-only, see docs/lab.md) |
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lab.endpoint_services import apt_repo, clamav_db

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LAB_EDR_TOKEN = "lab-edr-enrolment-2026"  # lab-only credential, printed by `python -m lab status`
CLAMAV_DB = "eoffice-lab"
MIRROR_MAX_AGE = timedelta(hours=12)  # `up` rebuilds the served database when it is older


@dataclass(frozen=True)
class Service:
    name: str
    offset: int  # port = base port + offset
    kind: str  # static | enrolment
    platform: str


SERVICES = (
    Service("lab-apt-repo", 0, "static", "apt repository (http)"),
    Service("lab-clamav-mirror", 1, "static", "clamav mirror (http)"),
    Service("lab-edr-server", 2, "enrolment", "edr enrolment (http)"),
)
BY_NAME = {service.name: service for service in SERVICES}


def network() -> str:
    return os.environ.get("EOFFICE_LAB_NETWORK", "eoffice-lab")


def subnet() -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(os.environ.get("EOFFICE_LAB_SUBNET", "10.89.83.0/24"))


def address() -> str:
    return str(next(subnet().hosts()))


def port(name: str) -> int:
    return int(os.environ.get("EOFFICE_LAB_SERVICES_BASE_PORT", "8380")) + BY_NAME[name].offset


def url(name: str) -> str:
    return f"http://{address()}:{port(name)}"


def edr_token() -> str:
    return os.environ.get("EOFFICE_LAB_EDR_TOKEN", LAB_EDR_TOKEN)


def names() -> list[str]:
    return [service.name for service in SERVICES]


def _dir(state_dir: Path) -> Path:
    return Path(state_dir) / "endpoint-services"


def _pid_file(state_dir: Path, name: str) -> Path:
    return _dir(state_dir) / f"{name}.pid"


def running_pid(state_dir: Path, name: str) -> int | None:
    try:
        pid = int(_pid_file(state_dir, name).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ValueError):
        return None
    return pid if b"lab.endpoint_services.serve" in cmdline else None


def ensure_network() -> None:
    """The podman network the lab hosts join; created once, with the subnet the services listen on."""
    found = subprocess.run(["podman", "network", "inspect", "--format", "{{range .Subnets}}{{.Subnet}} {{end}}",
                            network()], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        subprocess.run(["podman", "network", "create", "--subnet", str(subnet()), "--gateway", address(),
                        "--label", "eoffice.lab=network", network()], check=True, capture_output=True)
    elif str(subnet()) not in found.stdout.split():
        # the services would listen on an address that no container can reach
        raise RuntimeError(f"podman network {network()} has subnet {found.stdout.strip()}, not {subnet()}: "
                           f"remove it (podman network rm {network()}) or set EOFFICE_LAB_SUBNET")


def remove_network() -> None:
    subprocess.run(["podman", "network", "rm", network()], check=False, capture_output=True)


def publish_clamav_database(root: Path, built: datetime | None = None) -> Path:
    """Write ``<root>/eoffice-lab.cud`` with the next version, unless the one there is recent enough."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{CLAMAV_DB}.cud"
    meta = root / "published.json"
    previous = json.loads(meta.read_text()) if meta.exists() else {"version": 0, "built": 0}
    now = built or datetime.now(UTC)
    if built is None and target.exists() and now.timestamp() - previous["built"] < MIRROR_MAX_AGE.total_seconds():
        return target
    version = previous["version"] + 1
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(clamav_db.build_cud(CLAMAV_DB, now, version))
    os.replace(tmp, target)
    meta.write_text(json.dumps({"version": version, "built": int(now.timestamp())}) + "\n")
    return target


def _prepare(state_dir: Path, name: str) -> list[str]:
    """Build what the service serves; returns its serve.py arguments."""
    base = _dir(state_dir)
    if name == "lab-apt-repo":
        apt_repo.build(base / "apt", base / "www-apt")
        return ["static", "--root", str(base / "www-apt")]
    if name == "lab-clamav-mirror":
        publish_clamav_database(base / "www-clamav")
        return ["static", "--root", str(base / "www-clamav")]
    return ["enrolment", "--state", str(base / "enrolment.json")]


def start(state_dir: Path, name: str) -> None:
    if running_pid(state_dir, name):
        return
    if _listening(port(name)):
        raise RuntimeError(f"{name}: {address()}:{port(name)} is taken by another program")
    args = _prepare(state_dir, name)
    command = [sys.executable, "-m", "lab.endpoint_services.serve", "--address", address(),
               "--port", str(port(name)), *args]
    env = {**os.environ, "EOFFICE_LAB_EDR_TOKEN": edr_token()}
    with open(_dir(state_dir) / f"{name}.log", "ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True, env=env)
    _pid_file(state_dir, name).write_text(f"{process.pid}\n")
    deadline = time.monotonic() + 10
    while not _listening(port(name)):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start; see {_dir(state_dir) / (name + '.log')}")
        time.sleep(0.1)


def _listening(number: int) -> bool:
    out = subprocess.run(["ss", "-Hltn", f"sport = :{number}"], capture_output=True, text=True, check=False)
    return f"{address()}:{number}" in out.stdout


def stop(state_dir: Path, name: str) -> None:
    pid = running_pid(state_dir, name)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
    _pid_file(state_dir, name).unlink(missing_ok=True)


def up(selected: list[str], state_dir: Path) -> None:
    _dir(state_dir).mkdir(parents=True, exist_ok=True)
    ensure_network()
    for name in selected:
        start(state_dir, name)


def down(selected: list[str], state_dir: Path) -> None:
    for name in selected:
        stop(state_dir, name)
    if not any(running_pid(state_dir, name) for name in names()):
        remove_network()


def status(selected: list[str], state_dir: Path) -> list[dict]:
    return [
        {
            "name": name,
            "platform": BY_NAME[name].platform,
            "address": f"{address()} ({network()})",
            "port": port(name),
            "username": "-",
            "password": f"token {edr_token()}" if name == "lab-edr-server" else "-",
            "state": "running" if running_pid(state_dir, name) else "stopped",
        }
        for name in selected
    ]
