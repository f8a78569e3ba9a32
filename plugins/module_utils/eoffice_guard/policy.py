"""The ministry's e-Office policy: validation of the `eoffice` YAML value and its normalised model.

`validate_policy` collects every problem (file, key path, what would be valid) before raising one
`PolicyError`, so an operator fixes a file in one pass. The model knows nothing of firewall vendors
beyond the names of the platforms a zone gives interface names for.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass, field

from .policy_source import check_source
from .schema import (
    INTERFACE_NAMES,
    NAME_PATTERN,
    PLATFORMS,
    VPN_PROTOCOLS,
    Checker,
    Network,
    Service,
    TooManyValues,
    value_problems,
)
from .semantics import check_semantics

NAME_RE = NAME_PATTERN
MINISTRY_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")

TOP_REQUIRED = ("ministry", "director_cyber_security", "advisory_deadline", "zones", "internet_zone",
                "networks", "eoffice_servers", "eoffice_services", "approved_networks")
TOP_OPTIONAL = ("management", "eoffice_egress", "device_bindings", "approved_vpns")


class PolicyError(ValueError):
    """All problems found in one policy: ``source`` (the file) and ``errors`` [(key path, message)]."""

    def __init__(self, source: str, errors: list[tuple[str, str]]):
        self.source = source
        self.errors = [(printable(path), printable(message)) for path, message in errors]
        super().__init__("\n".join(f"{source}: {path}: {message}" for path, message in self.errors))


def printable(text: str) -> str:
    """One line whatever a key or value held: line breaks and other invisible characters escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


@dataclass(frozen=True)
class Zone:
    name: str
    interfaces: tuple[tuple[str, str], ...]  # (platform, interface or zone name), sorted by platform

    def interface(self, platform: str) -> str:
        return dict(self.interfaces)[platform]


@dataclass(frozen=True)
class NetworkRef:
    network: str
    zone: str


@dataclass(frozen=True)
class Management:
    network: str
    zone: str
    services: tuple[Service, ...]


@dataclass(frozen=True)
class Egress:
    network: str
    services: tuple[Service, ...]
    zone: str | None = None  # None: wherever the route leads (any zone but the internet zone)


@dataclass(frozen=True)
class DeviceBinding:
    ip: ipaddress.IPv4Address
    mac: str  # lower-case, colon form
    zone: str
    owner: str


@dataclass(frozen=True)
class ApprovedVpn:
    name: str
    peer: ipaddress.IPv4Address | ipaddress.IPv6Address
    protocols: tuple[str, ...]
    approval_ref: str
    expires: datetime.date
    zone: str  # where the peer is; the internet zone unless given


@dataclass(frozen=True)
class Policy:
    ministry: str
    director_cyber_security: str
    advisory_deadline: datetime.date
    zones: tuple[Zone, ...]
    internet_zone: str
    networks: tuple[Network, ...]
    eoffice_servers: NetworkRef
    eoffice_services: tuple[Service, ...]
    approved_networks: tuple[NetworkRef, ...]
    management: tuple[Management, ...] = ()
    eoffice_egress: tuple[Egress, ...] = ()
    device_bindings: tuple[DeviceBinding, ...] = ()
    approved_vpns: tuple[ApprovedVpn, ...] = ()
    source: str = field(default="", compare=False)

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms every zone names an interface for (the ones this policy can render)."""
        return tuple(p for p, _ in self.zones[0].interfaces) if self.zones else ()

    def network(self, name: str) -> Network:
        return next(n for n in self.networks if n.name == name)

    def zone(self, name: str) -> Zone:
        return next(z for z in self.zones if z.name == name)

    def to_dict(self) -> dict:
        """JSON-able canonical form: dates as ISO strings, every list in a stable order."""
        return {
            "ministry": self.ministry,
            "director_cyber_security": self.director_cyber_security,
            "advisory_deadline": self.advisory_deadline.isoformat(),
            "zones": {z.name: dict(z.interfaces) for z in self.zones},
            "internet_zone": self.internet_zone,
            "networks": {n.name: [str(p) for p in n.prefixes] for n in self.networks},
            "eoffice_servers": _ref(self.eoffice_servers),
            "eoffice_services": [s.to_dict() for s in self.eoffice_services],
            "approved_networks": [_ref(r) for r in self.approved_networks],
            "management": [{**_ref(m), "services": [s.to_dict() for s in m.services]}
                           for m in self.management],
            "eoffice_egress": [{"network": e.network, "zone": e.zone,
                                "services": [s.to_dict() for s in e.services]} for e in self.eoffice_egress],
            "device_bindings": [{"ip": str(b.ip), "mac": b.mac, "zone": b.zone, "owner": b.owner}
                                for b in self.device_bindings],
            "approved_vpns": [{"name": v.name, "peer": str(v.peer), "protocols": list(v.protocols),
                               "approval_ref": v.approval_ref, "expires": v.expires.isoformat(),
                               "zone": v.zone} for v in self.approved_vpns],
        }

    def as_input(self) -> dict:
        """The policy as a valid ``eoffice`` value again: what modules receive after validation."""
        data = self.to_dict()
        for egress in data["eoffice_egress"]:
            if egress["zone"] is None:
                del egress["zone"]
        for binding in data["device_bindings"]:
            if not binding["owner"]:
                del binding["owner"]
        return data

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _ref(ref: NetworkRef) -> dict:
    return {"network": ref.network, "zone": ref.zone}


def validate_policy(data, source: str, today: datetime.date | None = None, source_text: str | None = None) -> Policy:
    """Check the value of the top-level `eoffice` key; return the normalised Policy or raise PolicyError.

    ``source_text``, the YAML file it was loaded from, adds the checks only the text can answer.
    """
    today = today or datetime.date.today()
    c = Checker()
    path = "eoffice"
    if source_text is not None:
        c.errors += check_source(source_text, path)
    if not any(message == TooManyValues.MESSAGE for _, message in c.errors):
        c.errors += value_problems(data, path)
    if any(message == TooManyValues.MESSAGE for _, message in c.errors):
        raise PolicyError(source, c.errors)  # walking it again would only expand the aliases again
    c.mapping(data, path, TOP_REQUIRED, TOP_OPTIONAL)
    if not isinstance(data, dict) or any(key not in data for key in TOP_REQUIRED):
        raise PolicyError(source, c.errors)  # later checks would only repeat what is missing
    ministry = c.string(data.get("ministry"), f"{path}.ministry", MINISTRY_RE, "up to 40 lower-case letters, "
                        "digits and '-', starting with a letter or digit (e.g. moitt)")
    director = c.string(data.get("director_cyber_security"), f"{path}.director_cyber_security")
    deadline = c.date(data.get("advisory_deadline"), f"{path}.advisory_deadline")
    zones = _zones(c, data.get("zones"), f"{path}.zones")
    zone_names = {z.name for z in zones}
    internet = c.reference(data.get("internet_zone"), f"{path}.internet_zone", zone_names, "zone")
    networks = _networks(c, data.get("networks"), f"{path}.networks")
    # a network whose prefixes are wrong still exists: no follow-on "unknown network" errors
    net_names = {str(k) for k in data["networks"]} if isinstance(data["networks"], dict) else set()
    refs = _Refs(c, net_names, zone_names)
    servers = refs.network_ref(data.get("eoffice_servers"), f"{path}.eoffice_servers")
    services = c.service_list(data.get("eoffice_services"), f"{path}.eoffice_services", named=True)
    approved = [refs.network_ref(item, p) for item, p in c.items(data.get("approved_networks"),
                                                                 f"{path}.approved_networks")]
    management = [_management(c, refs, item, p) for item, p in c.items(data.get("management", []),
                                                                        f"{path}.management")]
    egress = [_egress(c, refs, item, p) for item, p in c.items(data.get("eoffice_egress", []),
                                                             f"{path}.eoffice_egress")]
    bindings = [_binding(c, refs, item, p) for item, p in c.items(data.get("device_bindings", []),
                                                                  f"{path}.device_bindings")]
    vpns = [_vpn(c, refs, item, p, internet) for item, p in c.items(data.get("approved_vpns", []),
                                                                  f"{path}.approved_vpns")]
    draft = Policy(
        ministry=ministry, director_cyber_security=director, advisory_deadline=deadline, zones=tuple(zones),
        internet_zone=internet, networks=tuple(networks), eoffice_servers=servers,
        eoffice_services=tuple(services), approved_networks=tuple(approved), management=tuple(management),
        eoffice_egress=tuple(egress), device_bindings=tuple(bindings), approved_vpns=tuple(vpns),
        source=source)
    # on the draft, even after errors above: list indexes still match the file, and the checks across
    # keys skip what is already reported, so an operator sees every independent problem in one run
    check_semantics(c, draft, today)
    if c.errors:
        raise PolicyError(source, c.errors)
    return _normalised(draft)


def _normalised(p: Policy) -> Policy:
    """Sort everything whose order carries no meaning, so equal policies are equal objects."""
    return dataclasses.replace(
        p, zones=tuple(sorted(p.zones, key=lambda z: z.name)),
        networks=tuple(sorted(p.networks, key=lambda n: n.name)),
        eoffice_services=tuple(sorted(set(p.eoffice_services), key=Service.sort_key)),
        approved_networks=tuple(sorted(set(p.approved_networks), key=lambda r: (r.zone, r.network))),
        management=tuple(sorted(set(p.management), key=lambda m: (m.zone, m.network, str(m.services)))),
        eoffice_egress=tuple(sorted(set(p.eoffice_egress), key=lambda e: (e.network, e.zone or "",
                                                                           str(e.services)))),
        device_bindings=tuple(sorted(p.device_bindings, key=lambda b: (b.zone, b.ip))),
        approved_vpns=tuple(sorted(p.approved_vpns, key=lambda v: v.name)))


def _zones(c: Checker, data, path: str) -> list[Zone]:
    zones = []
    if not c.mapping(data, path):
        return zones
    for name, ifaces in data.items():
        zpath = f"{path}.{name}"
        if c.name(name, zpath, NAME_RE) and c.mapping(ifaces, zpath, (), PLATFORMS, allow_empty=False):
            pairs = tuple(sorted((p, c.string(v, f"{zpath}.{p}", *INTERFACE_NAMES[p]))
                                 for p, v in ifaces.items() if p in INTERFACE_NAMES))
            zones.append(Zone(str(name), pairs))
    if not zones and not c.errors:
        c.error(path, "at least one zone is needed")
    return zones


def _networks(c: Checker, data, path: str) -> list[Network]:
    networks = []
    if not c.mapping(data, path):
        return networks
    for name, prefixes in data.items():
        npath = f"{path}.{name}"
        if not c.name(name, npath, NAME_RE):
            continue
        items = c.items(prefixes, npath, allow_empty=False)
        nets = [c.network(value, p) for value, p in items]
        if items and all(nets):
            networks.append(Network.of(str(name), nets))
    return networks


class _Refs:
    """Checks references to named networks and zones."""

    def __init__(self, c: Checker, networks: set[str], zones: set[str]):
        self.c, self.networks, self.zones = c, networks, zones

    def network_ref(self, data, path: str, extra: tuple[str, ...] = ()) -> NetworkRef:
        if not self.c.mapping(data, path, ("network", "zone"), extra):
            return NetworkRef("", "")
        return NetworkRef(self.net(data.get("network"), f"{path}.network"),
                          self.zone(data.get("zone"), f"{path}.zone"))

    def net(self, value, path: str) -> str:
        return self.c.reference(value, path, self.networks, "network (a key of eoffice.networks)")

    def zone(self, value, path: str) -> str:
        return self.c.reference(value, path, self.zones, "zone (a key of eoffice.zones)")


def _management(c: Checker, refs: _Refs, data, path: str) -> Management:
    ref = refs.network_ref(data, path, ("services",))
    services = c.service_list(data.get("services"), f"{path}.services") if isinstance(data, dict) else []
    return Management(ref.network, ref.zone, tuple(sorted(set(services), key=Service.sort_key)))


def _egress(c: Checker, refs: _Refs, data, path: str) -> Egress:
    if not c.mapping(data, path, ("network", "services"), ("zone",)):
        return Egress("", ())
    zone = refs.zone(data["zone"], f"{path}.zone") if "zone" in data else None
    services = c.service_list(data.get("services"), f"{path}.services")
    return Egress(refs.net(data.get("network"), f"{path}.network"),
                  tuple(sorted(set(services), key=Service.sort_key)), zone)


def _binding(c: Checker, refs: _Refs, data, path: str) -> DeviceBinding:
    if not c.mapping(data, path, ("ip", "mac", "zone"), ("owner",)):
        return DeviceBinding(ipaddress.IPv4Address(0), "", "", "")
    ip = c.ipv4(data.get("ip"), f"{path}.ip")
    owner = c.label(data["owner"], f"{path}.owner") if "owner" in data else ""
    mac = c.mac(data.get("mac"), f"{path}.mac")
    return DeviceBinding(ip, mac, refs.zone(data.get("zone"), f"{path}.zone"), owner)


def _vpn(c: Checker, refs: _Refs, data, path: str, internet: str) -> ApprovedVpn:
    if not c.mapping(data, path, ("name", "peer", "protocols", "approval_ref", "expires"), ("zone",)):
        return ApprovedVpn("", ipaddress.IPv4Address(0), (), "", datetime.date.min, "")
    protocols = [c.choice(v, p, VPN_PROTOCOLS, "VPN protocol")
                 for v, p in c.items(data.get("protocols"), f"{path}.protocols", allow_empty=False)]
    zone = refs.zone(data["zone"], f"{path}.zone") if "zone" in data else internet
    return ApprovedVpn(
        name=c.name(data.get("name"), f"{path}.name", NAME_RE),
        peer=c.address(data.get("peer"), f"{path}.peer"),
        protocols=tuple(sorted(set(protocols))), approval_ref=c.label(data.get("approval_ref"),
                                                                        f"{path}.approval_ref"),
        expires=c.date(data.get("expires"), f"{path}.expires"), zone=zone)
