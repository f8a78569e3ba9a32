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


def restart(device: Device, state_dir: Path) -> None:
    """Power-cycle one device: what it had not saved is gone."""
    process.stop(device.name, state_dir)
    process.start([device], state_dir)


def connect(device: Device, **options) -> ConnectHandler:
    """netmiko's own driver for the platform, exactly as the push module will use it."""
    params = {"device_type": device.device_type, "host": device.address, "port": device.port,
              "username": device.username, "password": device.password, "conn_timeout": 10}
    if device.secret:
        params["secret"] = device.secret
    return ConnectHandler(**(params | options))
