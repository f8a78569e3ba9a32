"""A large synthetic rule set, built straight as IR: seeded, so every run renders the same rules.

Every rule has one source and one destination zone and only matches that ACL generators can write
(addresses, services, zones): the same rules can then be given to Aerleon unchanged, and its
per-zone-pair platforms (PAN-OS, FortiGate) hold each rule once, as ours do.
"""

from __future__ import annotations

import ipaddress
import random

from eoffice_guard.ir import ALLOW, DENY, Address, Rule, RuleSet
from eoffice_guard.policy import Zone
from eoffice_guard.schema import Service

PLATFORM_NAMES = {"fortios": "port{}", "panos": "zone{}", "asa": "nameif{}", "nftables": "eth{}"}


def zones(count: int) -> tuple[Zone, ...]:
    return tuple(Zone(f"z{i}", tuple((p, fmt.format(i)) for p, fmt in sorted(PLATFORM_NAMES.items())))
                 for i in range(count))


def addresses(rng: random.Random, count: int) -> tuple[Address, ...]:
    """``count`` objects of one to three prefixes; one in five also holds an IPv6 prefix."""
    out = []
    for i in range(count):
        nets = [ipaddress.ip_network(f"10.{i // 256 % 256}.{i % 256}.{rng.choice((0, 64, 128))}/"
                                     f"{rng.choice((26, 27, 28))}")]
        nets += [ipaddress.ip_network(f"172.{16 + i % 16}.{rng.randrange(256)}.{rng.randrange(256)}/32")
                 for _ in range(rng.randrange(3))]
        if i % 5 == 0:
            nets.append(ipaddress.ip_network(f"fd00:{i:x}:{rng.randrange(65536):x}::/64"))
        out.append(Address.of(f"EO-NET-bench-{i:05d}", nets))
    return tuple(out)


def services(rng: random.Random, count: int) -> tuple[Service, ...]:
    out = []
    for i in range(count):
        protocol = rng.choice(("tcp", "tcp", "udp"))
        ports = tuple(sorted(rng.sample(range(1024, 65536), rng.randint(1, 4))))
        out.append(Service(protocol, ports, f"EO-SVC-bench-{i:04d}"))
    return tuple(sorted(out, key=lambda s: s.name))


def rules(rng: random.Random, count: int, zone_names, address_names, service_names) -> tuple[Rule, ...]:
    """Rules of group 5 (allow) and 6 (deny) as the managed slice orders them."""
    out = []
    for i in range(count):
        src, dst = rng.sample(zone_names, 2)
        allow = i < count * 4 // 5
        out.append(Rule(
            f"EO-R{5 if allow else 6}-BENCH-{i:05d}", ALLOW if allow else DENY, "EO-NET-3",
            f"synthetic rule {i}", (src,), (dst,),
            tuple(sorted(rng.sample(address_names, rng.randint(1, 4)))),
            tuple(sorted(rng.sample(address_names, rng.randint(1, 4)))),
            tuple(sorted(rng.sample(service_names, rng.randint(1, 3))))))
    return tuple(out)


def ruleset(rule_count: int = 5_000, address_count: int = 20_000, service_count: int = 500,
            zone_count: int = 6, seed: int = 2026) -> RuleSet:
    rng = random.Random(seed)
    zs = zones(zone_count)
    addrs = addresses(rng, address_count)
    svcs = services(rng, service_count)
    rs = rules(rng, rule_count, [z.name for z in zs], [a.name for a in addrs], [s.name for s in svcs])
    return RuleSet(ministry="bench", policy_hash="0" * 64, zones=zs, addresses=addrs, services=svcs,
                   bindings=(), rules=rs)
