"""Which lab firewalls exist: names, platforms, ports and the lab-only credentials.

The lab has three firewalls by default, one per platform. Setting ``EOFFICE_LAB_FIREWALLS=20``
(or ``python -m lab.firewalls up --count 20``) gives a fleet of twenty; platforms rotate
FortiOS, PAN-OS, ASA, so every fleet size covers every platform. Device ``n`` listens on
127.0.0.1:``BASE_PORT + n``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

BASE_PORT = int(os.environ.get("EOFFICE_LAB_FIREWALL_BASE_PORT", "2200"))
DEFAULT_COUNT = 3
PLATFORMS = ("fortios", "panos", "asa")
SHORT = {"fortios": "fgt", "panos": "pan", "asa": "asa"}
NETMIKO_DEVICE_TYPES = {"fortios": "fortinet", "panos": "paloalto_panos", "asa": "cisco_asa"}

# Lab-only credentials: these simulators hold no real secrets and listen on loopback only.
CREDENTIALS = {
    "fortios": ("admin", "lab-fortigate"),
    "panos": ("admin", "lab-paloalto"),
    "asa": ("admin", "lab-asa"),
}
ASA_ENABLE_SECRET = "lab-asa-enable"


@dataclass(frozen=True)
class Device:
    name: str
    platform: str
    port: int
    address: str = "127.0.0.1"

    @property
    def username(self) -> str:
        return CREDENTIALS[self.platform][0]

    @property
    def password(self) -> str:
        return CREDENTIALS[self.platform][1]

    @property
    def secret(self) -> str:
        return ASA_ENABLE_SECRET if self.platform == "asa" else ""

    @property
    def device_type(self) -> str:
        return NETMIKO_DEVICE_TYPES[self.platform]


def device(index: int, base_port: int = BASE_PORT) -> Device:
    """Device number ``index`` (1-based) of the fleet."""
    platform = PLATFORMS[(index - 1) % len(PLATFORMS)]
    return Device(name=f"lab-{SHORT[platform]}-{index:02d}", platform=platform, port=base_port + index)


def fleet_size() -> int:
    return int(os.environ.get("EOFFICE_LAB_FIREWALLS", str(DEFAULT_COUNT)))


def fleet(count: int | None = None) -> dict[str, Device]:
    count = fleet_size() if count is None else count
    devices = [device(i) for i in range(1, count + 1)]
    return {d.name: d for d in devices}


def by_name(name: str) -> Device:
    """Any fleet device by name, whatever the current fleet size (lab-pan-17 is always port 2217)."""
    try:
        index = int(name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        raise KeyError(name) from None
    found = device(index)
    if found.name != name:
        raise KeyError(name)
    return found
