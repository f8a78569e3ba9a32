"""Background processes of the lab Windows endpoints, and a handle tests use to drive one.

Every endpoint keeps its own directory ``<state dir>/windows/<name>/``: ``serve.pid``, ``serve.log``,
``state.json`` (the host), ``commands.jsonl`` (every command a script ran, read or change),
``stats.json`` (WS-Man requests and PowerShell invocations), ``faults.json`` and its TLS key and
certificate. The lab CA is ``<state dir>/windows/lab-ca.pem``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lab.firewalls.process import _alive, port_open, terminate

__all__ = ["port_open"]
from lab.windows import pki
from lab.windows.faults import WinFaultSettings, write_faults
from lab.windows.fleet import PASSWORD, USERNAME, WinEndpoint

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0


def windows_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "windows"


def endpoint_dir(state_dir: Path, name: str) -> Path:
    return windows_dir(state_dir) / name


def ca_path(state_dir: Path) -> Path:
    return windows_dir(state_dir) / "lab-ca.pem"


def running_pid(state_dir: Path, name: str) -> int | None:
    try:
        pid = int((endpoint_dir(state_dir, name) / "serve.pid").read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid if b"lab.windows.serve" in cmdline and name.encode() in cmdline else None


def spawn(name: str, state_dir: Path, http_port: int | None, https_port: int | None, seed: str | dict,
          ipv4: str = "10.40.0.11", faults: dict | None = None) -> int | None:
    """Start the endpoint unless it runs; returns the new pid (None when already running)."""
    if running_pid(state_dir, name):
        return None
    for port in (http_port, https_port):
        if port and port_open(port):
            raise RuntimeError(f"{name}: port {port} is taken by another program")
    directory = endpoint_dir(state_dir, name)
    directory.mkdir(parents=True, exist_ok=True)
    pki.ensure_ca(windows_dir(state_dir))  # before the endpoints start, so they all share it
    if isinstance(seed, dict):
        seed_file = directory / "seed.json"
        seed_file.write_text(json.dumps(seed))
        seed_arg = "@" + str(seed_file)
    else:
        seed_arg = seed
    command = [sys.executable, "-m", "lab.windows.serve", "--name", name, "--state-dir", str(directory),
               "--ca-dir", str(windows_dir(state_dir)), "--seed", seed_arg, "--ipv4", ipv4]
    if http_port:
        command += ["--http-port", str(http_port)]
    if https_port:
        command += ["--https-port", str(https_port)]
    if faults is not None:
        command += ["--faults", json.dumps(WinFaultSettings.from_dict(faults).to_dict())]
    with open(directory / "serve.log", "ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    (directory / "serve.pid").write_text(f"{process.pid}\n")
    return process.pid


def wait_listening(names_ports: list[tuple[str, list[int]]], state_dir: Path, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(names_ports)
    while waiting:
        waiting = [(n, ports) for n, ports in waiting if not all(port_open(p) for p in ports)]
        for name, _ in waiting:
            pid_file = endpoint_dir(state_dir, name) / "serve.pid"
            if not _alive(int(pid_file.read_text())):
                log = endpoint_dir(state_dir, name) / "serve.log"
                tail = "\n".join(log.read_text().splitlines()[-20:]) if log.exists() else "(no log)"
                raise RuntimeError(f"{name} exited at start:\n{tail}")
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"{', '.join(n for n, _ in waiting)} not listening after {timeout:.0f} s")
        time.sleep(0.05)


def start(endpoints: list[WinEndpoint], state_dir: Path) -> None:
    for endpoint in endpoints:
        spawn(endpoint.name, state_dir, endpoint.http_port, endpoint.https_port, endpoint.seed, endpoint.ipv4)
    # fifty endpoints start in about as many seconds on two cores: wait in proportion
    wait_listening([(e.name, [e.http_port, e.https_port]) for e in endpoints], state_dir,
                   max(START_TIMEOUT, 1.5 * len(endpoints)))


def stop(name: str, state_dir: Path, timeout: float = 5.0) -> None:
    """Terminate the endpoint (a power-off; its state file is always complete)."""
    pid = running_pid(state_dir, name)
    if pid is not None:
        terminate(pid, timeout)
    (endpoint_dir(state_dir, name) / "serve.pid").unlink(missing_ok=True)


@dataclass
class Endpoint:
    """A running lab Windows endpoint, for tests: where it listens, how to log in, what it did."""

    name: str
    state_dir: Path
    http_port: int | None
    https_port: int | None
    host: str = "127.0.0.1"
    username: str = USERNAME
    password: str = PASSWORD

    @classmethod
    def start(cls, state_dir: Path, name: str, http_port: int | None = None, https_port: int | None = None,
              seed: str | dict = "tap_wireguard", faults: dict | None = None, ipv4: str = "10.40.0.11") -> Endpoint:
        spawn(name, Path(state_dir), http_port, https_port, seed, ipv4, faults)
        wait_listening([(name, [p for p in (http_port, https_port) if p])], Path(state_dir))
        return cls(name, Path(state_dir), http_port, https_port)

    @property
    def directory(self) -> Path:
        return endpoint_dir(self.state_dir, self.name)

    @property
    def ca_path(self) -> str:
        return str(ca_path(self.state_dir))

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.http_port}/wsman"

    @property
    def https_url(self) -> str:
        return f"https://{self.host}:{self.https_port}/wsman"

    def state(self) -> dict:
        return json.loads((self.directory / "state.json").read_text())

    def command_log(self) -> list[dict]:
        path = self.directory / "commands.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def changes(self) -> list[dict]:
        return [entry for entry in self.command_log() if entry["kind"] == "change"]

    def stats(self) -> dict:
        path = self.directory / "stats.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def set_faults(self, **faults) -> None:
        write_faults(self.directory / "faults.json", WinFaultSettings.from_dict(faults))

    def stop(self) -> None:
        stop(self.name, self.state_dir)

    def restart(self) -> None:
        self.stop()
        spawn(self.name, self.state_dir, self.http_port, self.https_port, "tap_wireguard")
        wait_listening([(self.name, [p for p in (self.http_port, self.https_port) if p])], self.state_dir)

