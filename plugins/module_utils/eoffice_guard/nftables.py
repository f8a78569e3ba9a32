"""nftables: a complete ``nft -f`` file for a Linux gateway (table ``inet eoffice_guard``).

Zones are interfaces. Forwarded traffic goes through the ``forward`` chain; rule 1's traffic to the
gateway itself through ``input``. Address objects, services and IP+MAC bindings are named sets, so
``nft list ruleset`` shows the same names and the file can be read back.
"""

from __future__ import annotations

import ipaddress
import re

from .common import (
    Address,
    Binding,
    ParsedConfig,
    Rule,
    RuleSet,
    Service,
    build_ruleset,
    header,
    merge_rule,
    pairs,
    read_header,
    zone_lookup,
)
from .ir import ALLOW

PLATFORM = "nftables"
TABLE = "eoffice_guard"
CAN_MATCH_APPLICATIONS = False
ENFORCES_DEVICE_RULES = True  # rule 1 to the gateway itself: the input chain
ENFORCES_MAC_BINDING = True
LIMITS = (
    "no application identification: VPN applications are blocked by port only (SSTP shares tcp/443)",
    "IP+MAC binding sees the MAC of the last hop: effective for directly attached segments",
    "the table accepts what it does not deny; the host's other tables may still drop it",
)
PROTO_NAMES = {"icmpv6": "ipv6-icmp"}
PROTO_FROM_NFT = {v: k for k, v in PROTO_NAMES.items()}
FAMILY = {4: "ip", 6: "ip6"}
LINE_RE = re.compile(r'comment "(EO-[^" ]+) (EO-[A-Z]+-\d+)"')


def render(rs: RuleSet) -> str:
    lines = ["#!/usr/sbin/nft -f", *header(rs, PLATFORM, "#", LIMITS), "",
             f"table inet {TABLE} {{}}", f"delete table inet {TABLE}", "", f"table inet {TABLE} {{"]
    for addr in rs.addresses:
        lines += _address_sets(addr)
    for svc in rs.services:
        lines += _service_set(svc)
    for zone in sorted({b.zone for b in rs.bindings}):
        lines += _binding_set(rs, zone)
    for chain, device in (("forward", False), ("input", True)):
        lines += [f"\tchain {chain} {{", f"\t\ttype filter hook {chain} priority filter; policy accept;",
                  "\t\tct state established,related accept"]  # stateful, like the NGFWs: replies pass
        for rule in (r for r in rs.rules if r.to_device == device):
            lines += _rule_lines(rs, rule)
        lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _elements(items: list[str]) -> list[str]:
    return [f"\t\telements = {{ {', '.join(items)} }}"] if items else []


def _address_sets(addr: Address) -> list[str]:
    out = []
    for v in (4, 6):
        prefixes = [str(p) for p in addr.prefixes if p.version == v]
        if prefixes:
            out += [f"\tset {addr.name}-{v} {{", f"\t\ttype ipv{v}_addr", "\t\tflags interval",
                    *_elements(prefixes), "\t}"]
    return out


def _service_set(svc: Service) -> list[str]:
    if svc.ports:
        return [f"\tset {svc.name} {{", "\t\ttype inet_service", *_elements([str(p) for p in svc.ports]), "\t}"]
    return [f"\tset {svc.name} {{", "\t\ttype inet_proto", *_elements([PROTO_NAMES.get(svc.protocol,
                                                                                        svc.protocol)]), "\t}"]


def _iface(rs: RuleSet, zone: str) -> str:
    return next(z for z in rs.zones if z.name == zone).interface(PLATFORM)


def _binding_set(rs: RuleSet, zone: str) -> list[str]:
    items = [f'{b.ip} . {b.mac} comment "{b.owner}"' if b.owner else f"{b.ip} . {b.mac}"
             for b in rs.bindings if b.zone == zone]
    return [f"\tset EO-BIND-{_iface(rs, zone)} {{", "\t\ttype ipv4_addr . ether_addr", *_elements(items),
            "\t}"]


def _ifaces(rs: RuleSet, key: str, zones: tuple[str, ...]) -> list[str]:
    names = [f'"{_iface(rs, z)}"' for z in zones]
    if not names:
        return []
    return [f"{key} {names[0]}" if len(names) == 1 else f"{key} {{ {', '.join(names)} }}"]


def _rule_lines(rs: RuleSet, rule: Rule) -> list[str]:
    if rule.applications:  # no application match here: the header's limit lines say so
        return []
    out = [f"\t\t# {rule.name} {rule.control}: {rule.why}"]
    zones = _ifaces(rs, "iifname", rule.src_zones) + ([] if rule.to_device else
                                                      _ifaces(rs, "oifname", rule.dst_zones))
    services = [rs.service(s) for s in rule.services] or [None]
    for src, dst, family in pairs(rs, rule):
        for svc in services:
            match = list(zones)
            if src is not None:
                match.append(f"{FAMILY[family]} saddr @{src.name}-{family}")
            if dst is not None:
                match.append(f"{FAMILY[family]} daddr @{dst.name}-{family}")
            if rule.mac_mismatch:
                if family != 4:
                    continue  # bindings are IPv4
                match.append(f"ip saddr . ether saddr != @EO-BIND-{_iface(rs, rule.src_zones[0])}")
            if svc is not None:
                match.append(f"{svc.protocol} dport @{svc.name}" if svc.ports else f"meta l4proto @{svc.name}")
            verdict = "accept" if rule.action == ALLOW else "drop"
            log = f'log prefix "{rule.name} " ' if rule.log else ""
            out.append(f'\t\t{" ".join(match)} {log}{verdict} comment "{rule.name} {rule.control}"'.replace(
                "\t\t ", "\t\t"))
    return out


# -- parse ----------------------------------------------------------------------------------------
def parse(text: str, zones=()) -> ParsedConfig:
    ministry, policy_hash = read_header(text)
    sets, rules, whys, protocols = {}, {}, {}, {}
    zone_of = zone_lookup(PLATFORM, tuple(zones))
    seen_zones = {}
    chain = ""
    ours, unmanaged = _split_tables(text)
    for block in _blocks("\n".join(ours)):
        first = block[0]
        if m := re.match(r"set (\S+) \{", first):
            sets[m.group(1)] = _set_body(block[1:])
        elif m := re.match(r"chain (\S+) \{", first):
            chain = m.group(1)
        elif m := re.match(r"# (EO-\S+) (EO-[A-Z]+-\d+): (.*)", first):
            whys[m.group(1)] = (m.group(2), m.group(3))
        elif LINE_RE.search(first):
            merge_rule(rules, _parse_rule(first, chain, whys, zone_of, seen_zones))
            if m := re.search(r"(tcp|udp) dport @(\S+)", first):
                protocols[m.group(2)] = m.group(1)
        elif first.startswith(("table ", "delete table", "type ", "ct state", "#", "}")) or not first:
            continue
        else:
            unmanaged.append(first)
    addresses, services, bindings = _objects(sets, zone_of, protocols)
    rs = build_ruleset(ministry, policy_hash, seen_zones.values(), addresses, services, bindings,
                       rules.values())
    return ParsedConfig(PLATFORM, rs, tuple(unmanaged))


def _split_tables(text: str) -> tuple[list[str], list[str]]:
    """The lines of our table, and the names of the other tables (not ours: reported, never read)."""
    ours, others, current = [], [], None
    for raw in text.splitlines():
        if m := re.match(r"table (\S+) (\S+) \{\s*$", raw):
            current = f"{m.group(1)} {m.group(2)}"
            if current != f"inet {TABLE}":
                others.append(f"table {current}")
        elif raw.startswith("}"):
            current = None
        elif current == f"inet {TABLE}":
            ours.append(raw)
    return ours, others


def _blocks(text: str) -> list[list[str]]:
    """Lines, with a ``set`` block gathered into one list (its body may wrap over lines)."""
    out, current = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if current is not None:
            current.append(line)
            if line == "}":
                out.append(current)
                current = None
        elif re.match(r"set \S+ \{$", line):
            current = [line]
        else:
            out.append([line])
    return out


def _set_body(lines: list[str]) -> dict:
    body = " ".join(lines[:-1])
    kind = re.search(r"type ([\w .]+?)(?: flags|\s+elements|$)", body)
    elements = re.search(r"elements = \{ (.*) \}", body)
    return {"type": kind.group(1).strip() if kind else "",
            "elements": _split_elements(elements.group(1)) if elements else []}


def _split_elements(text: str) -> list[str]:
    return [e.strip() for e in re.findall(r'(?:[^,"]|"[^"]*")+', text) if e.strip()]


def _parse_rule(line: str, chain: str, whys: dict, zone_of, seen_zones: dict) -> Rule:
    name, control = LINE_RE.search(line).groups()
    def zones_of(key: str) -> tuple[str, ...]:
        m = re.search(rf'{key} (?:\{{ ([^}}]*) \}}|("[^"]*"))', line)
        if not m:
            return ()
        names = re.findall(r'"([^"]*)"', m.group(1) or m.group(2))
        found = [zone_of(n) for n in names]
        seen_zones.update({z.name: z for z in found})
        return tuple(sorted(z.name for z in found))
    addrs = {k: tuple(sorted({re.sub(r"-[46]$", "", n) for n in re.findall(rf"ip6? {k} @(\S+)", line)}))
             for k in ("saddr", "daddr")}
    svc = re.search(r"(?:tcp|udp) dport @(\S+)|meta l4proto @(\S+)", line)
    return Rule(name, ALLOW if " accept " in f" {line} " else "deny", control, whys.get(name, ("", ""))[1],
                zones_of("iifname"), zones_of("oifname"), addrs["saddr"], addrs["daddr"],
                (svc.group(1) or svc.group(2),) if svc else (), (), " log " in f" {line} ", chain == "input",
                "ether saddr != @EO-BIND-" in line)


def _objects(sets: dict, zone_of, protocols: dict):
    services, bindings, prefixes = [], [], {}
    for name, body in sorted(sets.items()):
        kind, elements = body["type"], body["elements"]
        if kind in ("ipv4_addr", "ipv6_addr"):
            prefixes.setdefault(re.sub(r"-[46]$", "", name), []).extend(
                ipaddress.ip_network(e) for e in elements)
        elif kind == "inet_service":
            services.append(Service(protocols.get(name, "tcp"), tuple(sorted(int(e) for e in elements)), name))
        elif kind == "inet_proto":
            services.append(Service(PROTO_FROM_NFT.get(elements[0], elements[0]) if elements else "", (), name))
        elif kind == "ipv4_addr . ether_addr":
            zone = zone_of(name.removeprefix("EO-BIND-")).name
            for e in elements:
                m = re.match(r'(\S+) \. (\S+)(?: comment "([^"]*)")?', e)
                bindings.append(Binding(m.group(1), m.group(2), zone, m.group(3) or ""))
    return [Address.of(n, p) for n, p in prefixes.items()], services, bindings
