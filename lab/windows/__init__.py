"""The lab Windows endpoints: WinRM simulators of Windows desktops that pywinrm drives unmodified.

This is a part of ``python -m lab`` (see ``lab/control.py``): ``names``, ``up``, ``down`` and
``status`` over the endpoints of the fleet (``lab.windows.fleet``). What the simulator models and
what it does not is in ``docs/lab.md``.
"""

from __future__ import annotations

from pathlib import Path

from lab.windows import process
from lab.windows.fleet import by_name, fleet


def names() -> list[str]:
    """The configured fleet plus any larger fleet still running (so ``python -m lab down`` stops it)."""
    from lab.control import fleet_names

    return fleet_names(fleet(), "windows", by_name, lambda n: by_name(n).index)


def up(names: list[str], state_dir: Path) -> None:
    process.start([by_name(n) for n in names], state_dir)


def down(names: list[str], state_dir: Path) -> None:
    for name in names:
        process.stop(name, state_dir)


def status(names: list[str], state_dir: Path) -> list[dict]:
    rows = []
    for name in names:
        endpoint = by_name(name)
        alive = process.running_pid(state_dir, name) is not None
        rows.append({
            "name": name,
            "platform": f"windows ({endpoint.scheme}, {endpoint.transport})",
            "address": endpoint.address,
            "port": endpoint.port,
            "username": endpoint.username,
            "password": endpoint.password,
            "state": "running" if alive and process.port_open(endpoint.port) else "stopped",
        })
    return rows
