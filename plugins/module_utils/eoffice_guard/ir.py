"""The vendor-neutral rule set every renderer writes and every parser reads back.

A RuleSet holds named address objects (IPv4 and IPv6, collapsed), services, zones, IP+MAC bindings
and the ordered managed rules of ARCHITECTURE.md ("What the managed rules mean"). An empty tuple in a
match field of a Rule means "any". Every object and rule name starts with ``EO-``.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from functools import cached_property

from .policy import Policy, Zone
from .schema import Network, Service

PREFIX = "EO-"
MAX_NAME = 48  # object names stay valid on every vendor (PAN-OS: 63 characters)
ALLOW, DENY = "allow", "deny"
#: advisory controls the managed rules implement (named in every rendered file's header)
CONTROLS = ("EO-NET-1", "EO-NET-2", "EO-NET-3", "EO-NET-4", "EO-VPN-1", "EO-VPN-2")
#: VPN protocol -> the services that carry it (name, protocol, ports)
VPN_SERVICES: dict[str, tuple[tuple[str, str, tuple[int, ...]], ...]] = {
    "ipsec": (("EO-VPN-IKE", "udp", (500, 4500)), ("EO-VPN-ESP", "esp", ()), ("EO-VPN-AH", "ah", ())),
    "l2tp": (("EO-VPN-L2TP", "udp", (1701,)),),
    "openvpn": (("EO-VPN-OPENVPN-UDP", "udp", (1194,)), ("EO-VPN-OPENVPN-TCP", "tcp", (1194,))),
    "pptp": (("EO-VPN-PPTP", "tcp", (1723,)), ("EO-VPN-GRE", "gre", ())),
    # SSTP shares tcp/443 with https: blocked by application only, allowed by port for an approved peer
    "sstp": (("EO-VPN-SSTP", "tcp", (443,)),),
    "wireguard": (("EO-VPN-WIREGUARD", "udp", (51820,)),),
}
BLOCKED_BY_PORT = tuple(sorted(name for proto, svcs in VPN_SERVICES.items() if proto != "sstp"
                               for name, _, _ in svcs))
#: vendor-neutral application names of rule 3's application match
VPN_APPLICATIONS = ("ipsec", "l2tp", "openvpn", "pptp", "sstp", "wireguard")

Address = Network  # a named address object: name and collapsed prefixes, IPv4 first


@dataclass(frozen=True)
class Binding:
    """A verified device: an IPv4 address with its registered MAC, in a zone."""

    ip: str
    mac: str
    zone: str
    owner: str = ""


@dataclass(frozen=True)
class Rule:
    name: str
    action: str  # ALLOW or DENY
    control: str  # the advisory control the rule implements
    why: str  # one line, plain language, for reviewers
    src_zones: tuple[str, ...] = ()
    dst_zones: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # address object names
    destinations: tuple[str, ...] = ()
    services: tuple[str, ...] = ()  # service object names
    applications: tuple[str, ...] = ()  # VPN_APPLICATIONS names
    log: bool = True
    to_device: bool = False  # traffic addressed to the firewall itself (rule 1, nftables input chain)
    mac_mismatch: bool = False  # matches only a bound IP arriving with another MAC (rule 4)


@dataclass(frozen=True)
class RuleSet:
    ministry: str
    policy_hash: str
    zones: tuple[Zone, ...]
    addresses: tuple[Address, ...]
    services: tuple[Service, ...]
    bindings: tuple[Binding, ...]
    rules: tuple[Rule, ...]
    controls: tuple[str, ...] = CONTROLS

    # Lookups by name are indexed once per rule set: renderers call them for every rule reference.
    @cached_property
    def _addresses_by_name(self) -> dict[str, Address]:
        return {a.name: a for a in self.addresses}

    @cached_property
    def _services_by_name(self) -> dict[str, Service]:
        return {s.name: s for s in self.services}

    @cached_property
    def _rules_by_name(self) -> dict[str, Rule]:
        return {r.name: r for r in self.rules}

    def address(self, name: str) -> Address:
        return self._addresses_by_name[name]

    def service(self, name: str) -> Service:
        return self._services_by_name[name]

    def rule(self, name: str) -> Rule:
        return self._rules_by_name[name]

    def zone_names(self) -> tuple[str, ...]:
        return tuple(z.name for z in self.zones)


class ShadowError(ValueError):
    """A managed rule can never match: an earlier rule covers all its traffic."""

    def __init__(self, pairs: list[tuple[Rule, Rule]]):
        self.pairs = pairs
        super().__init__("\n".join(
            f"rule {late.name} ({late.why}) is fully shadowed by earlier rule {early.name} ({early.why})"
            for early, late in pairs))


def rule_group(rule: Rule) -> int:
    """The number of the ARCHITECTURE.md rule a managed rule belongs to (EO-R5-... -> 5)."""
    return int(rule.name[4]) if rule.name[:4] == "EO-R" and rule.name[4:5].isdigit() else 9


def net_name(network: str) -> str:
    return f"{PREFIX}NET-{network}"


def build_ir(policy: Policy) -> RuleSet:
    """The managed rules of a validated policy, in order; raises ShadowError for a rule that cannot match."""
    b = _Builder(policy)
    rules = (b.management() + b.approved_vpns() + b.vpn_block() + b.binding_checks() + b.approved()
             + b.default_deny_inbound() + b.egress() + b.default_deny_outbound())
    ruleset = RuleSet(
        ministry=policy.ministry, policy_hash=policy.content_hash, zones=policy.zones,
        addresses=tuple(sorted(b.addresses.values(), key=lambda a: a.name)),
        services=tuple(sorted(b.services.values(), key=lambda s: s.name)),
        bindings=tuple(Binding(str(d.ip), d.mac, d.zone, d.owner)
                       for d in sorted(policy.device_bindings, key=lambda d: d.ip)),
        rules=tuple(rules))
    from .shadow import find_shadowed  # needs the finished object tables

    shadowed = find_shadowed(ruleset)
    if shadowed:
        raise ShadowError(shadowed)
    return ruleset


class _Builder:
    """Turns policy entries into rules, registering the address and service objects they use."""

    def __init__(self, policy: Policy):
        self.p = policy
        self.addresses: dict[str, Address] = {}
        self.services: dict[str, Service] = {}
        self.servers = self.net(policy.eoffice_servers.network)
        self.servers_zone = policy.eoffice_servers.zone
        self.bound_zones = sorted({d.zone for d in policy.device_bindings})

    def net(self, network: str) -> str:
        name = net_name(network)
        self.addresses[name] = Address(name, self.p.network(network).prefixes)
        return name

    def service(self, svc: Service) -> str:
        name = f"{PREFIX}SVC-{svc.name}" if svc.name else _unnamed_service(svc)
        self.services[name] = Service(svc.protocol, svc.ports, name)
        return name

    def vpn_service(self, protocol: str) -> tuple[str, ...]:
        for name, proto, ports in VPN_SERVICES[protocol]:
            self.services[name] = Service(proto, ports, name)
        return tuple(name for name, _, _ in VPN_SERVICES[protocol])

    def management(self) -> list[Rule]:
        to_servers, to_device = [], []
        for n, m in enumerate(self.p.management, 1):
            src, svcs = self.net(m.network), tuple(sorted({self.service(s) for s in m.services}))
            why = f"management from {m.network} ({m.zone}) is never blocked"
            to_servers.append(Rule(f"EO-R1-MGMT-{n}-SRV", ALLOW, "EO-NET-3", f"{why}: to the e-Office servers",
                                   (m.zone,), (self.servers_zone,), (src,), (self.servers,), svcs))
            to_device.append(Rule(f"EO-R1-MGMT-{n}-DEV", ALLOW, "EO-NET-3", f"{why}: to the firewall itself",
                                  (m.zone,), (), (src,), (), svcs, to_device=True))
        return to_servers + to_device

    def approved_vpns(self) -> list[Rule]:
        rules = []
        for n, vpn in enumerate(self.p.approved_vpns, 1):
            peer = f"{PREFIX}PEER-{vpn.name}"
            self.addresses[peer] = Address.of(peer, [_host(vpn.peer)])
            svcs = tuple(sorted({s for proto in vpn.protocols for s in self.vpn_service(proto)}))
            why = f"approved VPN {vpn.name} ({vpn.approval_ref}, until {vpn.expires.isoformat()})"
            # the peer reaches the inside, never e-Office itself: the guards hold on zone-less ACLs too
            rules += [
                Rule(f"EO-R2-VPN-{n}-GUARD-IN", DENY, "EO-NET-1", f"{why}: never to e-Office directly",
                     (vpn.zone,), (), (peer,), (self.servers,), svcs),
                Rule(f"EO-R2-VPN-{n}-GUARD-OUT", DENY, "EO-NET-1", f"{why}: never from e-Office directly",
                     (), (vpn.zone,), (self.servers,), (peer,), svcs),
                Rule(f"EO-R2-VPN-{n}-IN", ALLOW, "EO-VPN-2", f"{why}: from the peer",
                     (vpn.zone,), (), (peer,), (), svcs),
                Rule(f"EO-R2-VPN-{n}-OUT", ALLOW, "EO-VPN-2", f"{why}: to the peer",
                     (), (vpn.zone,), (), (peer,), svcs)]
        return rules

    def vpn_block(self) -> list[Rule]:
        for proto in VPN_SERVICES:
            if proto != "sstp":
                self.vpn_service(proto)
        return [Rule("EO-R3-VPN-PORTS", DENY, "EO-VPN-1",
                     "VPN and tunnelling protocols are blocked (by port)", services=BLOCKED_BY_PORT),
                Rule("EO-R3-VPN-APPS", DENY, "EO-VPN-1", "VPN applications are blocked (by application)",
                     applications=VPN_APPLICATIONS)]

    def bound(self, zone: str) -> str:
        name = f"{PREFIX}BOUND-{zone}"
        hosts = [_host(d.ip) for d in self.p.device_bindings if d.zone == zone]
        self.addresses[name] = Address.of(name, hosts)
        return name

    def binding_checks(self) -> list[Rule]:
        return [Rule(f"EO-R4-BIND-{n}", DENY, "EO-NET-4",
                     f"a listed device in {zone} with another MAC is not a verified device",
                     (zone,), (self.servers_zone,), (self.bound(zone),), (self.servers,), mac_mismatch=True)
                for n, zone in enumerate(self.bound_zones, 1)]

    def approved(self) -> list[Rule]:
        zones = sorted({r.zone for r in self.p.approved_networks})
        svcs = tuple(sorted({self.service(s) for s in self.p.eoffice_services}))
        rules = []
        for n, zone in enumerate(zones, 1):
            nets = sorted(r.network for r in self.p.approved_networks if r.zone == zone)
            bound = zone in self.bound_zones
            sources = (self.bound(zone),) if bound else tuple(self.net(x) for x in nets)
            who = "verified devices of " if bound else ""
            rules.append(Rule(f"EO-R5-APPROVED-{n}", ALLOW, "EO-NET-3",
                              f"{who}approved networks {', '.join(nets)} ({zone}) reach e-Office "
                              "on its services",
                              (zone,), (self.servers_zone,), sources, (self.servers,), svcs))
        return rules

    def default_deny_inbound(self) -> list[Rule]:
        return [Rule("EO-R6-DENY-TO-EOFFICE", DENY, "EO-NET-1",
                     "anything else to e-Office is denied (internet and non-approved internal alike)",
                     (), (self.servers_zone,), (), (self.servers,))]

    def egress(self) -> list[Rule]:
        rules = []
        for n, e in enumerate(self.p.eoffice_egress, 1):
            svcs = tuple(sorted({self.service(s) for s in e.services}))
            rules.append(Rule(f"EO-R7-EGRESS-{n}", ALLOW, "EO-NET-1",
                              f"e-Office servers reach {e.network} on its services",
                              (self.servers_zone,), (e.zone,) if e.zone else (), (self.servers,),
                              (self.net(e.network),), svcs))
        return rules

    def default_deny_outbound(self) -> list[Rule]:
        return [Rule("EO-R8-DENY-FROM-EOFFICE", DENY, "EO-NET-1",
                     "e-Office servers reach nothing else (no path to the internet)",
                     (self.servers_zone,), (), (self.servers,), ())]


def _unnamed_service(svc: Service) -> str:
    """EO-SVC-TCP-22-443; many ports become a digest, as vendor names stop at 63 characters."""
    name = f"{PREFIX}SVC-{svc.protocol.upper()}" + "".join(f"-{p}" for p in svc.ports)
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(",".join(map(str, svc.ports)).encode()).hexdigest()[:10]
    return f"{PREFIX}SVC-{svc.protocol.upper()}-{svc.ports[0]}-ETC-{digest}"


def _host(ip) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(ip)
