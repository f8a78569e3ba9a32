"""Which lab Windows endpoints exist: names, ports, transport, seed and the lab-only credentials.

Endpoint ``n`` (1-based) listens on 127.0.0.1 with HTTP on ``HTTP_BASE + n`` and HTTPS on
``HTTPS_BASE + n``. Every third endpoint is reached over HTTP with NTLM message encryption, the
others over HTTPS with Basic authentication and the lab CA; the seeds rotate, so every fleet size
has each kind of non-compliance. ``EOFFICE_LAB_WINDOWS=50`` makes a fleet of fifty.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

HTTP_BASE = int(os.environ.get("EOFFICE_LAB_WINRM_HTTP_BASE_PORT", "15980"))
HTTPS_BASE = int(os.environ.get("EOFFICE_LAB_WINRM_HTTPS_BASE_PORT", "16980"))
DEFAULT_COUNT = 3
# every seed of the estate can be brought to compliance (the stale-source seed is for tests)
SEED_ROTATION = ("tap_wireguard", "wireguard_sstp", "tap_lockout")
# Lab-only credentials of a local account on the simulated hosts; they protect nothing.
USERNAME = "eoadmin"
PASSWORD = "lab-windows"


@dataclass(frozen=True)
class WinEndpoint:
    name: str
    index: int
    http_port: int
    https_port: int
    address: str = "127.0.0.1"

    @property
    def seed(self) -> str:
        return SEED_ROTATION[(self.index - 1) % len(SEED_ROTATION)]

    @property
    def transport(self) -> str:
        """How the inventory reaches it: ``ntlm`` over HTTP (sealed) or ``basic`` over HTTPS."""
        return "ntlm" if self.index % 3 == 0 else "basic"

    @property
    def scheme(self) -> str:
        return "http" if self.transport == "ntlm" else "https"

    @property
    def port(self) -> int:
        return self.http_port if self.scheme == "http" else self.https_port

    @property
    def ipv4(self) -> str:
        """The management adapter's address in the model (what Get-NetIPAddress shows)."""
        return f"10.40.{self.index // 250}.{10 + self.index % 250}"

    @property
    def username(self) -> str:
        return USERNAME

    @property
    def password(self) -> str:
        return PASSWORD


def endpoint(index: int) -> WinEndpoint:
    return WinEndpoint(name=f"lab-win-{index:02d}", index=index, http_port=HTTP_BASE + index,
                       https_port=HTTPS_BASE + index)


def fleet_size() -> int:
    return int(os.environ.get("EOFFICE_LAB_WINDOWS", str(DEFAULT_COUNT)))


def fleet(count: int | None = None) -> dict[str, WinEndpoint]:
    size = fleet_size() if count is None else count
    return {e.name: e for e in (endpoint(i) for i in range(1, size + 1))}


def by_name(name: str) -> WinEndpoint:
    prefix = "lab-win-"
    if not name.startswith(prefix) or not name[len(prefix):].isdigit():
        raise KeyError(name)
    return endpoint(int(name[len(prefix):]))
