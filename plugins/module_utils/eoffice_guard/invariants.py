"""The advisory's promises, each proven over every packet of a region of the packet space.

Each invariant names a region derived from the policy (never from the rules under test) and the
verdict the advisory requires for every packet in it: "no packet from the internet zone reaches an
e-Office server", "no management packet is denied", ... ``packetspace.Space.decide`` splits the region
into parts each decided by one rule, so an invariant holds for all packets or is broken by a concrete
witness packet, reported with the rule that decides it.

The MAC dimension reads "the MAC the rule set's bindings list for the source IP"; compiled output
holds the policy's bindings, so there it is the policy's registered MAC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .flow import UNMANAGED, Flow, Verdict
from .ir import BLOCKED_BY_PORT, VPN_APPLICATIONS, VPN_SERVICES, RuleSet
from .packetspace import (
    BOTH,
    LISTED,
    NO,
    OTHER,
    YES,
    Box,
    Hints,
    Space,
    full,
    intersect,
    iv_and,
    iv_sub,
    iv_union,
    prefix_intervals,
    subtract_all,
)
from .policy import Policy
from .registry import vendor
from .schema import Service

#: addresses a witness prefers when its region holds them (documentation ranges): readable reports
FAMILIES = (4, 6)
INTERNET_HINTS = ("203.0.113.50", "192.0.2.77", "198.51.100.200", "2001:db8:ffff::50")


@dataclass(frozen=True)
class InvariantResult:
    invariant: str
    control: str
    flow: Flow  # the witness packet when broken; an example packet of the region when it holds
    expected: str  # allow, deny, or "not deny" (allowed or left to the ministry's rules)
    verdict: Verdict  # of that packet
    holds: bool = True
    parts: int = field(default=0, compare=False)  # disjoint parts of the region, each decided by one rule

    @property
    def ok(self) -> bool:
        return self.holds

    def __str__(self) -> str:
        if self.holds:
            return (f"ok: {self.control} {self.invariant}: expected {self.expected} for every packet "
                    f"({self.parts} decided part(s)), e.g. {self.verdict}")
        return f"BROKEN: {self.control} {self.invariant}: expected {self.expected}; {self.verdict}"


class InvariantError(ValueError):
    def __init__(self, platform: str, failures: list[InvariantResult]):
        self.failures = failures
        super().__init__(f"{platform}: {len(failures)} advisory invariant(s) broken:\n"
                         + "\n".join(str(f) for f in failures))


@dataclass(frozen=True)
class Claim:
    """An invariant as a statement: every packet of ``boxes`` gets ``expected``."""

    invariant: str
    control: str
    expected: str
    boxes: tuple[Box, ...]


def acceptable(expected: str, action: str) -> bool:
    return action != "deny" if expected == "not deny" else action == expected


def check_invariants(policy: Policy, config, platform: str, only: str = "") -> list[InvariantResult]:
    """Every invariant for ``policy`` on ``config`` (a RuleSet or ParsedConfig) of ``platform``.

    ``only``: just the invariants whose name starts with it (``"management"`` for the anti-lockout guard).
    """
    ruleset: RuleSet = getattr(config, "ruleset", config)
    space = Space(ruleset, (z.name for z in policy.zones))
    hints = _hints(policy)
    return [r for c in claims(policy, platform, space) if c.invariant.startswith(only)
            if (r := decide(space, c, hints)) is not None]


def assert_invariants(policy: Policy, config, platform: str) -> list[InvariantResult]:
    results = check_invariants(policy, config, platform)
    failures = [r for r in results if not r.ok]
    if failures:
        raise InvariantError(platform, failures)
    return results


def decide(space: Space, claim: Claim, hints: Hints) -> InvariantResult | None:
    """The claim over all its packets: the first witness that breaks it, or an example when it holds."""
    example, parts = None, 0
    for box, rule in space.decide(claim.boxes):
        action = rule.action if rule else UNMANAGED
        ok = acceptable(claim.expected, action)
        if ok and example is not None:
            parts += 1
            continue
        flow = space.witness(box, hints)
        if flow is None:  # no real packet in this part
            continue
        parts += 1
        verdict = Verdict(action, rule, flow)
        if not ok:
            return InvariantResult(claim.invariant, claim.control, flow, claim.expected, verdict, False, parts)
        example = verdict
    if example is None:
        return None  # an empty region: nothing to prove
    return InvariantResult(claim.invariant, claim.control, example.flow, claim.expected, example, True, parts)


def forbidden_packet(policy: Policy, platform: str, ruleset: RuleSet, src_zones,
                     dst_zones) -> tuple[Claim, Flow] | None:
    """A packet between those zones (None: any) that a "deny" invariant forbids, with the invariant."""
    space = Space(ruleset, (z.name for z in policy.zones))
    hints = _hints(policy)
    between = {fam: space.box(fam, src_zones, dst_zones) for fam in FAMILIES}
    for claim in claims(policy, platform, space):
        if claim.expected != "deny":
            continue
        for box in claim.boxes:
            hit = between[box.family] and intersect(box, between[box.family])
            if hit and (flow := space.witness(hit, hints)) is not None:
                return claim, flow
    return None


def _hints(p: Policy) -> Hints:
    servers = [_first_host(x) for x in p.network(p.eoffice_servers.network).prefixes]
    peers = [str(v.peer) for v in p.approved_vpns]
    services = [(s.protocol, port) for s in p.eoffice_services for port in (s.ports or (None,))]
    zones = (p.internet_zone, p.eoffice_servers.zone, *sorted(z.name for z in p.zones))
    return Hints((*INTERNET_HINTS, *servers, *peers), (*services, ("tcp", 22), ("udp", 53), ("tcp", 443)), zones)


def _first_host(prefix) -> str:
    return str(prefix.network_address if prefix.num_addresses == 1 else prefix.network_address + 1)


def claims(p: Policy, platform: str, space: Space) -> list[Claim]:
    """The invariants of ``policy`` on ``platform``, as regions of ``space``; order is report order."""
    caps = vendor(platform)
    return _Claims(p, space, getattr(caps, "CAN_MATCH_APPLICATIONS", False),
                   getattr(caps, "ENFORCES_MAC_BINDING", False), getattr(caps, "ENFORCES_DEVICE_RULES", False)).all()


class _Claims:
    """Regions of the packet space derived from the policy alone."""

    def __init__(self, p: Policy, space: Space, apps: bool, mac: bool, device: bool):
        self.p, self.s, self.apps, self.mac, self.device = p, space, apps, mac, device
        self.inet, self.szone = p.internet_zone, p.eoffice_servers.zone
        self.zones = [z.name for z in p.zones]
        self.servers = p.network(p.eoffice_servers.network).prefixes
        self.svcs = space.services(p.eoffice_services)
        self.bound = {b.zone for b in p.device_bindings}
        self._approved: dict[tuple[str, int], tuple] = {}

    def S(self, fam: int):
        return prefix_intervals(self.servers, fam)

    def net(self, name: str, fam: int):
        return prefix_intervals(self.p.network(name).prefixes, fam)

    def host(self, ip, fam: int):
        return ((int(ip), int(ip)),) if ip.version == fam else ()

    def claim(self, name: str, control: str, expected: str, boxes, cuts=()) -> Claim:
        boxes = [b for b in boxes if b is not None]
        return Claim(name, control, expected, tuple(subtract_all(boxes, [c for c in cuts if c is not None])))

    def all(self) -> list[Claim]:
        out = [*self.internet(), *self.internal(), *self.bindings(), *self.vpn_blocks(), *self.approved(),
               *self.vpns(), *self.management(), *self.egress()]
        return [c for c in out if c.boxes]

    # regions the advisory allows, cut out of the "deny" regions -------------------------------
    def mgmt_regions(self, device: bool = False):
        for m in self.p.management:
            svc = self.s.services(m.services)
            for fam in FAMILIES:
                yield self.s.box(fam, [m.zone], None if device else [self.szone], self.net(m.network, fam),
                                 None if device else self.S(fam), svc, device=YES if device else NO)

    # A cut names the destination by address in every zone: routing, not the rule, decides where an
    # address lies, and platforms that filter on the way in (ASA) name no destination zone.
    def egress_regions(self):
        for e in self.p.eoffice_egress:
            for fam in FAMILIES:
                yield self.s.box(fam, [self.szone], None, self.S(fam), self.net(e.network, fam),
                                 self.s.services(e.services))

    def approved_src(self, zone: str, fam: int):
        """Who may reach e-Office from ``zone``: its listed devices when it has bindings, else its networks."""
        if (zone, fam) not in self._approved:
            if zone in self.bound:
                self._approved[zone, fam] = iv_union((int(b.ip), int(b.ip)) for b in self.p.device_bindings
                                                     if b.zone == zone and b.ip.version == fam)
            else:
                self._approved[zone, fam] = prefix_intervals([x for r in self.p.approved_networks if r.zone == zone
                                                              for x in self.p.network(r.network).prefixes], fam)
        return self._approved[zone, fam]

    def vpn_regions(self):
        for v in self.p.approved_vpns:
            svc = self.s.services(_vpn_services(v.protocols))
            yield self.s.box(v.peer.version, [v.zone], None, self.host(v.peer, v.peer.version), None, svc)
            yield self.s.box(v.peer.version, None, None, None, self.host(v.peer, v.peer.version), svc)

    # the invariants ---------------------------------------------------------------------------
    def internet(self):
        to_servers = [self.s.box(f, [self.inet], [self.szone], None, self.S(f)) for f in FAMILIES]
        yield self.claim("internet to e-Office is denied", "EO-NET-1", "deny", to_servers)
        to_internet = [self.s.box(f, [self.szone], [self.inet], self.S(f)) for f in FAMILIES]
        yield self.claim("e-Office to the internet is denied", "EO-NET-1", "deny", to_internet,
                         self.egress_regions())
        inside = [z for z in self.zones if z != self.inet]
        elsewhere = [self.s.box(f, [self.szone], inside, self.S(f)) for f in FAMILIES]
        yield self.claim("e-Office reaches nothing but its egress destinations", "EO-NET-1", "deny", elsewhere,
                         self.egress_regions())
        for v in self.p.approved_vpns:
            f = v.peer.version
            yield self.claim("an approved VPN peer does not reach e-Office itself", "EO-NET-1", "deny",
                             [self.s.box(f, [v.zone], [self.szone], self.host(v.peer, f), self.S(f))],
                             self.mgmt_regions())

    def internal(self):
        others, off_services = [], []
        for zone in (z for z in self.zones if z != self.inet):
            for f in FAMILIES:
                approved = self.approved_src(zone, f)
                others.append(self.s.box(f, [zone], [self.szone], iv_sub(full(f), approved), self.S(f)))
                if approved:
                    off_services.append(self.s.box(f, [zone], [self.szone], approved, self.S(f),
                                                   iv_sub(self.s.all_svc, self.svcs)))
        yield self.claim("a non-approved internal address does not reach e-Office", "EO-NET-3", "deny", others,
                         self.mgmt_regions())
        yield self.claim("an approved network reaches e-Office on its services only", "EO-NET-3", "deny",
                         off_services, self.mgmt_regions())

    def bindings(self):
        if not self.mac:
            return
        for zone in sorted(self.bound):
            boxes = [self.s.box(f, [zone], [self.szone], self.approved_src(zone, f), self.S(f), mac=OTHER)
                     for f in FAMILIES]
            yield self.claim("a listed IP with another MAC does not reach e-Office", "EO-NET-4", "deny", boxes,
                             self.mgmt_regions())

    def vpn_blocks(self):
        ports = self.s.services(Service(proto, ports) for name in BLOCKED_BY_PORT
                                for proto, ports in [_vpn_service(name)])
        cuts = [*self.vpn_regions(), *self.mgmt_regions()]
        yield self.claim("VPN protocols are blocked", "EO-VPN-1", "deny",
                         [self.s.box(f, svc=ports) for f in FAMILIES], cuts)
        if self.apps:
            yield self.claim("VPN applications are blocked", "EO-VPN-1", "deny",
                             [self.s.box(f, apps=VPN_APPLICATIONS) for f in FAMILIES], cuts)

    def approved(self):
        for r in self.p.approved_networks:
            mac = LISTED if r.zone in self.bound else BOTH  # verified devices: a listed IP with its MAC
            boxes = []
            for f in FAMILIES:
                src = self.net(r.network, f)
                if r.zone in self.bound:
                    src = iv_and(src, self.approved_src(r.zone, f))
                boxes.append(self.s.box(f, [r.zone], [self.szone], src, self.S(f), self.svcs, [None], mac=mac))
            yield self.claim("an approved network reaches e-Office on its services", "EO-NET-3", "allow", boxes)

    def vpns(self):
        for v in self.p.approved_vpns:
            f, svc = v.peer.version, self.s.services(_vpn_services(v.protocols))
            peer, not_servers = self.host(v.peer, f), iv_sub(full(f), self.S(f))
            yield self.claim("an approved, unexpired VPN reaches the inside", "EO-VPN-2", "allow", [
                self.s.box(f, [v.zone], None, peer, not_servers, svc, [None]),
                self.s.box(f, None, [v.zone], not_servers, peer, svc, [None])])

    def management(self):
        for m in self.p.management:
            svc = self.s.services(m.services)
            yield self.claim("management reaches the e-Office servers", "EO-NET-3", "allow",
                             [self.s.box(f, [m.zone], [self.szone], self.net(m.network, f), self.S(f), svc)
                              for f in FAMILIES])
            yield self.claim("management reaches the firewall", "EO-NET-3", "allow" if self.device else "not deny",
                             [self.s.box(f, [m.zone], None, self.net(m.network, f), None, svc, device=YES)
                              for f in FAMILIES])

    def egress(self):
        inside = [z for z in self.zones if z != self.inet]
        for e in self.p.eoffice_egress:
            yield self.claim("e-Office reaches its egress destinations", "EO-NET-1", "allow",
                             [self.s.box(f, [self.szone], [e.zone] if e.zone else inside, self.S(f),
                                         self.net(e.network, f), self.s.services(e.services), [None])
                              for f in FAMILIES])


def _vpn_service(name: str) -> tuple[str, tuple[int, ...]]:
    return next((proto, ports) for svcs in VPN_SERVICES.values() for n, proto, ports in svcs if n == name)


def _vpn_services(protocols) -> list[Service]:
    return [Service(proto, ports) for p in protocols for _, proto, ports in VPN_SERVICES[p]]


__all__ = ["UNMANAGED", "Claim", "InvariantError", "InvariantResult", "assert_invariants", "check_invariants",
           "claims", "forbidden_packet"]
