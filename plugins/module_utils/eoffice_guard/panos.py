"""PAN-OS 10.x ``set`` commands: addresses, address groups, services and security rules.

Protocols without ports (ESP, AH, GRE, ICMP) have no service objects on PAN-OS: a managed rule that
uses them becomes a second security rule ``<name>-P`` matching them by App-ID.
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
    read_header,
    zone_lookup,
)
from .ir import ALLOW, DENY

PLATFORM = "panos"
CAN_MATCH_APPLICATIONS = True
ENFORCES_DEVICE_RULES = False
ENFORCES_MAC_BINDING = False
LIMITS = (
    "PAN-OS security rules cannot match a source MAC: IP+MAC binding (EO-NET-4) is not enforced here, "
    "only the listed IPs of a bound zone reach e-Office; bindings are listed below for review",
    "management of the firewall itself (rule 1 to the firewall) is the management profile's "
    "permitted IPs, not a security rule",
    "App-ID names (ike, ipsec-esp, ipsec-esp-udp, ipsec-ah, l2tp, openvpn, pptp, sstp, wireguard, gre) "
    "must exist in the unit's content version",
)
#: vendor-neutral VPN application -> App-IDs
APP_IDS = {"ipsec": ("ike", "ipsec-esp", "ipsec-esp-udp"), "l2tp": ("l2tp",), "openvpn": ("openvpn",),
           "pptp": ("pptp",), "sstp": ("sstp",), "wireguard": ("wireguard",)}
#: protocol without ports -> the App-ID that matches it
PORTLESS_APPS = {"ah": "ipsec-ah", "esp": "ipsec-esp", "gre": "gre", "icmp": "icmp", "icmpv6": "ipv6-icmp"}
BINDING_RE = re.compile(r"^# binding \(not enforced\): (\S+) (\S+) zone (\S+)(?: owner (.*))?$")
RULES = "rulebase security rules"


#: a word of the PAN-OS CLI: a double-quoted name (spaces allowed), a list bracket, or a bare word
WORD_RE = re.compile(r'"([^"]*)"|([\[\]])|([^\s"\[\]]+)')


def tokens(line: str) -> list[str]:
    """The words of a ``set`` line as the CLI reads them: quotes removed, ``[`` and ``]`` words of their own.

    ``set rulebase security rules "Allow Internet" from trust`` has the rule name ``Allow Internet``.
    """
    return [quoted if bare == "" else bare for quoted, bracket, word in WORD_RE.findall(line)
            for bare in (bracket or word,)]


def _w(word: str) -> str:
    """One word as the CLI must read it back: quoted when it holds a space, a bracket or nothing."""
    return f'"{word}"' if re.search(r'[\s"\[\]]', word) or not word else word


quote = _w


def _members(names: list[str]) -> str:
    return _w(names[0]) if len(names) == 1 else "[ " + " ".join(_w(n) for n in names) + " ]"


def render(rs: RuleSet) -> str:
    out = header(rs, PLATFORM, "#", LIMITS)
    out += [f"# binding (not enforced): {b.ip} {b.mac} zone {_iface(rs, b.zone)}"
            + (f" owner {b.owner}" if b.owner else "") for b in rs.bindings]
    for a in rs.addresses:
        members = [f"{a.name}-{i}" for i in range(1, len(a.prefixes) + 1)]
        out += [f"set address {m} ip-netmask {p}" for m, p in zip(members, a.prefixes, strict=True)]
        out.append(f"set address-group {a.name} static {_members(members)}")
    out += [f"set service {s.name} protocol {s.protocol} port {','.join(map(str, s.ports))}"
            for s in rs.services if s.ports]
    for rule in rs.rules:
        if not rule.to_device and not rule.mac_mismatch:
            out += _rule(rs, rule)
    return "\n".join(out) + "\n"


def _iface(rs: RuleSet, zone: str) -> str:
    return next(z for z in rs.zones if z.name == zone).interface(PLATFORM)


def _rule(rs: RuleSet, r: Rule) -> list[str]:
    services = [rs.service(s) for s in r.services]
    ported = [s.name for s in services if s.ports]
    portless = [s for s in services if not s.ports]
    out = []
    if ported or not portless:
        apps = [a for app in r.applications for a in APP_IDS[app]] or ["any"]
        out += _security_rule(rs, r, r.name, apps, ported or ["any"], f"{r.control}: {r.why}")
    if portless:
        apps = sorted({PORTLESS_APPS[s.protocol] for s in portless})
        note = f"{r.control}: {r.why} (services {' '.join(f'{s.name}={s.protocol}' for s in portless)})"
        out += _security_rule(rs, r, f"{r.name}-P", apps, ["any"], note)
    return out


def _security_rule(rs: RuleSet, r: Rule, name: str, apps: list[str], services: list[str], note: str) -> list[str]:
    fields = [("from", [_iface(rs, z) for z in r.src_zones] or ["any"]),
              ("to", [_iface(rs, z) for z in r.dst_zones] or ["any"]),
              ("source", list(r.sources) or ["any"]), ("destination", list(r.destinations) or ["any"]),
              ("application", apps), ("service", services)]
    out = [f"set {RULES} {name} {key} {_members(values)}" for key, values in fields]
    out += [f"set {RULES} {name} action {'allow' if r.action == ALLOW else 'deny'}",
            f"set {RULES} {name} log-end {'yes' if r.log else 'no'}",
            f"set {RULES} {name} description {_w(note)}"]
    return out


# -- parse ----------------------------------------------------------------------------------------
def parse(text: str, zones=()) -> ParsedConfig:
    ministry, policy_hash = read_header(text)
    zone_of = zone_lookup(PLATFORM, tuple(zones))
    prefixes, groups, services, bodies, bindings, unmanaged = {}, {}, {}, {}, [], []
    for raw in text.splitlines():
        line = raw.strip()
        if m := BINDING_RE.match(line):
            bindings.append(Binding(m.group(1), m.group(2), zone_of(m.group(3)).name, m.group(4) or ""))
        if not line.startswith("set "):
            continue
        words = tokens(line[4:])
        if not words:
            continue
        kind, name = words[0], words[1] if len(words) > 1 else ""
        if kind == "rulebase" and words[1:3] == ["security", "rules"]:
            name = words[3] if len(words) > 3 else ""
            if name.startswith("EO-") and len(words) > 4:
                bodies.setdefault(name, {})[words[4]] = words[5:]
            elif name and not name.startswith("EO-") and name not in unmanaged:
                unmanaged.append(name)
        elif not name.startswith("EO-"):
            if kind in ("address", "address-group", "service") and f"{kind} {name}" not in unmanaged:
                unmanaged.append(f"{kind} {name}")
        elif kind == "address" and words[2:3] == ["ip-netmask"] and (net := _network(words[3:4])):
            prefixes[name] = net
        elif kind == "address-group" and words[2:3] == ["static"]:
            groups[name] = [w for w in words[3:] if w not in "[]"]
        elif kind == "service" and len(words) >= 6 and words[3] in ("tcp", "udp"):
            ports = [p for p in words[5].split(",") if p.isdigit()]
            services[name] = Service(words[3], tuple(sorted(int(p) for p in ports)), name)
    addresses = [Address.of(g, [prefixes[m] for m in members if m in prefixes]) for g, members in groups.items()]
    seen: dict = {}
    rules: dict[str, Rule] = {}
    for name, body in bodies.items():
        rule, extra = _parsed_rule(name, body, zone_of, seen)
        services.update({s.name: s for s in extra})
        merge_rule(rules, rule)
    rs = build_ruleset(ministry, policy_hash, seen.values(), addresses, services.values(), bindings, rules.values())
    return ParsedConfig(PLATFORM, rs, tuple(unmanaged))


def _network(words: list[str]):
    """An ip-netmask value, or None when the device holds something else (then seen as missing)."""
    try:
        return ipaddress.ip_network(words[0], strict=False) if words else None
    except ValueError:
        return None


def _values(body: dict, key: str) -> list[str]:
    return [w for w in body.get(key, []) if w not in ("[", "]", "any")]


def _parsed_rule(name: str, body: dict, zone_of, seen: dict) -> tuple[Rule, list[Service]]:
    def zones(key: str) -> tuple[str, ...]:
        found = [zone_of(z) for z in _values(body, key)]
        seen.update({z.name: z for z in found})
        return tuple(sorted(z.name for z in found))

    note = (body.get("description") or [""])[0]
    control, _, why = note.partition(": ")
    extra: list[Service] = []
    apps = _values(body, "application")
    services = tuple(sorted(_values(body, "service")))
    if name.endswith("-P") and (m := re.search(r" \(services ([^)]*)\)$", why)):
        why = why[:m.start()]
        extra = [Service(proto, (), svc) for svc, _, proto in (w.partition("=") for w in m.group(1).split())]
        services, apps, name = tuple(sorted(s.name for s in extra)), [], name[:-2]
    applications = tuple(sorted({k for k, ids in APP_IDS.items() for a in apps if a in ids}))
    rule = Rule(name, ALLOW if body.get("action") == ["allow"] else DENY, control, why, zones("from"),
                zones("to"), tuple(sorted(_values(body, "source"))), tuple(sorted(_values(body, "destination"))),
                services, applications, body.get("log-end") == ["yes"])
    return rule, extra
