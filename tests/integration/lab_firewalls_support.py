"""Start lab firewalls on free ports in a private state directory, and reach them with netmiko.

Tests never use the lab's fixed ports, so they run next to a lab started with ``python -m lab up``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netmiko import ConnectHandler

from lab.firewalls import process
from lab.firewalls.faults import FaultSettings
from lab.firewalls.fleet import Device

PLATFORMS = ("fortios", "panos", "asa")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_device(platform: str, name: str | None = None) -> Device:
    return Device(name=name or f"test-{platform}-{free_port()}", platform=platform, port=free_port())


@contextmanager
def running(devices: list[Device], state_dir: Path, faults: FaultSettings | None = None) -> Iterator[None]:
    """Devices up for the block's duration, always stopped afterwards."""
    try:
        process.start(devices, state_dir, faults)
        yield
    finally:
        for device in devices:
            process.stop(device.name, state_dir)


def one_of_each_platform(tmp_path_factory, faults: FaultSettings | None = None):
    """Body of a module fixture: one device per platform in a fresh state dir, as (devices, state_dir)."""
    state_dir = tmp_path_factory.mktemp("firewalls")
    devices = {platform: lab_device(platform) for platform in PLATFORMS}
    with running(list(devices.values()), state_dir, faults):
        yield devices, state_dir


def restart(device: Device, state_dir: Path) -> None:
    """Power-cycle one device: what it had not saved is gone."""
    process.stop(device.name, state_dir)
    process.start([device], state_dir)


def known_hosts(state_dir: Path) -> Path:
    """The known-hosts file holding the host keys of the devices started in ``state_dir``."""
    return process.known_hosts_file(state_dir)


def connect(device: Device, known_hosts_file: Path | None = None, **options) -> ConnectHandler:
    """netmiko's own driver for the platform, exactly as the push module will use it; with a
    known-hosts file, the device's host key is checked against it (unknown or changed: refused)."""
    params = {"device_type": device.device_type, "host": device.address, "port": device.port,
              "username": device.username, "password": device.password, "conn_timeout": 10}
    if device.secret:
        params["secret"] = device.secret
    if known_hosts_file is not None:
        params |= {"ssh_strict": True, "system_host_keys": False, "alt_host_keys": True,
                   "alt_key_file": str(known_hosts_file)}
    return ConnectHandler(**(params | options))
