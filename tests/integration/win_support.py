"""Lab Windows endpoints for the client's tests: each on ports of its own (5800-5899), reached as a ministry's
inventory would describe it."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from pathlib import Path

from lab.windows.process import Endpoint

_PORTS = itertools.cycle(range(5810, 5900, 2))

LAB_EDR = {"name": "Lab EDR Agent", "msi": "\\\\labfs.lab.example\\software\\LabEDR-2.4.1-x64.msi",
           "product_code": "{6F1C2A4E-3B5D-4C7A-9E11-0A2B3C4D5E6F}", "service": "LabEdrAgent",
           "properties": ["ENROLLMENT_TOKEN=lab-enrol-7f3a9c", "TENANT_ID=lab-tenant"],
           "enrolment_key": "HKLM:\\SOFTWARE\\LabEDR\\Agent", "enrolment_value": "EnrollmentState"}
APPROVED_VPNS = [{"name": "nitb-s2s", "peer": "198.51.100.10", "protocols": ["ipsec"],
                  "approval_ref": "NITB-VPN-2026-014", "expires": "2099-06-30"}]
MODULE_ARGS = {
    "win_vpn_adapters": {"approved_vpns": APPROVED_VPNS, "approved_servers": {"nitb-s2s": ["vpn.ministry.example"]},
                         "adapter_patterns": None, "extra_adapter_patterns": [], "approved_adapters": [],
                         "software_patterns": None, "approved_software": [], "uninstall_software": False},
    "win_password_policy": {"min_length": 14, "complexity": True, "history": 24, "max_age_days": 90, "min_age_days": 1,
                            "lockout_threshold": 5, "lockout_duration_minutes": 15, "lockout_reset_minutes": 15},
    "win_defender": {"max_signature_age_hours": 24, "update_source": "InternalDefinitionUpdateServer",
                     "file_share": ""},
    "win_edr_agent": {"profile": LAB_EDR},
}


def module_args(module: str, **over) -> dict:
    return {"gathered": None, "command_timeout": 60} | MODULE_ARGS[module] | over


@contextmanager
def endpoint(state_dir: Path, name: str, seed: str = "tap_wireguard", **faults):
    http = next(_PORTS)
    https = http + 1
    ep = Endpoint.start(state_dir, name=name, http_port=http, https_port=https, seed=seed, faults=faults or None)
    try:
        yield ep
    finally:
        ep.stop()


def hostvars(ep, scheme: str = "https", password: str | None = None) -> dict:
    """The inventory variables a ministry's Windows inventory already has (HTTPS with its CA, or HTTP + NTLM)."""
    port = ep.https_port if scheme == "https" else ep.http_port
    common = {"ansible_host": ep.host, "ansible_port": port, "ansible_user": ep.username,
              "ansible_password": ep.password if password is None else password}
    if scheme == "https":
        return common | {"ansible_winrm_transport": "basic", "ansible_winrm_ca_trust_path": ep.ca_path}
    return common | {"ansible_winrm_transport": "ntlm", "ansible_winrm_scheme": "http"}


def state_bytes(ep) -> bytes:
    return (Path(ep.directory) / "state.json").read_bytes()
