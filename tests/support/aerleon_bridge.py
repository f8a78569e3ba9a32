"""Give a RuleSet to Aerleon (an independent ACL generator) and get its cisco ASA, nftables, PAN-OS and
FortiGate output, through Aerleon's in-memory Python API.

Aerleon cannot say everything the managed rules say; ``expressible`` keeps the rules it can, so a
comparison drops the same rules on both sides:

- application matching (EO-R3-VPN-APPS): Aerleon terms have no application match;
- IP+MAC binding (EO-R4-BIND-*): Aerleon terms have no source-MAC match;
- rules to the firewall itself (EO-R1-*-DEV): a separate hook or device setting, not an ACL term.

One Aerleon term is written per (rule, source zone, destination zone, service), so every term is a
plain product of addresses and one protocol; its name is the rule's name with a ``.<n>`` suffix when a
rule needs several terms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from aerleon import api
from aerleon.lib import naming

from eoffice_guard.ir import ALLOW, Rule, RuleSet

#: Aerleon writes its nftables rules into a table of this fixed name
AERLEON_NFT_TABLE = "filtering_policies"
#: the table our nftables parser reads (the managed table of a gateway)
MANAGED_NFT_TABLE = "eoffice_guard"


def expressible(rule: Rule) -> bool:
    """A rule Aerleon can write as ACL terms (see the module docstring for what is left out)."""
    return not (rule.applications or rule.mac_mismatch or rule.to_device)


def common_rules(rs: RuleSet) -> RuleSet:
    """The rule set with only the rules both generators can express (same objects, same order)."""
    return dataclasses.replace(rs, rules=tuple(r for r in rs.rules if expressible(r)))


def definitions(rs: RuleSet) -> naming.Naming:
    """Aerleon's network and service definitions: one per address and port-bearing service object."""
    networks = {a.name: {"values": [{"address": str(p)} for p in a.prefixes]} for a in rs.addresses}
    services = {s.name: [{"port": str(p), "protocol": s.protocol} for p in s.ports]
                for s in rs.services if s.ports}
    defs = naming.Naming()
    defs.ParseDefinitionsObject({"networks": networks, "services": services}, "")
    return defs


def _service_parts(rs: RuleSet, rule: Rule) -> list[dict]:
    """The protocol (and destination-port service) of each term; [{}] is any protocol."""
    parts = []
    for name in rule.services:
        svc = rs.service(name)
        proto = "icmpv6" if svc.protocol == "icmpv6" else svc.protocol
        parts.append({"protocol": proto, **({"destination-port": name} if svc.ports else {})})
    return parts or [{}]


def terms(rs: RuleSet, rule: Rule, platform: str, src_zone: str | None, dst_zone: str | None) -> list[dict]:
    """Aerleon terms of one rule between two zones (None: any)."""
    base: dict = {"action": "accept" if rule.action == ALLOW else "deny"}
    if rule.sources:
        base["source-address"] = " ".join(rule.sources)
    if rule.destinations:
        base["destination-address"] = " ".join(rule.destinations)
    if rule.log and platform != "nftables":
        base["logging"] = "true"
    if platform == "nftables":
        if src_zone:
            base["source-interface"] = iface(rs, src_zone, "nftables")
        if dst_zone:
            base["destination-interface"] = iface(rs, dst_zone, "nftables")
    return [{**base, **part} for part in _service_parts(rs, rule)]


def iface(rs: RuleSet, zone: str, platform: str) -> str:
    return next(z for z in rs.zones if z.name == zone).interface(platform)


def _named(rule: Rule, term_list: list[dict], used: dict[str, int]) -> Iterator[dict]:
    """Term names: the rule's name, then ``.2``, ``.3`` ... for its further terms."""
    for term in term_list:
        used[rule.name] = used.get(rule.name, 0) + 1
        n = used[rule.name]
        yield {"name": rule.name if n == 1 else f"{rule.name}.{n}", **term}


def nftables_policy(rs: RuleSet) -> dict:
    """One dual-stack forward filter that accepts what it does not match, like the managed table."""
    used: dict[str, int] = {}
    out = []
    for rule in rs.rules:
        for src in rule.src_zones or (None,):
            for dst in rule.dst_zones or (None,):
                out += _named(rule, terms(rs, rule, "nftables", src, dst), used)
    header = {"targets": {"nftables": "mixed forward 0 ACCEPT noverbose"}}
    return {"filename": "eoffice-nftables", "filters": [{"header": header, "terms": out}]}


def asa_policy(rs: RuleSet) -> dict:
    """One access list per zone, ``EO-IN-<nameif>``, holding the rules of that source zone (or any)."""
    filters = []
    for zone in sorted(rs.zones, key=lambda z: z.interface("asa")):
        used: dict[str, int] = {}
        out = []
        for rule in rs.rules:
            if not rule.src_zones or zone.name in rule.src_zones:
                out += _named(rule, terms(rs, rule, "asa", zone.name, None), used)
        if out:
            filters.append({"header": {"targets": {"ciscoasa": f"EO-IN-{zone.interface('asa')}"}},
                            "terms": out})
    return {"filename": "eoffice-asa", "filters": filters}


def zone_pair_policy(rs: RuleSet, target: str, platform: str, options: str = "") -> dict:
    """One filter per (source zone, destination zone): the form PAN-OS and FortiGate filters take."""
    names = [z.name for z in rs.zones]
    filters = []
    used: dict[str, int] = {}  # one rulebase: a name is used once across every zone pair
    for src in names:
        for dst in names:
            if src == dst:
                continue
            out = []
            for rule in rs.rules:
                if (not rule.src_zones or src in rule.src_zones) and (not rule.dst_zones or dst in rule.dst_zones):
                    out += _named(rule, terms(rs, rule, target, src, dst), used)
            if out:
                zones = f"from-zone {iface(rs, src, platform)} to-zone {iface(rs, dst, platform)}"
                filters.append({"header": {"targets": {target: f"{zones} {options}".strip()}}, "terms": out})
    return {"filename": f"eoffice-{target}", "filters": filters}


def generate(rs: RuleSet, target: str) -> str:
    """Aerleon's output for ``target`` (ciscoasa, nftables, paloalto, fortigate) of the expressible rules."""
    common = common_rules(rs)
    builders = {"ciscoasa": lambda: asa_policy(common),
                "nftables": lambda: nftables_policy(common),
                "paloalto": lambda: zone_pair_policy(common, "paloalto", "panos"),
                "fortigate": lambda: zone_pair_policy(common, "fortigate", "fortios")}
    configs = api.Generate([builders[target]()], definitions(common))
    (text,) = configs.values()
    if target == "nftables":  # load Aerleon's rules as the gateway's managed table
        text = text.replace(f"table inet {AERLEON_NFT_TABLE} {{", f"table inet {MANAGED_NFT_TABLE} {{", 1)
    return text
