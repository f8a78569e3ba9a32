"""Value types of the policy (networks, services) and the checker that turns YAML values into them.

The checker records an error (key path, what would be valid) and returns a harmless placeholder, so
validation goes on and reports every problem of a file at once.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import unicodedata
from dataclasses import dataclass

PLATFORMS = ("asa", "fortios", "nftables", "panos")
#: the VPN protocols an approval can name (what rule 3 blocks for everyone else)
VPN_PROTOCOLS = ("ipsec", "l2tp", "openvpn", "pptp", "sstp", "wireguard")
PORT_PROTOCOLS = ("tcp", "udp")
PORTLESS_PROTOCOLS = ("ah", "esp", "gre", "icmp", "icmpv6")
SERVICE_PROTOCOLS = PORT_PROTOCOLS + PORTLESS_PROTOCOLS
MAC_RE = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
FREE = None  # mapping() without a key list: any key is valid (zones, networks)
#: what each platform accepts as the interface (or zone) name of a zone: the vendors' own limits
INTERFACE_NAMES: dict[str, tuple[re.Pattern, str]] = {
    "asa": (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,47}"), "an ASA nameif: up to 48 letters, digits, '.', '_', '-'"),
    "fortios": (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,14}"),
                "a FortiOS interface name: up to 15 letters, digits, '.', '_', '-'"),
    "nftables": (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,14}"),
                 "a Linux interface name: up to 15 letters, digits, '.', '_', '-' (no ':' aliases)"),
    "panos": (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,30}"), "a PAN-OS zone name: up to 31 letters, digits, "
              "'.', '_', '-'"),
}
#: a label (owner, approval_ref) ends up in vendor comments: the smallest limit is nftables' 128 bytes
LABEL_MAX_CHARS, LABEL_MAX_BYTES = 64, 128
LABEL_HINT = (f"at most {LABEL_MAX_CHARS} characters and {LABEL_MAX_BYTES} bytes (UTF-8), without double "
              "quotes, backslashes, control characters or line breaks, and without leading, trailing or "
              "double spaces")
#: Jinja would run these when Ansible templates the policy: the policy is data, never a template
JINJA_MARKERS = ("{{", "{%", "{#")
MAX_VALUES = 200_000  # a policy that expands to more values than this is a YAML alias bomb, not an estate
MAX_SHOWN = 60  # characters of a bad value quoted back in a message
MAX_MESSAGE = 400
#: names of unnamed services (ir: EO-SVC-TCP-22-443): a named service must not look like one
UNNAMED_SERVICE_RE = re.compile(r"(?i)(tcp|udp|esp|ah|gre|icmp|icmpv6)(-.*)?")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Network:
    """A named address object: IPv4 prefixes then IPv6 prefixes, each collapsed and sorted."""

    name: str
    prefixes: tuple[IPNetwork, ...]

    @classmethod
    def of(cls, name: str, nets) -> Network:
        v4 = ipaddress.collapse_addresses(n for n in nets if n.version == 4)
        v6 = ipaddress.collapse_addresses(n for n in nets if n.version == 6)
        return cls(name, tuple(sorted(v4)) + tuple(sorted(v6)))

    def overlaps(self, other: Network) -> bool:
        return any(a.version == b.version and a.overlaps(b) for a in self.prefixes for b in other.prefixes)

    def contains(self, address) -> bool:
        return any(address.version == p.version and address in p for p in self.prefixes)


@dataclass(frozen=True)
class Service:
    """One protocol and its destination ports (empty for protocols without ports)."""

    protocol: str
    ports: tuple[int, ...] = ()
    name: str = ""

    def to_dict(self) -> dict:
        out = {"protocol": self.protocol, "ports": list(self.ports)}
        return {"name": self.name, **out} if self.name else out

    @staticmethod
    def sort_key(service: Service) -> tuple:
        return (service.name, service.protocol, service.ports)


class Checker:
    """Collects (key path, message) errors while converting YAML values."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str) -> None:
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE - 15] + " [... cut]"
        self.errors.append((path, message))

    def mapping(self, data, path: str, required=FREE, optional=(), allow_empty: bool = True) -> bool:
        if not isinstance(data, dict):
            self.error(path, f"must be a mapping, not {_kind(data)}")
            return False
        if not data and not allow_empty:
            self.error(path, f"must not be empty (keys: {', '.join(optional)})")
            return False
        if required is FREE:
            return True
        valid = tuple(required) + tuple(optional)
        ok = True
        for key in data:
            if key not in valid:
                self.error(f"{path}.{key}", f"unknown key; valid keys here: {', '.join(valid)}")
                ok = False
        for key in required:
            if key not in data:
                self.error(f"{path}.{key}", f"missing required key (required here: {', '.join(required)})")
                ok = False
        return ok

    def items(self, data, path: str, allow_empty: bool = True) -> list[tuple[object, str]]:
        if not isinstance(data, list):
            self.error(path, f"must be a list, not {_kind(data)}")
            return []
        if not data and not allow_empty:
            self.error(path, "must list at least one entry")
        return [(value, f"{path}[{i}]") for i, value in enumerate(data)]

    def string(self, value, path: str, pattern: re.Pattern | None = None, hint: str = "") -> str:
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"must be a non-empty string, not {_kind(value)}")
            return ""
        if pattern is not None and not pattern.fullmatch(value):
            self.error(path, f"{shown(value)} is not valid: use {hint}")
            return ""
        return str(value)

    def label(self, value, path: str) -> str:
        """Free text that vendors write into comments and names (owner, approval_ref)."""
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"must be a non-empty string, not {_kind(value)}")
            return ""
        problem = label_problem(value)
        if problem:
            self.error(path, f"{shown(value)} {problem}: use {LABEL_HINT}")
            return ""
        return str(value)

    def name(self, value, path: str, pattern: re.Pattern) -> str:
        return self.string(value, path, pattern, "letters, digits, '.', '_' and '-', at most 40 characters, "
                                                 "starting with a letter or digit")

    def date(self, value, path: str) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(path, f"{shown(value)} is not a date: use YYYY-MM-DD (e.g. 2026-12-22)")
        return datetime.date.min

    def reference(self, value, path: str, known: set[str], what: str) -> str:
        if not isinstance(value, str) or value not in known:
            valid = ", ".join(sorted(known)) or "none defined"
            self.error(path, f"{shown(value)} is not a known {what}; known: {valid}")
            return ""
        return str(value)

    def choice(self, value, path: str, valid: tuple[str, ...], what: str) -> str:
        if value not in valid:
            self.error(path, f"{shown(value)} is not a known {what}; valid: {', '.join(valid)}")
            return ""
        return str(value)

    def network(self, value, path: str) -> IPNetwork | None:
        text = value.strip() if isinstance(value, str) else None
        if text is None:
            self.error(path, f"{shown(value)} is not a network: write it as a string in CIDR form "
                             "(e.g. 10.20.0.0/16)")
            return None
        if "%" in text:
            self.error(path, f"{shown(value)} has an IPv6 zone index (%...): firewalls take none; "
                             "write the network without it")
            return None
        try:
            return ipaddress.ip_network(text)
        except ValueError:
            pass
        try:
            # host bits set is a typo more often than intent: reject it and show the network meant
            meant = ipaddress.ip_network(text, strict=False)
            self.error(path, f"{shown(value)} has host bits set; did you mean {meant}?")
        except ValueError:
            self.error(path, f"{shown(value)} is not an IPv4 or IPv6 network (e.g. 10.20.0.0/16)")
        return None

    def address(self, value, path: str, what: str = "address"):
        """One unicast host address (a VPN peer): written as a string, no zone index, not special."""
        text = value.strip() if isinstance(value, str) else None
        try:
            if text is None or "%" in text:
                raise ValueError
            address = ipaddress.ip_address(text)
        except ValueError:
            self.error(path, f"{shown(value)} is not an IPv4 or IPv6 {what}: write it as a string "
                             "(e.g. 198.51.100.10), without a zone index")
            return ipaddress.IPv4Address(0)
        special = address_problem(address)
        if special:
            self.error(path, f"{address} is {special}, not the address of one device")
            return ipaddress.IPv4Address(0)
        return address

    def ipv4(self, value, path: str) -> ipaddress.IPv4Address:
        address = self.address(value, path, "address (IP+MAC binding is IPv4 only)")
        if address.version != 4:
            self.error(path, f"{address} is not an IPv4 address (e.g. 10.20.1.15); IP+MAC binding is IPv4 only")
            return ipaddress.IPv4Address(0)
        return address

    def mac(self, value, path: str) -> str:
        text = value.strip().lower() if isinstance(value, str) else ""
        if not MAC_RE.fullmatch(text):
            self.error(path, f"{shown(value)} is not a MAC address: use six colon-separated hex pairs "
                             "(e.g. 00:1a:2b:3c:4d:5e)")
            return ""
        if text in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff") or int(text[:2], 16) & 1:
            self.error(path, f"{text} is an all-zero, broadcast or multicast MAC, never the address of one "
                             "device: use the device's own (unicast) MAC")
            return ""
        return text

    def port(self, value, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            self.error(path, f"{shown(value)} is not a port: use a whole number from 1 to 65535")
            return 0
        return value

    def service(self, data, path: str, named: bool) -> Service:
        required = ("name", "protocol") if named else ("protocol",)
        optional = ("ports",) if named else ("ports", "name")
        if not self.mapping(data, path, required, optional):
            return Service("")
        name = self.name(data["name"], f"{path}.name", NAME_PATTERN) if "name" in data else ""
        if name and UNNAMED_SERVICE_RE.fullmatch(name):
            self.error(f"{path}.name", f"{name!r} looks like the name the project gives an unnamed service "
                                       "(EO-SVC-TCP-22); choose a name that does not start with a protocol")
            name = ""
        proto = self.choice(data.get("protocol"), f"{path}.protocol", SERVICE_PROTOCOLS, "protocol")
        if proto in PORTLESS_PROTOCOLS and "ports" in data:
            self.error(f"{path}.ports", f"protocol {proto} has no ports; "
                                        f"ports are for {', '.join(PORT_PROTOCOLS)}")
            return Service(proto, (), name)
        if proto in PORT_PROTOCOLS and "ports" not in data:
            self.error(f"{path}.ports", f"missing: protocol {proto} needs a list of ports (1-65535)")
        ports = [self.port(v, p) for v, p in self.items(data.get("ports", []), f"{path}.ports",
                                                         allow_empty=proto not in PORT_PROTOCOLS)]
        return Service(proto, tuple(sorted(set(ports))), name)

    def service_list(self, data, path: str, named: bool = False) -> list[Service]:
        items = self.items(data, path, allow_empty=False)
        services = [self.service(v, p, named) for v, p in items]
        seen: dict[str, str] = {}
        for (_, p), svc in zip(items, services, strict=True):
            if svc.name and svc.name in seen:
                self.error(f"{p}.name", f"duplicate service name {svc.name!r} (first at {seen[svc.name]})")
            elif svc.name:
                seen[svc.name] = p
        return services


def _kind(value) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number",
             bool: "true/false", type(None): "empty"}
    return next((label for t, label in names.items() if isinstance(value, t) and not (
        t is int and isinstance(value, bool))), type(value).__name__)


def shown(value) -> str:
    """A bad value quoted back in a message, cut short: an error message never grows with the input."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 5] + "...'"


def label_problem(text: str) -> str:
    if len(text) > LABEL_MAX_CHARS or len(text.encode("utf-8")) > LABEL_MAX_BYTES:
        return "is too long"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") or ch in '"\\'
           for ch in text):
        return "has a quote, backslash, control character or line break"
    if text != text.strip() or "  " in text or any(ch.isspace() and ch != " " for ch in text):
        return "has leading, trailing, double or non-space whitespace"
    return ""


def address_problem(address) -> str:
    """Why an address cannot be one device's (a VPN peer, a bound IP), or ''."""
    checks = (("the broadcast address", address == ipaddress.IPv4Address("255.255.255.255")),
              ("unspecified", address.is_unspecified), ("multicast", address.is_multicast),
              ("loopback", address.is_loopback), ("link-local", address.is_link_local),
              ("reserved", address.is_reserved))
    return next((f"a {what} address" if not what.startswith("the") else what for what, hit in checks if hit), "")


class TooManyValues(ValueError):
    """A document that expands beyond MAX_VALUES: an alias bomb, not an estate."""

    MESSAGE = (f"expands to more than {MAX_VALUES} values (YAML anchors and aliases?); a ministry's policy is "
               "far smaller: write it out plainly")


def walk(root, path: str, children):
    """(node, key path) of ``root`` and everything below it, depth first, at most MAX_VALUES of them.

    ``children(node, path)`` lists a node's (child, path) pairs. Shared references (YAML aliases) are
    walked each time they occur, which is what makes a bomb expensive: the bound stops it.
    """
    stack = [(root, path)]
    for _ in range(MAX_VALUES):
        if not stack:
            return
        node, where = stack.pop()
        yield node, where
        stack.extend(children(node, where))
    if stack:
        raise TooManyValues(TooManyValues.MESSAGE)


def _value_children(value, where: str) -> list:
    if isinstance(value, dict):
        return [(item, f"{where}.{key}") for key, item in value.items()]
    if isinstance(value, list):
        return [(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return []


def value_problems(data, path: str = "eoffice") -> list[tuple[str, str]]:
    """Template markers anywhere (keys too), and a value count that only an alias bomb reaches."""
    problems: list[tuple[str, str]] = []
    try:
        for value, where in walk(data, path, _value_children):
            keys = [k for k in value if isinstance(k, str)] if isinstance(value, dict) else []
            problems += [(f"{where}.{key}", f"the key {shown(key)} holds a template marker "
                                            f"({', '.join(JINJA_MARKERS)})")
                         for key in keys if any(m in key for m in JINJA_MARKERS)]
            if isinstance(value, str) and any(m in value for m in JINJA_MARKERS):
                problems.append((where, f"{shown(value)} holds a template marker ({', '.join(JINJA_MARKERS)}): "
                                        "the policy is data and is never templated; remove the marker"))
    except TooManyValues as err:
        return [(path, str(err))]
    return sorted(problems)
