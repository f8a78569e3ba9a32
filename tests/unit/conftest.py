"""Shared fixtures: the project's real policies, loaded as Ansible would see the `eoffice` value."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

import pytest
import yaml

from eoffice_guard.policy import validate_policy

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 11, 23)  # fixed, so approvals and goldens do not age with the calendar
POLICY_FILES = {
    "lab": "inventories/lab/group_vars/all/eoffice.yml",
    "example-ministry": "inventories/example-ministry/group_vars/all/eoffice.yml",
    "sample-large": "tests/data/sample-large.yml",
}


SRC_LAB = POLICY_FILES["lab"]


def load_raw(name: str) -> dict:
    return yaml.safe_load((ROOT / POLICY_FILES[name]).read_text())["eoffice"]


@pytest.fixture
def lab_raw() -> dict:
    return copy.deepcopy(load_raw("lab"))


def policy_of(name: str):
    return validate_policy(load_raw(name), POLICY_FILES[name], today=TODAY)


# -- random valid policies for property tests ------------------------------------------------------
def random_policies():
    """A hypothesis strategy of raw `eoffice` values that validate: built valid, varied in every list."""
    from hypothesis import strategies as st

    ports = st.sampled_from([22, 25, 53, 80, 123, 389, 443, 587, 636, 993, 3389, 8080, 8443, 9102])
    services = st.lists(st.builds(lambda proto, ps: {"protocol": proto, "ports": sorted(set(ps))},
                                  st.sampled_from(["tcp", "udp"]), st.lists(ports, min_size=1, max_size=3)),
                        min_size=1, max_size=3)
    vpn_protocols = st.lists(st.sampled_from(["ipsec", "l2tp", "openvpn", "pptp", "sstp", "wireguard"]),
                             min_size=1, max_size=3, unique=True)

    @st.composite
    def policy(draw):
        zone_names = ["z0", "z1", "z2"][:draw(st.integers(1, 3))]
        platforms = draw(st.lists(st.sampled_from(["asa", "fortios", "nftables", "panos"]), min_size=1,
                                  max_size=4, unique=True))
        all_zones = [*zone_names, "servers", "outside"]
        zones = {z: {p: f"{p[:2]}{i}" for p in platforms} for i, z in enumerate(all_zones)}
        networks = {"srv": ["10.10.0.0/24"] + (["fd00:10::/64"] if draw(st.booleans()) else [])}
        approved, bindings = [], []
        for i in range(draw(st.integers(1, 4))):
            name, zone = f"lan{i}", draw(st.sampled_from(zone_names))
            networks[name] = [f"10.{20 + i}.0.0/16"] + ([f"fd00:{20 + i}::/48"] if draw(st.booleans()) else [])
            approved.append({"network": name, "zone": zone})
            for host in range(draw(st.integers(0, 2))):
                bindings.append({"ip": f"10.{20 + i}.1.{10 + host}", "mac": f"02:00:00:00:{i:02x}:{host:02x}",
                                 "zone": zone, "owner": f"pc {i}.{host}"})
        management = []
        for i in range(draw(st.integers(0, 2))):
            networks[f"mgmt{i}"] = [f"10.0.50.{i}/32"]
            management.append({"network": f"mgmt{i}", "zone": draw(st.sampled_from(zone_names)),
                               "services": draw(services)})
        egress = []
        for i in range(draw(st.integers(0, 3))):
            networks[f"core{i}"] = [f"10.0.{60 + i}.0/29"]
            egress.append({"network": f"core{i}", "services": draw(services)})
        vpns = [{"name": f"vpn{i}", "peer": f"198.51.100.{10 + i}", "protocols": draw(vpn_protocols),
                 "approval_ref": f"REF-{i}", "expires": "2027-06-30"} for i in range(draw(st.integers(0, 2)))]
        svc = draw(services)
        return {"ministry": "random", "director_cyber_security": "D", "advisory_deadline": "2026-12-22",
                "zones": zones, "internet_zone": "outside", "networks": networks,
                "eoffice_servers": {"network": "srv", "zone": "servers"},
                "eoffice_services": [{"name": f"s{i}", **s} for i, s in enumerate(svc)],
                "approved_networks": approved, "management": management, "eoffice_egress": egress,
                "device_bindings": bindings, "approved_vpns": vpns}

    return policy()
