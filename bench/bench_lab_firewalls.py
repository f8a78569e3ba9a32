"""How many config lines per second each lab firewall accepts through netmiko (a figure, not a target).

Starts its own devices on free ports in a temporary state directory, so it runs next to a lab that
is already up. Run from the project root: ``.venv/bin/python bench/bench_lab_firewalls.py``.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netmiko import ConnectHandler

from lab.firewalls import process
from lab.firewalls.fleet import Device

OBJECTS = 200
FLEET = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def change(platform: str) -> list[str]:
    """OBJECTS address objects in the platform's own syntax."""
    nets = [f"10.{100 + i // 256}.{i % 256}.0" for i in range(OBJECTS)]
    if platform == "fortios":
        body = [line for i, net in enumerate(nets) for line in (f"edit BENCH-{i}", f"set subnet {net}/24",
                                                               "next")]
        return ["config firewall address", *body, "end"]
    if platform == "panos":
        return [f"set address BENCH-{i} ip-netmask {net}/24" for i, net in enumerate(nets)]
    return [line for i, net in enumerate(nets) for line in (f"object network BENCH-{i}",
                                                            f"subnet {net} 255.255.255.0")]


def connect(device: Device) -> ConnectHandler:
    return ConnectHandler(device_type=device.device_type, host=device.address, port=device.port,
                          username=device.username, password=device.password, secret=device.secret)


def push(device: Device) -> tuple[int, float, float]:
    """(lines, seconds for send_config_set, seconds for commit / save)."""
    lines = change(device.platform)
    with connect(device) as conn:
        started = time.perf_counter()
        conn.send_config_set(lines, read_timeout=60)
        pushed = time.perf_counter()
        if device.platform == "panos":
            conn.commit()
        elif device.platform == "asa":
            conn.save_config()
        return len(lines), pushed - started, time.perf_counter() - pushed


def main() -> int:
    with tempfile.TemporaryDirectory() as state:
        state_dir = Path(state)
        devices = [Device(f"bench-{p}", p, free_port()) for p in ("fortios", "panos", "asa")]
        fleet = [Device(f"bench-fleet-{i:02d}", ("fortios", "panos", "asa")[i % 3], free_port())
                 for i in range(FLEET)]
        try:
            started = time.perf_counter()
            process.start(fleet, state_dir)
            print(f"fleet: {FLEET} devices listening {time.perf_counter() - started:.1f} s after start")
            process.start(devices, state_dir)
            print(f"{'platform':<10}{'lines':>7}{'push s':>9}{'lines/s':>9}{'commit/save s':>15}")
            for device in devices:
                lines, seconds, commit = push(device)
                print(f"{device.platform:<10}{lines:>7}{seconds:>9.2f}{lines / seconds:>9.1f}{commit:>15.2f}")
        finally:
            for device in devices + fleet:
                process.stop(device.name, state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
