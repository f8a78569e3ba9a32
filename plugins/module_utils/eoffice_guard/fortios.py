"""FortiOS 7.x CLI: addresses, address groups, custom services, IP/MAC binding and firewall policies.

One managed rule is one firewall policy (IDs from 10001, moved above the ministry's own policies when
pushed). IPv4 addresses are address groups of single-subnet addresses; IPv6 addresses are listed in
``srcaddr6``/``dstaddr6``, so a policy matches IPv6 only when both of its sides have IPv6.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

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

PLATFORM = "fortios"
CAN_MATCH_APPLICATIONS = False
ENFORCES_DEVICE_RULES = False
ENFORCES_MAC_BINDING = True  # the IP/MAC binding table
FIRST_POLICY_ID = 10001
FIRST_BINDING_ID = 10001
LIMITS = (
    "VPN applications are blocked by port only: FortiGuard application IDs depend on the unit's "
    "database, add an application sensor blocking SSTP on the e-Office allow policies",
    "management of the FortiGate itself (rule 1 to the firewall) is its trusted-hosts setting, "
    "not a firewall policy: local-in traffic is not filtered here",
    "IP+MAC binding is the binding table (IPv4, directly attached segments); policy EO-R4-* is "
    "disabled on purpose and documents the check",
)
PORTLESS = {"esp": ("IP", "50"), "ah": ("IP", "51"), "gre": ("IP", "47"), "icmp": ("ICMP", ""),
            "icmpv6": ("ICMP6", "")}


BINDING_NAME_MAX = 35  # FortiOS' limit for an IP/MAC binding entry's name
TOKEN_RE = re.compile(r'"((?:[^"\\]|\\.)*)"|([^\s"]+)', re.S)
QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
UNESCAPE_RE = re.compile(r"\\(.)", re.S)


def q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def statements(text: str) -> Iterator[tuple[list[str], str]]:
    """(words, source text) of each CLI statement, as FortiOS writes them: a double-quoted value may span lines
    (the PEM certificates under ``config vpn certificate local``) and escapes ``\\"`` and ``\\\\``; an
    apostrophe is an ordinary character; ``#`` at the start of a statement is a comment.
    """
    pending = ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending = f"{pending}\n{line}" if pending else line
        if '"' in pending and '"' in QUOTED_RE.sub("", pending):
            continue  # a quoted value goes on in the next line
        yield _words(pending), pending.strip()
        pending = ""
    if pending:  # an unclosed quote at the end: read what is there rather than fail
        yield _words(pending), pending.strip()


def _words(statement: str) -> list[str]:
    return [UNESCAPE_RE.sub(r"\1", quoted) if quoted or bare == "" else bare
            for quoted, bare in TOKEN_RE.findall(statement)]


def render(rs: RuleSet) -> str:
    out = [*header(rs, PLATFORM, "#", LIMITS)]
    out += _block("firewall address", [(f"{a.name}-{i}", [f"set subnet {p.network_address} {p.netmask}"])
                                       for a in rs.addresses for i, p in enumerate(_v4(a), 1)])
    out += _block("firewall address6", [(f"{a.name}-6-{i}", [f"set ip6 {p}"])
                                        for a in rs.addresses for i, p in enumerate(_v6(a), 1)])
    out += _block("firewall addrgrp", [(a.name, ["set member " + " ".join(q(f"{a.name}-{i}")
                                                                           for i in range(1, len(_v4(a)) + 1))])
                                       for a in rs.addresses if _v4(a)])
    out += _block("firewall service custom", [(s.name, _service_settings(s)) for s in rs.services])
    out += _bindings(rs)
    # a rule whose sides share no address family matches nothing, and FortiOS refuses a policy without addresses
    policies = [r for r in rs.rules if not r.to_device and not r.applications and _families(rs, r)]
    out += _block("firewall policy", [(str(n), _policy(rs, r)) for n, r in enumerate(policies, FIRST_POLICY_ID)],
                  quote_keys=False)
    return "\n".join(out) + "\n"


def _v4(a: Address) -> list:
    return [p for p in a.prefixes if p.version == 4]


def _v6(a: Address) -> list:
    return [p for p in a.prefixes if p.version == 6]


def _block(path: str, entries: list[tuple[str, list[str]]], quote_keys: bool = True) -> list[str]:
    if not entries:
        return []
    out = [f"config {path}"]
    for key, settings in entries:
        out += [f"    edit {q(key) if quote_keys else key}", *(f"        {s}" for s in settings), "    next"]
    return [*out, "end"]


def _service_settings(s: Service) -> list[str]:
    if s.ports:
        return [f"set {s.protocol}-portrange {' '.join(map(str, s.ports))}"]
    protocol, number = PORTLESS[s.protocol]
    return [f"set protocol {protocol}"] + ([f"set protocol-number {number}"] if number else [])


def _bindings(rs: RuleSet) -> list[str]:
    if not rs.bindings:
        return []
    zones = sorted({b.zone for b in rs.bindings})
    interfaces = [(_iface(rs, z), ["set ipmac enable"]) for z in zones]
    table = [(str(n), [f"set ip {b.ip}", f"set mac {b.mac}", f"set name {q(_binding_name(b))}",
                       "set status enable"]) for n, b in enumerate(rs.bindings, FIRST_BINDING_ID)]
    return [*_block("system interface", interfaces),
            "config firewall ipmacbinding setting", "    set bindthroughfw enable", "    set bindtofw enable",
            "    set undefinedhost allow", "end",  # unlisted hosts are the policies' business (rules 5, 6)
            *_block("firewall ipmacbinding table", table, quote_keys=False)]


def _binding_name(b: Binding) -> str:
    """Unique by construction (the IP is unique in a policy); the owner fills what the limit leaves."""
    return f"EO-{b.ip} {b.owner}"[:BINDING_NAME_MAX].rstrip() if b.owner else f"EO-{b.ip}"


def _iface(rs: RuleSet, zone: str) -> str:
    return next(z for z in rs.zones if z.name == zone).interface(PLATFORM)


def _policy(rs: RuleSet, r: Rule) -> list[str]:
    out = [f"set name {q(r.name)}"]
    if r.mac_mismatch:
        out.append("set status disable")  # enforced by the IP/MAC binding table, kept for review
    out += [f"set srcintf {_names([_iface(rs, z) for z in r.src_zones] or ['any'])}",
            f"set dstintf {_names([_iface(rs, z) for z in r.dst_zones] or ['any'])}"]
    sides = {k: [rs.address(n) for n in names] for k, names in (("src", r.sources), ("dst", r.destinations))}
    for family, suffix in ((4, ""), (6, "6")):
        refs = {k: _family_refs(v, family) for k, v in sides.items()}
        if all(refs.values()):
            out += [f"set srcaddr{suffix} {_names(refs['src'])}", f"set dstaddr{suffix} {_names(refs['dst'])}"]
    out += [f"set action {'accept' if r.action == ALLOW else 'deny'}", 'set schedule "always"',
            f"set service {_names(list(r.services) or ['ALL'])}",
            f"set logtraffic {'all' if r.log else 'disable'}", f"set comments {q(f'{r.control}: {r.why}')}"]
    return out


def _families(rs: RuleSet, r: Rule) -> list[int]:
    sides = [[rs.address(n) for n in names] for names in (r.sources, r.destinations)]
    return [f for f in (4, 6) if all(_family_refs(side, f) for side in sides)]


def _family_refs(addresses: list[Address], family: int) -> list[str]:
    """Names a policy field lists for one family; ['all'] for any; [] when no address has the family."""
    if not addresses:
        return ["all"]
    if family == 4:
        return [a.name for a in addresses if _v4(a)]
    return [f"{a.name}-6-{i}" for a in addresses for i in range(1, len(_v6(a)) + 1)]


def _names(names: list[str]) -> str:
    return " ".join(q(n) for n in names)


# -- parse ----------------------------------------------------------------------------------------
def parse(text: str, zones=()) -> ParsedConfig:
    ministry, policy_hash = read_header(text)
    tree = parse_tree(text)
    zone_of = zone_lookup(PLATFORM, tuple(zones))
    unmanaged = [f"{path} {key}" for path in ("firewall address", "firewall address6", "firewall addrgrp",
                                              "firewall service custom", "firewall policy")
                 for key, body in tree.get(path, {}).items()
                 if not _name_of(key, body).startswith("EO-")]
    addresses = _addresses(tree)
    services = [_service(k, v) for k, v in tree.get("firewall service custom", {}).items() if k.startswith("EO-")]
    rules: dict[str, Rule] = {}
    seen: dict[str, object] = {}
    for key, body in tree.get("firewall policy", {}).items():
        if _name_of(key, body).startswith("EO-"):
            merge_rule(rules, _rule(_name_of(key, body), body, zone_of, seen))
    bindings = _parsed_bindings(tree, rules, addresses)
    rs = build_ruleset(ministry, policy_hash, seen.values(), addresses, services, bindings, rules.values())
    return ParsedConfig(PLATFORM, rs, tuple(unmanaged))


def _name_of(key: str, body: dict) -> str:
    return (body.get("name") or [key])[0]


def parse_tree(text: str) -> dict[str, dict[str, dict[str, list[str]]]]:
    """Top-level ``config`` path -> entry key -> setting -> values (a single block's settings: key '')."""
    tree: dict = {}
    stack: list[str] = []
    entry = edit = None
    for words, _ in statements(text):
        verb, *args = words
        top = len(stack) == 1
        if verb == "config":
            stack.append(" ".join(args))
            entry = tree.setdefault(stack[0], {}).setdefault("", {}) if len(stack) == 1 else None
        elif verb == "end" and stack:
            stack.pop()
            entry = edit if len(stack) == 1 else None  # back from a nested block into its entry
        elif top and verb == "edit" and args:
            entry = edit = tree[stack[0]].setdefault(args[0], {})
        elif top and verb == "next":
            entry = edit = None
        elif top and verb == "set" and entry is not None and args:
            entry[args[0]] = args[1:]
    for path in tree:
        if not tree[path][""]:
            del tree[path][""]
    return tree


def _addresses(tree: dict) -> list[Address]:
    prefixes: dict[str, list] = {}
    for key, body in tree.get("firewall address", {}).items():
        if key.startswith("EO-") and (net := _network("/".join(body.get("subnet", [])[:2]))):
            prefixes.setdefault(re.sub(r"-\d+$", "", key), []).append(net)
    for key, body in tree.get("firewall address6", {}).items():
        if key.startswith("EO-") and (net := _network((body.get("ip6") or [""])[0])):
            prefixes.setdefault(re.sub(r"-6-\d+$", "", key), []).append(net)
    return [Address.of(n, p) for n, p in prefixes.items()]


def _network(text: str):
    """A device's address value, or None when it is none (what the device holds is then seen as missing)."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _service(name: str, body: dict) -> Service:
    for proto in ("tcp", "udp"):
        if f"{proto}-portrange" in body:
            ports = [p.split(":")[0].split("-")[0] for p in body[f"{proto}-portrange"]]
            return Service(proto, tuple(sorted(int(p) for p in ports if p.isdigit())), name)
    found = (body.get("protocol", [""])[0], body.get("protocol-number", [""])[0])
    return Service(next((k for k, v in PORTLESS.items() if v == found), "ip"), (), name)


def _rule(name: str, body: dict, zone_of, seen: dict) -> Rule:
    def zones(key: str) -> tuple[str, ...]:
        found = [zone_of(i) for i in body.get(key, []) if i != "any"]
        seen.update({z.name: z for z in found})
        return tuple(sorted(z.name for z in found))

    def addrs(side: str) -> tuple[str, ...]:
        names = body.get(f"{side}addr", []) + body.get(f"{side}addr6", [])
        return tuple(sorted({re.sub(r"-6-\d+$", "", n) for n in names if n != "all"}))

    control, _, why = body.get("comments", [""])[0].partition(": ")
    services = tuple(sorted(s for s in body.get("service", []) if s != "ALL"))
    return Rule(name, ALLOW if body.get("action") == ["accept"] else DENY, control, why,
                zones("srcintf"), zones("dstintf"), addrs("src"), addrs("dst"), services, (),
                body.get("logtraffic", ["utm"])[0] != "disable", False, body.get("status") == ["disable"])


def _parsed_bindings(tree: dict, rules: dict[str, Rule], addresses: list[Address]) -> list[Binding]:
    """Table entries named EO-*; the zone is the one whose binding check lists the IP."""
    zone_of_ip = _binding_zones(rules, addresses)
    out = []
    for body in tree.get("firewall ipmacbinding table", {}).values():
        name = body.get("name", [""])[0]
        if not name.startswith("EO-"):
            continue
        try:
            ip = ipaddress.IPv4Address((body.get("ip") or [""])[0])
        except ValueError:
            continue  # not a binding the project wrote: reading it back will show it missing
        zone = zone_of_ip(ip)
        owner = name[len(f"EO-{ip} "):] if name.startswith(f"EO-{ip} ") else ""
        out.append(Binding(str(ip), (body.get("mac") or [""])[0].lower(), zone, owner))
    return out


def _binding_zones(rules: dict[str, Rule], addresses: list[Address]):
    """IP -> the zone of the first binding check listing it; host prefixes (the rendered case) are indexed."""
    by_name = {a.name: a for a in addresses}
    hosts: dict = {}
    wider: list[tuple] = []
    for rule in rules.values():
        if not rule.mac_mismatch or not rule.src_zones:
            continue
        for prefix in (p for s in rule.sources if s in by_name for p in by_name[s].prefixes):
            if prefix.num_addresses == 1:
                hosts.setdefault(prefix.network_address, rule.src_zones[0])
            else:
                wider.append((prefix, rule.src_zones[0]))

    def zone_of(ip) -> str:
        return hosts.get(ip) or next((zone for prefix, zone in wider if ip in prefix), "")

    return zone_of
