"""Value types of the policy (networks, services) and the checker that turns YAML values into them.

The checker records an error (key path, what would be valid) and returns a harmless placeholder, so
validation goes on and reports every problem of a file at once.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass

PLATFORMS = ("asa", "fortios", "nftables", "panos")
#: the VPN protocols an approval can name (what rule 3 blocks for everyone else)
VPN_PROTOCOLS = ("ipsec", "l2tp", "openvpn", "pptp", "sstp", "wireguard")
PORT_PROTOCOLS = ("tcp", "udp")
PORTLESS_PROTOCOLS = ("ah", "esp", "gre", "icmp", "icmpv6")
SERVICE_PROTOCOLS = PORT_PROTOCOLS + PORTLESS_PROTOCOLS
MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
FREE = None  # mapping() without a key list: any key is valid (zones, networks)

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
        if pattern is not None and not pattern.match(value):
            self.error(path, f"{value!r} is not valid: use {hint}")
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
        self.error(path, f"{value!r} is not a date: use YYYY-MM-DD (e.g. 2026-12-22)")
        return datetime.date.min

    def reference(self, value, path: str, known: set[str], what: str) -> str:
        if not isinstance(value, str) or value not in known:
            valid = ", ".join(sorted(known)) or "none defined"
            self.error(path, f"{value!r} is not a known {what}; known: {valid}")
            return ""
        return str(value)

    def choice(self, value, path: str, valid: tuple[str, ...], what: str) -> str:
        if value not in valid:
            self.error(path, f"{value!r} is not a known {what}; valid: {', '.join(valid)}")
            return ""
        return str(value)

    def network(self, value, path: str) -> IPNetwork | None:
        text = value.strip() if isinstance(value, str) else None
        try:
            return ipaddress.ip_network(text)
        except (ValueError, TypeError):
            pass
        try:
            # host bits set is a typo more often than intent: reject it and show the network meant
            meant = ipaddress.ip_network(text, strict=False)
            self.error(path, f"{value!r} has host bits set; did you mean {meant}?")
        except (ValueError, TypeError):
            self.error(path, f"{value!r} is not an IPv4 or IPv6 network (e.g. 10.20.0.0/16)")
        return None

    def address(self, value, path: str):
        try:
            return ipaddress.ip_address(str(value).strip() if isinstance(value, str) else value)
        except ValueError:
            self.error(path, f"{value!r} is not an IPv4 or IPv6 address (e.g. 198.51.100.10)")
            return ipaddress.IPv4Address(0)

    def ipv4(self, value, path: str) -> ipaddress.IPv4Address:
        try:
            return ipaddress.IPv4Address(str(value).strip() if isinstance(value, str) else value)
        except ValueError:
            self.error(path, f"{value!r} is not an IPv4 address (e.g. 10.20.1.15); "
                             "IP+MAC binding is IPv4 only")
            return ipaddress.IPv4Address(0)

    def mac(self, value, path: str) -> str:
        text = value.strip().lower() if isinstance(value, str) else ""
        if not MAC_RE.match(text):
            self.error(path, f"{value!r} is not a MAC address: use six colon-separated hex pairs "
                             "(e.g. 00:1a:2b:3c:4d:5e)")
            return ""
        return text

    def port(self, value, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            self.error(path, f"{value!r} is not a port: use a whole number from 1 to 65535")
            return 0
        return value

    def service(self, data, path: str, named: bool) -> Service:
        required = ("name", "protocol") if named else ("protocol",)
        optional = ("ports",) if named else ("ports", "name")
        if not self.mapping(data, path, required, optional):
            return Service("")
        name = self.name(data["name"], f"{path}.name", re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")) \
            if "name" in data else ""
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
