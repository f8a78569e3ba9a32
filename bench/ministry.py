"""A generated ministry policy (the `eoffice` value), seeded: what a mid-sized to large ministry writes.

``ministry(devices=2000)`` gives 200 approved networks in 8 internal zones, 50 management sources,
100 egress destinations, two approved VPNs and ``devices`` bound devices spread over the approved
networks, IPv6 prefixes on one network in ten. Every value is valid, so ``validate_policy`` accepts it.
"""

from __future__ import annotations

import random

PLATFORM_NAMES = {"fortios": "port{}", "panos": "zone{}", "asa": "nameif{}", "nftables": "eth{}"}
INSIDE_ZONES = 8


def _zones() -> dict:
    names = ["outside", "servers", *(f"floor{i}" for i in range(INSIDE_ZONES))]
    return {z: {p: fmt.format(i) for p, fmt in PLATFORM_NAMES.items()} for i, z in enumerate(names)}


def ministry(devices: int = 2000, approved: int = 200, management: int = 50, egress: int = 100,
             seed: int = 2026) -> dict:
    rng = random.Random(seed)
    networks: dict[str, list[str]] = {"eoffice": ["10.10.5.0/28", "fd00:10:5::/64"]}
    approved_refs = []
    for i in range(approved):
        prefixes = [f"10.{20 + i // 200}.{i % 200}.0/24"]
        if i % 10 == 0:
            prefixes.append(f"fd00:20:{i:x}::/64")
        networks[f"lan-{i:03d}"] = prefixes
        approved_refs.append({"network": f"lan-{i:03d}", "zone": f"floor{i % INSIDE_ZONES}"})
    bindings = []
    for n in range(devices):
        i = n % approved
        bindings.append({"ip": f"10.{20 + i // 200}.{i % 200}.{10 + n // approved}",
                         "mac": f"02:00:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}:01",
                         "zone": f"floor{i % INSIDE_ZONES}", "owner": f"desk {n}"})
    mgmt = []
    for i in range(management):
        networks[f"mgmt-{i:02d}"] = [f"10.0.50.{10 + i}/32"]
        mgmt.append({"network": f"mgmt-{i:02d}", "zone": f"floor{i % INSIDE_ZONES}",
                     "services": [{"protocol": "tcp", "ports": sorted(rng.sample([22, 443, 161, 5986], 2))}]})
    egress_refs = []
    for i in range(egress):
        networks[f"core-{i:03d}"] = [f"10.1.{i}.0/29"]
        egress_refs.append({"network": f"core-{i:03d}",
                            "services": [{"protocol": rng.choice(["tcp", "udp"]),
                                          "ports": sorted(rng.sample([25, 53, 123, 389, 636, 1514], 2))}]})
    return {
        "ministry": "bench", "director_cyber_security": "Director <dcs@bench.example.gov>",
        "advisory_deadline": "2026-12-22", "zones": _zones(), "internet_zone": "outside",
        "networks": networks, "eoffice_servers": {"network": "eoffice", "zone": "servers"},
        "eoffice_services": [{"name": "https", "protocol": "tcp", "ports": [443]},
                             {"name": "submission", "protocol": "tcp", "ports": [587]}],
        "approved_networks": approved_refs, "management": mgmt, "eoffice_egress": egress_refs,
        "device_bindings": bindings,
        "approved_vpns": [{"name": f"partner-{i}", "peer": f"198.51.100.{10 + i}", "protocols": ["ipsec"],
                           "approval_ref": f"NITB-VPN-2026-{i:03d}", "expires": "2027-06-30"}
                          for i in range(2)],
    }
