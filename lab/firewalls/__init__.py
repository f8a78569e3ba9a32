"""The lab firewalls: SSH simulators of FortiOS, PAN-OS and Cisco ASA that netmiko drives unmodified.

This is a part of ``python -m lab`` (see ``lab/control.py``): ``names``, ``up``, ``down`` and
``status`` over the devices of the fleet (``lab.firewalls.fleet``). What the simulators model and
what they do not is in ``docs/lab.md``.
"""

from __future__ import annotations

from pathlib import Path

from lab.firewalls import process
from lab.firewalls.fleet import by_name, fleet


def names() -> list[str]:
    """The configured fleet plus any larger fleet still running (so ``python -m lab down`` stops it)."""
    from lab.control import fleet_names

    return fleet_names(fleet(), "firewalls", by_name, lambda n: by_name(n).port)


def up(names: list[str], state_dir: Path) -> None:
    process.start([by_name(n) for n in names], state_dir)


def down(names: list[str], state_dir: Path) -> None:
    for name in names:
        process.stop(name, state_dir)


def status(names: list[str], state_dir: Path) -> list[dict]:
    rows = []
    for name in names:
        device = by_name(name)
        alive = process.running_pid(state_dir, name) is not None
        rows.append({
            "name": name,
            "platform": device.platform,
            "address": device.address,
            "port": device.port,
            "username": device.username,
            "password": device.password,
            "state": "running" if alive and process.port_open(device.port) else "stopped",
        })
    return rows
