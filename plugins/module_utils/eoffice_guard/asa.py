"""Cisco ASA 9.x: network and service object-groups, one ``EO-IN-<nameif>`` access list per zone.

An ASA access list filters traffic entering an interface, so a managed rule is written into the list
of each of its source zones (every zone when it has none); its destination zones are left to routing.
Each rule's entries follow a ``remark`` naming the rule, which is how the file is read back.
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
    read_header,
    zone_lookup,
)
from .ir import ALLOW, DENY

PLATFORM = "asa"
CAN_MATCH_APPLICATIONS = False
ENFORCES_DEVICE_RULES = False
ENFORCES_MAC_BINDING = False
LIMITS = (
    "no application identification in access lists: VPN applications are blocked by port only "
    "(SSTP shares tcp/443)",
    "an access list cannot match a source MAC: IP+MAC binding (EO-NET-4) is not enforced, only the listed "
    "IPs of a bound zone reach e-Office; the nearest equivalent is static ARP with ARP inspection "
    "(listed below, not applied: it also blocks non-listed hosts of the segment from the ASA)",
    "destination zones are decided by routing, not by the access list",
    "an interface takes one access list and it ends in an implicit deny: pushing appends the "
    "interface's existing entries below the managed ones",
    "management of the ASA itself (rule 1 to the firewall) is its ssh/http commands, not an access list",
)
#: ASA prints some ports by name; reading back needs the numbers
PORT_NAMES = {"aol": 5190, "bgp": 179, "biff": 512, "bootpc": 68, "bootps": 67, "chargen": 19, "cifs": 3020,
              "citrix-ica": 1494, "cmd": 514, "ctiqbe": 2748, "daytime": 13, "discard": 9, "dnsix": 195,
              "domain": 53, "echo": 7, "exec": 512, "finger": 79, "ftp": 21, "ftp-data": 20, "gopher": 70,
              "h323": 1720, "hostname": 101, "http": 80, "https": 443, "ident": 113, "imap4": 143, "irc": 194,
              "isakmp": 500, "kerberos": 750, "klogin": 543, "kshell": 544, "ldap": 389, "ldaps": 636,
              "login": 513, "lotusnotes": 1352, "lpd": 515, "mobile-ip": 434, "nameserver": 42,
              "netbios-dgm": 138, "netbios-ns": 137, "netbios-ssn": 139, "nfs": 2049, "nntp": 119, "ntp": 123,
              "pcanywhere-data": 5631, "pcanywhere-status": 5632, "pim-auto-rp": 496, "pop2": 109, "pop3": 110,
              "pptp": 1723, "radius": 1645, "radius-acct": 1646, "rip": 520, "rsh": 514, "rtsp": 554,
              "secureid-udp": 5510, "sip": 5060, "smtp": 25, "snmp": 161, "snmptrap": 162, "sqlnet": 1521,
              "ssh": 22, "sunrpc": 111, "syslog": 514, "tacacs": 49, "talk": 517, "telnet": 23, "tftp": 69,
              "time": 37, "uucp": 540, "who": 513, "whois": 43, "www": 80, "xdmcp": 177}
PROTOCOLS = {"icmpv6": "icmp6"}
REMARK_MAX = 100  # the ASA refuses longer remarks
BINDING_RE = re.compile(r"^! binding \(not applied\): arp (\S+) (\S+) (\S+)(?: ! owner (.*))?$")


def render(rs: RuleSet) -> str:
    out = header(rs, PLATFORM, "!", LIMITS)
    out += [f"! binding (not applied): arp {_iface(rs, b.zone)} {b.ip} {_cisco_mac(b.mac)}"
            + (f" ! owner {b.owner}" if b.owner else "") for b in rs.bindings]
    for a in rs.addresses:
        out += [f"object-group network {a.name}", *(f" network-object {_prefix(p)}" for p in a.prefixes)]
    for s in rs.services:
        out += [f"object-group service {s.name}", *(f" {line}" for line in _service_objects(s))]
    zones = [z.name for z in sorted(rs.zones, key=lambda z: z.interface(PLATFORM))]  # same order read back
    for zone in zones:
        acl = f"EO-IN-{_iface(rs, zone)}"
        for rule in rs.rules:
            if _renderable(rule) and (not rule.src_zones or zone in rule.src_zones):
                remark = f"{rule.name} {rule.control}: {rule.why}"[:REMARK_MAX].rstrip()
                out += [f"access-list {acl} remark {remark}",
                        *(f"access-list {acl} extended {ace}" for ace in _aces(rule))]
    out += [f"access-group EO-IN-{_iface(rs, z)} in interface {_iface(rs, z)}" for z in zones]
    return "\n".join(out) + "\n"


def _renderable(rule: Rule) -> bool:
    return not (rule.to_device or rule.applications or rule.mac_mismatch)


def _iface(rs: RuleSet, zone: str) -> str:
    return next(z for z in rs.zones if z.name == zone).interface(PLATFORM)


def _cisco_mac(mac: str) -> str:
    digits = mac.replace(":", "")
    return ".".join(digits[i:i + 4] for i in range(0, 12, 4))


def _prefix(p) -> str:
    return f"{p.network_address} {p.netmask}" if p.version == 4 else str(p)


def _service_objects(s: Service) -> list[str]:
    proto = PROTOCOLS.get(s.protocol, s.protocol)
    return [f"service-object {proto} destination eq {p}" for p in s.ports] or [f"service-object {proto}"]


def _aces(rule: Rule) -> list[str]:
    action = "permit" if rule.action == ALLOW else "deny"
    log = " log" if rule.log else ""
    return [f"{action} {svc} {src} {dst}{log}"
            for svc in ([f"object-group {s}" for s in rule.services] or ["ip"])
            for src in ([f"object-group {a}" for a in rule.sources] or ["any"])
            for dst in ([f"object-group {a}" for a in rule.destinations] or ["any"])]


# -- parse ----------------------------------------------------------------------------------------
def parse(text: str, zones=()) -> ParsedConfig:
    ministry, policy_hash = read_header(text)
    zone_of = zone_lookup(PLATFORM, tuple(zones))
    groups: dict[str, tuple[str, list[str]]] = {}
    acls: dict[str, list[tuple[str, str, str]]] = {}  # acl -> (rule name, remark text, ace)
    bound_to: dict[str, str] = {}
    bindings, unmanaged, current, remark = [], [], None, {}
    for raw in text.splitlines():
        line = raw.rstrip()
        if m := BINDING_RE.match(line.strip()):
            bindings.append(Binding(m.group(2), _colon_mac(m.group(3)), zone_of(m.group(1)).name, m.group(4) or ""))
            continue
        words = line.split()
        if not words or line.startswith(("!", ":")):
            continue
        if line.startswith(" ") and current is not None:
            groups[current][1].append(line.strip())
        elif words[0] == "object-group" and len(words) >= 3 and words[2].startswith("EO-"):
            current = words[2]
            groups[current] = (words[1], [])
        elif words[0] == "access-list" and len(words) >= 3 and words[1].startswith("EO-IN-"):
            current = None
            if words[2] == "remark":
                remark[words[1]] = " ".join(words[3:])
            else:
                name, _, note = remark.get(words[1], " ").partition(" ")
                acls.setdefault(words[1], []).append((name, note, " ".join(words[3:])))
        elif words[0] == "access-group" and len(words) >= 2 and words[1].startswith("EO-IN-"):
            bound_to[words[1]] = words[-1]
        else:
            current = None
            if not line.startswith(" "):
                unmanaged.append(line)
    addresses = [_address(n, body) for n, (kind, body) in groups.items() if kind == "network"]
    services = [_service(n, body) for n, (kind, body) in groups.items() if kind == "service"]
    seen = {}
    rules: dict[str, Rule] = {}
    inline = _Inline()
    notes: list[str] = []
    sequences = []
    for acl, entries in acls.items():
        zone = zone_of(bound_to.get(acl, acl.removeprefix("EO-IN-")))
        seen[zone.name] = zone
        sequences.append([])
        for rule in _acl_rules(acl, entries, zone.name, inline, notes):
            merge_rule(rules, rule)
            sequences[-1].append(rule.name)
    addresses += inline.addresses.values()
    services += inline.services.values()
    everywhere = set(seen)
    order = _rule_order(sequences)
    rules = {n: _any_zone(rules[n], everywhere) for n in order}
    rs = build_ruleset(ministry, policy_hash, seen.values(), addresses, services, bindings, rules.values())
    return ParsedConfig(PLATFORM, rs, tuple(unmanaged), tuple(notes))


def _acl_rules(acl: str, entries, zone: str, inline: _Inline, notes: list[str]):
    """The rules of one access list, in order; an entry that cannot be read becomes a note.

    Entries written with object-groups (as rendered) are one rule per remark; each entry written in
    place is a rule of its own (``<rule>#2``, ``#3``...): entries of a running config need not be a
    product of sources, destinations and services, so merging them could widen what a rule matches.
    """
    count: dict[str, int] = {}
    for name, note, ace in entries:
        inline.touched = False
        try:
            rule = _rule(name, note, ace, zone, inline)
        except (ValueError, IndexError, KeyError) as e:
            notes.append(f"{acl} {ace}: {e}")
            continue
        if inline.touched:
            count[name] = count.get(name, 0) + 1
            if count[name] > 1:
                rule = dataclasses.replace(rule, name=f"{name}#{count[name]}")
        yield rule


def _rule_order(sequences: list[list[str]]) -> list[str]:
    """One rule order consistent with every access list's order (each list holds a subset)."""
    first: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    for seq in sequences:
        for i, name in enumerate(seq):
            first.setdefault(name, len(first))
            after.setdefault(name, set())
            if i and seq[i - 1] != name:
                after[name].add(seq[i - 1])
    order: list[str] = []
    while len(order) < len(first):
        ready = [n for n in first if n not in order and after[n] <= set(order)]
        order.append(min(ready or [n for n in first if n not in order], key=first.get))
    return order


def _colon_mac(mac: str) -> str:
    digits = mac.replace(".", "").lower()
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def _address(name: str, body: list[str]) -> Address:
    """A group's networks; a child line that is no network is left out (the group then reads as different)."""
    nets = []
    for line in body:
        words = line.split()[1:]
        try:
            if words[0] == "host":
                nets.append(ipaddress.ip_network(words[1]))
            elif words[0] != "object":
                nets.append(ipaddress.ip_network("/".join(words[:2]) if len(words) > 1 else words[0]))
        except (ValueError, IndexError):
            continue
    return Address.of(name, nets)


def _service(name: str, body: list[str]) -> Service:
    proto, ports = "", []
    for line in body:
        words = line.split()
        try:
            proto = {v: k for k, v in PROTOCOLS.items()}.get(words[1], words[1])
            if "eq" in words:
                ports.append(_port(words[words.index("eq") + 1]))
        except (ValueError, IndexError, KeyError):
            continue
    return Service(proto, tuple(sorted(ports)), name)


class _Inline:
    """Addresses and services an entry writes in place (not as object-groups), named by their value."""

    def __init__(self) -> None:
        self.addresses: dict[str, Address] = {}
        self.services: dict[str, Service] = {}
        self.touched = False  # the last entry wrote a value in place

    def address(self, net) -> str:
        self.touched = True
        name = str(net)
        self.addresses.setdefault(name, Address.of(name, [net]))
        return name

    def service(self, protocol: str, ports: tuple[int, ...]) -> str:
        self.touched = True
        name = protocol + "".join(f"/{p}" for p in ports)
        self.services.setdefault(name, Service(protocol, ports, name))
        return name


ANY = {"any": None, "any4": "0.0.0.0/0", "any6": "::/0"}


def _rule(name: str, note: str, ace: str, zone: str, inline: _Inline) -> Rule:
    """An extended entry: ``permit|deny <protocol> <source> [port] <destination> [port] [log ...]``.

    Protocol, source and destination are object-groups (as rendered) or written in place, as running
    configs and other generators write them (``tcp host 10.1.1.1 10.2.0.0 255.255.0.0 eq https``).
    """
    words = ace.split()
    action, rest = words[0], words[1:]
    protocol, rest = _take_protocol(rest)
    src, rest = _take_address(rest, inline)
    src_ports, rest = _take_ports(rest)
    dst, rest = _take_address(rest, inline)
    dst_ports, rest = _take_ports(rest)
    if src_ports:
        raise ValueError("source ports are not modelled")
    if rest and rest[0] != "log":
        raise ValueError(f"not understood: {' '.join(rest)}")
    svc = protocol
    if protocol and protocol in PROTOCOL_WORDS:  # a protocol in place, with its ports if any
        svc = inline.service(PROTOCOL_WORDS[protocol], dst_ports)
    elif dst_ports:
        raise ValueError("ports after a service object-group")
    control, _, why = note.partition(": ")
    return Rule(name, ALLOW if action == "permit" else DENY, control, why, (zone,), (),
                (src,) if src else (), (dst,) if dst else (), (svc,) if svc else (), (), bool(rest))


#: protocol words of an entry -> the flow checker's protocol names
PROTOCOL_WORDS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmp6": "icmpv6", "esp": "esp", "ah": "ah",
                  "gre": "gre", "50": "esp", "51": "ah", "47": "gre", "6": "tcp", "17": "udp", "1": "icmp"}


def _take_protocol(words: list[str]) -> tuple[str, list[str]]:
    """The service object-group's name, a protocol word, or "" for ``ip`` (any protocol)."""
    if words[0] in ("object-group", "object"):
        return words[1], words[2:]
    if words[0] == "ip":
        return "", words[1:]
    if words[0] in PROTOCOL_WORDS:
        return words[0], words[1:]
    raise ValueError(f"protocol {words[0]!r} is not modelled")


def _take_address(words: list[str], inline: _Inline) -> tuple[str, list[str]]:
    """An address object's name ("" for any) and the words after it."""
    first = words[0]
    if first in ("object-group", "object"):
        return words[1], words[2:]
    if first in ANY:
        return (inline.address(ipaddress.ip_network(ANY[first])) if ANY[first] else ""), words[1:]
    if first == "host":
        return inline.address(ipaddress.ip_network(words[1])), words[2:]
    if "/" in first:  # IPv6 prefix
        return inline.address(ipaddress.ip_network(first)), words[1:]
    return inline.address(ipaddress.ip_network(f"{first}/{words[1]}")), words[2:]


def _take_ports(words: list[str]) -> tuple[tuple[int, ...], list[str]]:
    if not words or words[0] not in ("eq", "range"):
        return (), words
    if words[0] == "eq":
        return (_port(words[1]),), words[2:]
    return tuple(range(_port(words[1]), _port(words[2]) + 1)), words[3:]


def _port(word: str) -> int:
    return PORT_NAMES[word] if word in PORT_NAMES else int(word)


def _any_zone(rule: Rule, everywhere: set[str]) -> Rule:
    """A rule found in every zone's list was written for any zone."""
    if set(rule.src_zones) == everywhere and len(everywhere) > 1:
        return Rule(rule.name, rule.action, rule.control, rule.why, (), rule.dst_zones, rule.sources,
                    rule.destinations, rule.services, rule.applications, rule.log)
    return rule
