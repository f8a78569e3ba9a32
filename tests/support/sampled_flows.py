"""The sampled second opinion: the advisory invariants as concrete flows, each decided by ``check_flow``.

This was the compiler's check before the packet-space proof (``eoffice_guard.invariants``); tests keep
it to cross-check the proof and to show what a sample misses. The flows come from the policy alone.
Internet and non-approved addresses are taken outside every network of the policy (a policy may
cover any fixed list of test addresses).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from eoffice_guard.flow import UNMANAGED, Flow, Verdict, check_flow
from eoffice_guard.ir import VPN_SERVICES
from eoffice_guard.packetspace import address_text, full, iv_sub, prefix_intervals
from eoffice_guard.policy import Policy
from eoffice_guard.registry import vendor

INTERNET_V4 = ("203.0.113.50", "192.0.2.77", "198.51.100.200")
INTERNET_V6 = ("2001:db8:ffff::50",)
UNAPPROVED = ("172.31.254.9", "192.168.254.9", "10.255.254.9")
OTHER_MAC = "02:00:5e:00:53:99"  # a locally administered MAC no policy lists


@dataclass(frozen=True)
class InvariantResult:
    invariant: str
    control: str
    flow: Flow
    expected: str  # allow, deny, or "not deny" (allowed or left to the ministry's rules)
    verdict: Verdict

    @property
    def ok(self) -> bool:
        if self.expected == "not deny":
            return self.verdict.action != "deny"
        return self.verdict.action == self.expected

    def __str__(self) -> str:
        state = "ok" if self.ok else "BROKEN"
        return f"{state}: {self.control} {self.invariant}: expected {self.expected}; {self.verdict}"


def check_invariants(policy: Policy, config, platform: str) -> list[InvariantResult]:
    """Every invariant flow for ``policy`` against ``config`` (a RuleSet or ParsedConfig) on ``platform``."""
    caps = vendor(platform)
    gen = _Flows(policy)
    results = []
    for name, control, flow, expected in gen.all(getattr(caps, "CAN_MATCH_APPLICATIONS", False),
                                                 getattr(caps, "ENFORCES_MAC_BINDING", False),
                                                 getattr(caps, "ENFORCES_DEVICE_RULES", False)):
        results.append(InvariantResult(name, control, flow, expected, check_flow(config, flow)))
    return results


def _outside(p: Policy, peers, family: int, preferred: tuple[str, ...]) -> str | None:
    """A preferred address of ``family`` outside every policy network and peer, else the first such address."""
    taken = prefix_intervals([*(x for n in p.networks for x in n.prefixes),
                              *(ipaddress.ip_network(peer) for peer in peers)], family)
    free = iv_sub(full(family), taken)
    for a in preferred:
        ip = ipaddress.ip_address(a)
        if ip.version == family and any(lo <= int(ip) <= hi for lo, hi in free):
            return a
    return address_text(family, free[0][0] + (1 if free[0][1] > free[0][0] else 0)) if free else None


def _host(prefix) -> str:
    return str(prefix.network_address if prefix.num_addresses == 1 else prefix.network_address + 1)


class _Flows:
    """Test flows derived from the policy alone."""

    def __init__(self, p: Policy):
        self.p = p
        self.servers = p.network(p.eoffice_servers.network)
        self.szone = p.eoffice_servers.zone
        peers = [v.peer for v in p.approved_vpns]
        self.outside = [a for v in (4, 6) if (a := _outside(p, peers, v, INTERNET_V4 + INTERNET_V6))]
        self.unapproved = _outside(p, peers, 4, UNAPPROVED)
        self.bound = {b.zone for b in p.device_bindings}
        self.services = [(s.protocol, port) for s in p.eoffice_services for port in (s.ports or (None,))]
        used = {port for _, port in self.services}
        self.other_port = next(port for port in (8080, 8443, 3389, 445, *range(1024, 65536)) if port not in used)

    def all(self, apps: bool, mac: bool, device: bool):
        yield from self.internet(apps)
        yield from self.unapproved_internal()
        yield from self.approved(mac)
        yield from self.vpns(apps)
        yield from self.management(device)
        yield from self.egress()

    def server_hosts(self, version: int | None = None) -> list[str]:
        return [_host(p) for p in self.servers.prefixes if version in (None, p.version)]

    def internet(self, apps: bool):
        inet = self.p.internet_zone
        for src in self.outside:
            for dst in self.server_hosts(ipaddress.ip_address(src).version):
                for proto, port in [*self.services, ("tcp", 22), ("udp", 53)]:
                    yield ("internet to e-Office is denied", "EO-NET-1",
                           Flow(src, dst, proto, port, src_zone=inet, dst_zone=self.szone), "deny")
                    yield ("e-Office to the internet is denied", "EO-NET-1",
                           Flow(dst, src, proto, port, src_zone=self.szone, dst_zone=inet), "deny")
        for vpn in self.p.approved_vpns:
            for dst in self.server_hosts(vpn.peer.version):
                for proto, port in self.vpn_flows(vpn.protocols):
                    yield ("an approved VPN peer does not reach e-Office itself", "EO-NET-1",
                           Flow(str(vpn.peer), dst, proto, port, src_zone=vpn.zone, dst_zone=self.szone), "deny")

    def unapproved_internal(self):
        if self.unapproved is None:
            return
        for zone in self.p.zones:
            if zone.name in (self.p.internet_zone, self.szone):
                continue
            for dst in self.server_hosts(4):
                for proto, port in self.services:
                    yield ("a non-approved internal address does not reach e-Office", "EO-NET-3",
                           Flow(self.unapproved, dst, proto, port, src_zone=zone.name, dst_zone=self.szone), "deny")

    def approved_sources(self, mac: bool):
        """(source, MAC) pairs that must reach e-Office, and those that must not."""
        for ref in self.p.approved_networks:
            if ref.zone in self.bound:
                for b in (d for d in self.p.device_bindings if d.zone == ref.zone):
                    yield ref.zone, str(b.ip), b.mac, True
                    if mac:
                        yield ref.zone, str(b.ip), OTHER_MAC, False
                continue
            for prefix in self.p.network(ref.network).prefixes:
                yield ref.zone, _host(prefix), None, True

    def approved(self, mac: bool):
        for zone, src, src_mac, admitted in self.approved_sources(mac):
            for dst in self.server_hosts(ipaddress.ip_address(src).version):
                for proto, port in self.services:
                    verdict = "allow" if admitted else "deny"
                    what = "an approved network reaches e-Office on its services" if admitted else \
                        "a listed IP with another MAC does not reach e-Office"
                    yield (what, "EO-NET-4" if src_mac else "EO-NET-3",
                           Flow(src, dst, proto, port, src_mac, src_zone=zone, dst_zone=self.szone), verdict)
                yield ("an approved network reaches e-Office on its services only", "EO-NET-3",
                       Flow(src, dst, "tcp", self.other_port, src_mac, src_zone=zone, dst_zone=self.szone), "deny")

    def vpn_flows(self, protocols) -> list[tuple[str, int | None]]:
        return [(proto, port) for p in protocols if p != "sstp"
                for _, proto, ports in VPN_SERVICES[p] for port in (ports or (None,))]

    def inside_hosts(self) -> list[tuple[str, str]]:
        return [(r.zone, _host(self.p.network(r.network).prefixes[0])) for r in self.p.approved_networks]

    def vpns(self, apps: bool):
        every = sorted(VPN_SERVICES)
        inet = self.p.internet_zone
        for zone, inside in self.inside_hosts():
            outside = next((a for a in self.outside if ipaddress.ip_address(a).version ==
                            ipaddress.ip_address(inside).version), None)
            if outside is None:  # the policy's networks cover that whole family
                continue
            for proto, port in self.vpn_flows(every):
                yield ("VPN protocols are blocked", "EO-VPN-1",
                       Flow(inside, outside, proto, port, src_zone=zone, dst_zone=inet), "deny")
                yield ("VPN protocols are blocked", "EO-VPN-1",
                       Flow(outside, inside, proto, port, src_zone=inet, dst_zone=zone), "deny")
            if apps:
                for app in every:
                    yield ("VPN applications are blocked", "EO-VPN-1",
                           Flow(inside, outside, "tcp", 443, application=app, src_zone=zone, dst_zone=inet), "deny")
            for vpn in self.p.approved_vpns:
                if vpn.peer.version != ipaddress.ip_address(inside).version:
                    continue
                for proto, port in self.vpn_flows(vpn.protocols):
                    peer = str(vpn.peer)
                    yield ("an approved, unexpired VPN reaches the inside", "EO-VPN-2",
                           Flow(peer, inside, proto, port, src_zone=vpn.zone, dst_zone=zone), "allow")
                    yield ("an approved, unexpired VPN reaches the inside", "EO-VPN-2",
                           Flow(inside, peer, proto, port, src_zone=zone, dst_zone=vpn.zone), "allow")

    def management(self, device: bool):
        for m in self.p.management:
            for prefix in self.p.network(m.network).prefixes:
                src = _host(prefix)
                for svc in m.services:
                    for port in svc.ports or (None,):
                        for dst in self.server_hosts(prefix.version):
                            yield ("management reaches the e-Office servers", "EO-NET-3",
                                   Flow(src, dst, svc.protocol, port, src_zone=m.zone, dst_zone=self.szone),
                                   "allow")
                        yield ("management reaches the firewall", "EO-NET-3",
                               Flow(src, src, svc.protocol, port, src_zone=m.zone, to_device=True),
                               "allow" if device else "not deny")

    def egress(self):
        for e in self.p.eoffice_egress:
            for prefix in self.p.network(e.network).prefixes:
                for src in self.server_hosts(prefix.version):
                    for svc in e.services:
                        for port in svc.ports or (None,):
                            yield ("e-Office reaches its egress destinations", "EO-NET-1",
                                   Flow(src, _host(prefix), svc.protocol, port, src_zone=self.szone,
                                        dst_zone=e.zone), "allow")


__all__ = ["UNMANAGED", "InvariantResult", "check_invariants"]
