"""Background processes of the lab firewalls: start, stop, and tell whether each one is up.

Every device keeps its own directory under ``<state dir>/firewalls/<name>/``: pid file, log, host
key, saved configuration and faults. Starting a running device or stopping a stopped one does
nothing, so ``python -m lab up`` and ``down`` are safe to re-run. Starting devices records their
public host keys in ``<state dir>/known_hosts`` (OpenSSH format, ``[address]:port`` entries), the
file SSH clients check the devices against.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from lab.firewalls.faults import FaultSettings
from lab.firewalls.fleet import Device
from lab.firewalls.sshd import load_host_key

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0


def device_dir(state_dir: Path, name: str) -> Path:
    return Path(state_dir) / "firewalls" / name


def pid_file(state_dir: Path, name: str) -> Path:
    return device_dir(state_dir, name) / "serve.pid"


def log_file(state_dir: Path, name: str) -> Path:
    return device_dir(state_dir, name) / "serve.log"


def host_key_file(state_dir: Path, name: str) -> Path:
    return device_dir(state_dir, name) / "host_key"


def known_hosts_file(state_dir: Path) -> Path:
    return Path(state_dir) / "known_hosts"


def write_known_hosts(devices: list[Device], state_dir: Path) -> Path:
    """Put the devices' public host keys into the state dir's known-hosts file, replacing any older
    entry for the same address and port and keeping the others."""
    path = known_hosts_file(state_dir)
    entries: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            host, _, key = line.partition(" ")
            if key and not host.startswith("#"):
                entries[host] = key
    for device in devices:
        key = load_host_key(host_key_file(state_dir, device.name))
        entries[f"[{device.address}]:{device.port}"] = f"{key.get_name()} {key.get_base64()}"
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(f"{host} {key}\n" for host, key in entries.items()))
    tmp.replace(path)
    return path


def running_pid(state_dir: Path, name: str) -> int | None:
    """The pid of the device's server if it is alive (and really is that server, not a reused pid)."""
    try:
        pid = int(pid_file(state_dir, name).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid if b"lab.firewalls.serve" in cmdline and name.encode() in cmdline else None


def port_open(port: int, address: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((address, port), timeout=0.5):
            return True
    except OSError:
        return False


def spawn(device: Device, state_dir: Path, faults: FaultSettings | None = None) -> int | None:
    """Start the device's server unless it runs; returns the new pid (None when already running)."""
    if running_pid(state_dir, device.name):
        return None
    if port_open(device.port, device.address):
        raise RuntimeError(f"{device.name}: port {device.port} is taken by another program")
    directory = device_dir(state_dir, device.name)
    directory.mkdir(parents=True, exist_ok=True)
    load_host_key(host_key_file(state_dir, device.name))  # made now, so known_hosts can name it
    command = [sys.executable, "-m", "lab.firewalls.serve", "--device", device.name,
               "--platform", device.platform, "--port", str(device.port), "--state-dir", str(directory)]
    if faults is not None:
        command += ["--faults", json.dumps(faults.to_dict())]
    with open(log_file(state_dir, device.name), "ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    pid_file(state_dir, device.name).write_text(f"{process.pid}\n")
    return process.pid


def wait_until_listening(devices: list[Device], state_dir: Path, timeout: float = START_TIMEOUT) -> None:
    """Return once every device accepts connections; raise with the log's tail if one died."""
    deadline = time.monotonic() + timeout
    waiting = list(devices)
    while waiting:
        waiting = [d for d in waiting if not port_open(d.port, d.address)]
        for device in waiting:
            if not _alive(int(pid_file(state_dir, device.name).read_text())):
                raise RuntimeError(f"{device.name} exited at start:\n{_tail(state_dir, device.name)}")
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"{', '.join(d.name for d in waiting)} not listening after {timeout:.0f} s")
        time.sleep(0.05)


def start(devices: list[Device], state_dir: Path, faults: FaultSettings | None = None) -> None:
    for device in devices:
        spawn(device, state_dir, faults)
    wait_until_listening(devices, state_dir)
    write_known_hosts(devices, state_dir)


def stop(name: str, state_dir: Path, timeout: float = 5.0) -> None:
    """Terminate the device's server (a power-off: nothing unsaved survives)."""
    pid = running_pid(state_dir, name)
    if pid is not None:
        terminate(pid, timeout)
    pid_file(state_dir, name).unlink(missing_ok=True)


def terminate(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout``; returns once no thread of ``pid`` holds a port."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.02)
    _reap(pid)


def _alive(pid: int) -> bool:
    """Whether any thread of ``pid`` still runs (and so may hold its port).

    A just-forked child may not show its final command line yet, and a dying threaded process
    turns its main thread into a zombie before the other threads have closed its sockets.
    """
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                return True
        except (FileNotFoundError, IndexError, ProcessLookupError):
            continue
    return False


def _reap(pid: int) -> None:
    """Collect our own child's exit status so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _tail(state_dir: Path, name: str, lines: int = 20) -> str:
    path = log_file(state_dir, name)
    return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else "(no log)"
