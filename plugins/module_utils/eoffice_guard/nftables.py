"""nftables: a complete ``nft -f`` file for a Linux gateway (table ``inet eoffice_guard``).

Zones are interfaces. Forwarded traffic goes through the ``forward`` chain; rule 1's traffic to the
gateway itself through ``input``. Address objects, services and IP+MAC bindings are named sets, so
``nft list ruleset`` shows the same names and the file can be read back.
"""

from __future__ import annotations

import dataclasses
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
    hooks: dict[str, str] = {}  # base chain -> its hook
    callers: dict[str, str] = {}  # chain -> the chain that jumps to it
    inline_lines: list[tuple[str, str]] = []
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
        elif m := re.match(r"type filter hook (\w+)", first):
            hooks[chain] = m.group(1)
        elif m := re.match(r"(?:jump|goto) (\S+)$", first):
            callers[m.group(1)] = chain
        elif first.startswith(("table ", "delete table", "type ", "ct state", "#", "}")) or not first:
            continue
        elif chain.startswith("EO-"):  # a chain of its own per managed rule, matches written in place
            inline_lines.append((chain, first))
        else:
            unmanaged.append(first)
    inline, notes = _Inline(), []
    for rule in _inline_rules(inline_lines, hooks, callers, zone_of, seen_zones, inline, notes):
        rules[rule.name] = rule
    addresses, services, bindings = _objects(sets, zone_of, protocols)
    rs = build_ruleset(ministry, policy_hash, seen_zones.values(), [*addresses, *inline.addresses.values()],
                       [*services, *inline.services.values()], bindings, rules.values())
    return ParsedConfig(PLATFORM, rs, tuple(unmanaged), tuple(notes))


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


# -- rules written in place (running rulesets, other generators): one chain per managed rule -------
INLINE_RE = re.compile(r"""\s*(?:
      (?P<iface>[io]ifname)\s+(?P<names>\{[^}]*\}|"[^"]*"|[^\s!]\S*)  # a negation (!=) is not modelled
    | (?P<family>ip6?)\s+(?P<side>saddr|daddr)\s+(?P<addrs>\{[^}]*\}|[^\s!]\S*)
    | (?P<l4>tcp|udp)\s+dport\s+(?P<ports>\{[^}]*\}|[^\s!]\S*)
    | (?P<by>ip\s+protocol|ip6\s+nexthdr|meta\s+l4proto)\s+(?P<protos>\{[^}]*\}|[^\s!]\S*)
    | (?P<new>ct\s+state\s+new) | (?P<counter>counter)  # a rule decides the first packet of a flow
    | (?P<log>log(?:\s+prefix\s+"[^"]*")?(?:\s+level\s+\S+)?)
    | (?P<verdict>accept|drop|reject)
)(?=\s|$)""", re.X)
FAMILY_OF = {"ip": 4, "ip6": 6, "ip protocol": 4, "ip6 nexthdr": 6}
ANY_OF = {4: "0.0.0.0/0", 6: "::/0"}


class _Inline:
    """Addresses and services a rule writes in place, named by their value."""

    def __init__(self) -> None:
        self.addresses: dict[str, Address] = {}
        self.services: dict[str, Service] = {}

    def address(self, text: str) -> str:
        net = ipaddress.ip_network(text)
        self.addresses.setdefault(str(net), Address.of(str(net), [net]))
        return str(net)

    def service(self, protocol: str, ports: tuple[int, ...] = ()) -> str:
        name = protocol + "".join(f"/{p}" for p in ports)
        self.services.setdefault(name, Service(protocol, ports, name))
        return name


def _items(text: str) -> list[str]:
    """The elements of ``{ a, b }`` or the single value."""
    return [e.strip().strip('"') for e in text.strip("{} ").split(",") if e.strip()]


def _ports(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for item in _items(text):
        low, _, high = item.partition("-")
        out += range(int(low), int(high or low) + 1)
    return tuple(sorted(set(out)))


def _inline_rules(lines: list[tuple[str, str]], hooks: dict, callers: dict, zone_of, seen_zones: dict,
                  inline: _Inline, notes: list[str]):
    """Rules of the chains a base chain jumps to, in jump order; each line a rule (``<chain>#2``...).

    A running ruleset's lines need not be a product of addresses and services, so lines are not merged.
    A chain no base chain jumps to never sees a packet: it is reported in the notes, not read.
    """
    position = {chain: i for i, chain in enumerate(callers)}
    for chain in sorted({c for c, _ in lines} - set(position)):
        notes.append(f"chain {chain}: no base chain jumps to it")
    count: dict[str, int] = {}
    for chain, line in sorted((x for x in lines if x[0] in position), key=lambda x: position[x[0]]):
        device = hooks.get(callers[chain], "") == "input"
        try:
            rule = _inline_rule(line, chain, device, zone_of, seen_zones, inline)
        except ValueError as e:
            notes.append(f"chain {chain}: {line}: {e}")
            continue
        if rule is not None:
            count[chain] = count.get(chain, 0) + 1
            yield rule if count[chain] == 1 else dataclasses.replace(rule, name=f"{chain}#{count[chain]}")


def _inline_rule(line: str, name: str, device: bool, zone_of, seen_zones: dict, inline: _Inline) -> Rule | None:
    """One rule line of a chain named after a managed rule; a match it cannot model is an error.

    None for a line no packet can match (IPv4 and IPv6 matches together, as ``ip6 saddr ... ip protocol
    ah`` in an inet table).
    """
    zones: dict[str, tuple[str, ...]] = {"iifname": (), "oifname": ()}
    sides: dict[str, list[str]] = {"saddr": [], "daddr": []}
    families, port_services, proto_services = set(), [], []
    log = False
    verdict = ""
    pos = 0
    while pos < len(line.rstrip()):
        m = INLINE_RE.match(line, pos)
        if not m:
            raise ValueError(f"not understood: {line[pos:].strip()}")
        pos = m.end()
        if m["iface"]:
            found = [zone_of(n) for n in _items(m["names"])]
            seen_zones.update({z.name: z for z in found})
            zones[m["iface"]] = tuple(sorted(z.name for z in found))
        elif m["side"]:
            if sides[m["side"]]:
                raise ValueError(f"two {m['side']} matches in one rule")
            families.add(FAMILY_OF[m["family"]])
            sides[m["side"]] += [re.sub(r"-[46]$", "", a[1:]) if a.startswith("@") else inline.address(a)
                                 for a in _items(m["addrs"])]
        elif m["l4"]:
            if port_services:
                raise ValueError("two port matches in one rule")
            port_services.append(inline.service(m["l4"], _ports(m["ports"])))
        elif m["by"]:
            by = " ".join(m["by"].split())
            families.update([FAMILY_OF[by]] if by in FAMILY_OF else [])  # meta l4proto: either family
            proto_services += [inline.service(PROTO_FROM_NFT.get(p, p)) for p in _items(m["protos"])]
        elif m["log"]:
            log = True
        elif m["verdict"]:
            verdict = m["verdict"]
    if not verdict:
        raise ValueError("no verdict")
    if len(families) > 1:
        return None
    sources, destinations = sides["saddr"], sides["daddr"]
    if families and not sources and not destinations:  # ``ip protocol esp``: IPv4 only
        sources = [inline.address(ANY_OF[families.pop()])]
    return Rule(name, ALLOW if verdict == "accept" else "deny", "", "", zones["iifname"],
                () if device else zones["oifname"], tuple(sorted(set(sources))), tuple(sorted(set(destinations))),
                tuple(sorted(set(port_services or proto_services))), (), log, device, False)
