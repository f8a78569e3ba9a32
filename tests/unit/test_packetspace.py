"""The packet-space proof against the concrete flow checker: it finds what samples miss, and agrees
with ``check_flow`` packet by packet on every golden policy and platform."""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
import random
import zlib
from functools import cache

import pytest
from conftest import ROOT, TODAY, load_raw, policy_of
from hypothesis import given
from hypothesis import strategies as st

from eoffice_guard.compiler import compile_for
from eoffice_guard.flow import UNMANAGED, Flow, check_flow
from eoffice_guard.invariants import check_invariants
from eoffice_guard.ir import VPN_APPLICATIONS, VPN_SERVICES, Address, Rule, build_ir
from eoffice_guard.packetspace import Space, iv_and, iv_sub, iv_union, subtract
from eoffice_guard.policy import validate_policy
from eoffice_guard.registry import VENDORS, parse, render
from eoffice_guard.schema import Service
from tests.support.sampled_flows import check_invariants as check_sampled

PLATFORMS = sorted(VENDORS)
GOLDEN = ("lab", "sample-large")  # tests/golden/<name>/<platform>.conf
FLOWS = 10_000


def golden(name: str, platform: str):
    policy = policy_of(name)
    return policy, parse(platform, (ROOT / "tests/golden" / name / f"{platform}.conf").read_text(), policy.zones)


# -- a single-packet hole ---------------------------------------------------------------------------
def plant_hole(parsed, src: str, dst: str, port: int):
    """One allow rule for one source address, one e-Office address and one port, above the default deny."""
    rs = parsed.ruleset
    hole = Rule("EO-R5-HOLE", "allow", "EO-NET-3", "a hand-made exception for one partner host",
                ("outside",), ("servers",), ("EO-NET-hole-src",), ("EO-NET-hole-dst",), ("EO-SVC-hole",))
    at = next(i for i, r in enumerate(rs.rules) if r.name == "EO-R6-DENY-TO-EOFFICE")
    return dataclasses.replace(
        rs, rules=(*rs.rules[:at], hole, *rs.rules[at:]),
        addresses=(*rs.addresses, Address.of("EO-NET-hole-src", [ipaddress.ip_network(src)]),
                   Address.of("EO-NET-hole-dst", [ipaddress.ip_network(dst)])),
        services=(*rs.services, Service("tcp", (port,), "EO-SVC-hole")))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_single_packet_hole_is_found_with_its_packet_and_the_samples_miss_it(platform):
    policy, parsed = golden("lab", platform)
    holed = plant_hole(parsed, "203.0.113.77", "10.10.5.3", 8081)
    sampled = check_sampled(policy, holed, platform)
    assert sampled and all(r.ok for r in sampled), "the sampled flows would have caught it"
    assert not any(r.flow.src == "203.0.113.77" for r in sampled)

    broken = [r for r in check_invariants(policy, holed, platform) if not r.ok]
    assert [r.invariant for r in broken] == ["internet to e-Office is denied"]
    witness = broken[0].flow
    assert (witness.src, witness.dst, witness.protocol, witness.port) == ("203.0.113.77", "10.10.5.3", "tcp", 8081)
    assert (witness.src_zone, witness.dst_zone) == ("outside", "servers")
    assert broken[0].verdict.rule.name == "EO-R5-HOLE"
    assert check_flow(holed, witness).rule.name == "EO-R5-HOLE"  # the concrete checker confirms the packet
    assert "203.0.113.77 -> 10.10.5.3 tcp/8081 [outside -> servers]: allow by rule EO-R5-HOLE" in str(broken[0])


# -- test addresses a policy covers (issue 8) -------------------------------------------------------
def covering_policy():
    raw = copy.deepcopy(load_raw("lab"))
    # every address the old sample drew from, covered within the public space a list may hold
    raw["networks"]["partners"] = ["203.0.113.50/32", "192.0.2.77/32", "198.51.100.200/32", "172.31.254.9/32",
                                   "192.168.254.9/32", "10.255.254.9/32", "2001:db8:ffff::/48"]
    raw["approved_networks"].append({"network": "partners", "zone": "inside"})
    return validate_policy(raw, "covering.yml", today=TODAY)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_policy_covering_the_usual_test_addresses_compiles_and_is_proven(platform):
    policy = covering_policy()
    compiled = compile_for(policy, platform)
    assert compiled.invariants and all(r.ok for r in compiled.invariants)
    sampled = check_sampled(policy, compiled.parsed, platform)  # the sample no longer runs out of addresses
    assert sampled and all(r.ok for r in sampled)
    internet = {r.flow.src for r in sampled if r.invariant == "internet to e-Office is denied"}
    assert internet and not any(n.contains(ipaddress.ip_address(a)) for n in policy.networks for a in internet)


# -- exhaustive and concrete agree ------------------------------------------------------------------
class RandomFlows:
    """Flows that hit the policy's addresses, ports, bindings and peers often, and anything else too."""

    def __init__(self, policy, seed: int):
        self.rng = random.Random(seed)
        self.policy = policy
        self.entries = [f for f, entries in ((self.management, policy.management),
                                             (self.approved, policy.approved_networks),
                                             (self.egress, policy.eoffice_egress), (self.vpn, policy.approved_vpns))
                        if entries]
        self.zones = [z.name for z in policy.zones]
        self.prefixes = [p for n in policy.networks for p in n.prefixes]
        self.bindings = {str(b.ip): b.mac for b in policy.device_bindings}
        hosts = [*self.bindings, *(str(v.peer) for v in policy.approved_vpns)]
        self.by_family = {v: ([p for p in self.prefixes if p.version == v],
                              [h for h in hosts if ipaddress.ip_address(h).version == v]) for v in (4, 6)}
        self.ports = sorted({p for s in policy.eoffice_services for p in s.ports}
                            | {p for m in policy.management for s in m.services for p in s.ports}
                            | {p for e in policy.eoffice_egress for s in e.services for p in s.ports}
                            | {p for svcs in VPN_SERVICES.values() for _, _, ports in svcs for p in ports})

    def address(self, family: int) -> str:
        r, rng = self.rng.random(), self.rng
        same, hosts = self.by_family[family]
        if r < 0.3 and hosts:
            return rng.choice(hosts)
        if r < 0.8 and same:
            p = rng.choice(same)
            return str(p.network_address + rng.choice([0, 1, p.num_addresses - 1, rng.randrange(p.num_addresses)]))
        return str(ipaddress.IPv4Address(rng.getrandbits(32)) if family == 4
                   else ipaddress.IPv6Address(rng.getrandbits(128)))

    def flow(self) -> Flow:
        """Either an entry of the policy (a management source to e-Office, ...) with one field changed
        at random half of the time, or a flow made of random parts."""
        if self.rng.random() < 0.5:
            return self.perturbed(self.rng.choice(self.entries)())
        return self.random()

    def host_of(self, network: str, family: int | None = None) -> str | None:
        prefixes = [p for p in self.policy.network(network).prefixes if family in (None, p.version)]
        if not prefixes:
            return None
        p = self.rng.choice(prefixes)
        return str(p.network_address + self.rng.randrange(p.num_addresses))

    def service(self, services) -> tuple[str, int | None]:
        svc = self.rng.choice(services)
        return svc.protocol, self.rng.choice(svc.ports) if svc.ports else None

    def server(self, other_end: str) -> str:
        """An e-Office server of the other end's family (any address of it if the servers have none)."""
        family = ipaddress.ip_address(other_end).version
        return self.host_of(self.policy.eoffice_servers.network, family) or self.address(family)

    def management(self) -> Flow:
        m = self.rng.choice(self.policy.management)
        device, src = self.rng.random() < 0.3, self.host_of(m.network)
        return Flow(src, self.server(src), *self.service(m.services), src_zone=m.zone,
                    dst_zone=None if device else self.policy.eoffice_servers.zone, to_device=device)

    def approved(self) -> Flow:
        r = self.rng.choice(self.policy.approved_networks)
        bound = [b for b in self.policy.device_bindings if b.zone == r.zone]
        src = str(self.rng.choice(bound).ip) if bound and self.rng.random() < 0.7 else self.host_of(r.network)
        return Flow(src, self.server(src), *self.service(self.policy.eoffice_services), self.bindings.get(src),
                    src_zone=r.zone, dst_zone=self.policy.eoffice_servers.zone)

    def egress(self) -> Flow:
        e = self.rng.choice(self.policy.eoffice_egress)
        dst = self.host_of(e.network)
        return Flow(self.server(dst), dst, *self.service(e.services),
                    src_zone=self.policy.eoffice_servers.zone, dst_zone=e.zone or self.rng.choice(self.zones))

    def vpn(self) -> Flow:
        v = self.rng.choice(self.policy.approved_vpns)
        proto, port = self.rng.choice([(proto, port) for p in v.protocols for _, proto, ports in VPN_SERVICES[p]
                                       for port in (ports or (None,))])
        inside = self.address(v.peer.version)
        ends = [str(v.peer), inside] if self.rng.random() < 0.5 else [inside, str(v.peer)]
        zones = [v.zone, self.rng.choice(self.zones)]
        return Flow(ends[0], ends[1], proto, port, src_zone=zones[0] if ends[0] == str(v.peer) else zones[1],
                    dst_zone=zones[0] if ends[1] == str(v.peer) else zones[1])

    def perturbed(self, flow: Flow) -> Flow:
        if self.rng.random() < 0.5:
            return flow
        other = self.random()
        field = self.rng.choice(["src", "dst", "port", "src_mac", "application", "src_zone", "dst_zone"])
        if field in ("src", "dst") and (":" in getattr(other, field)) != (":" in getattr(flow, field)):
            return flow
        if field == "port" and flow.protocol not in ("tcp", "udp"):
            return flow
        if field == "dst_zone" and flow.to_device:
            return flow
        return dataclasses.replace(flow, **{field: getattr(other, field) or getattr(flow, field)})

    def random(self) -> Flow:
        rng = self.rng
        family = 4 if rng.random() < 0.8 else 6
        src, dst = self.address(family), self.address(family)
        protocol = rng.choice(["tcp", "tcp", "udp", "udp", "icmp", "icmpv6", "esp", "ah", "gre", "sctp"])
        port = (rng.choice(self.ports) if rng.random() < 0.6 else rng.randrange(65536)) \
            if protocol in ("tcp", "udp") else None
        mac = rng.choice([self.bindings[src], "02:00:5e:00:53:01", None]) if src in self.bindings else \
            rng.choice([None, "02:00:5e:00:53:02"])
        app = rng.choice(VPN_APPLICATIONS) if rng.random() < 0.2 else None
        device = rng.random() < 0.1
        return Flow(src, dst, protocol, port, mac, app, rng.choice(self.zones),
                    None if device else rng.choice(self.zones), device)


def exhaustive_verdict(space: Space, flow: Flow):
    """The one part a one-packet region decides into, and its rule."""
    (part, rule), = list(space.decide([space.point(flow)]))
    return part, ((rule.action, rule.name) if rule else (UNMANAGED, None))


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", GOLDEN)
def test_exhaustive_and_concrete_checkers_agree_on_random_flows(name, platform):
    policy, parsed = golden(name, platform)
    space = Space(parsed.ruleset, (z.name for z in policy.zones))
    gen = RandomFlows(policy, seed=zlib.crc32(f"{name} {platform}".encode()))
    decided = set()
    for n in range(FLOWS):
        flow = gen.flow()
        concrete = check_flow(parsed, flow)
        expected = (concrete.action, concrete.rule.name if concrete.rule else None)
        part, verdict = exhaustive_verdict(space, flow)
        assert verdict == expected, flow
        if n % 10 == 0:  # the packet the proof would report for that part is decided alike
            assert check_flow(parsed, space.witness(part)).rule == concrete.rule, flow
        decided.add(expected)
    assert len(decided) > len(parsed.ruleset.rules) * 3 // 4  # most rules decided some flow, not just the denies


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_ruleset_as_built_and_as_rendered_agree(platform):
    """The proof reads a rule set built from the policy the same as the one parsed back from the render."""
    policy = policy_of("example-ministry")
    rs = compile_for(policy, platform).parsed.ruleset
    assert [str(r) for r in check_invariants(policy, rs, platform)] == \
        [str(r) for r in check_invariants(policy, parse(platform, render(platform, rs), policy.zones), platform)]


# -- the interval and box algebra -------------------------------------------------------------------
@cache
def lab_space() -> Space:
    return Space(build_ir(policy_of("lab")))


small_sets = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 8)), max_size=5).map(
    lambda pairs: iv_union((lo, lo + n) for lo, n in pairs))


many_sets = st.lists(st.integers(0, 200), max_size=40).map(lambda values: iv_union((v, v) for v in values))


def points(ivs) -> set[int]:
    return {v for lo, hi in ivs for v in range(lo, hi + 1)}


@given(st.one_of(small_sets, many_sets), st.one_of(small_sets, many_sets))
def test_interval_sets_behave_as_sets(a, b):
    assert points(iv_and(a, b)) == points(a) & points(b)
    assert points(iv_sub(a, b)) == points(a) - points(b)
    assert points(iv_union([*a, *b])) == points(a) | points(b)


@given(small_sets, small_sets, small_sets, small_sets, st.integers(1, 7), st.integers(1, 7))
def test_box_subtraction_is_exact_and_disjoint(a_src, a_svc, b_src, b_svc, a_zones, b_zones):
    space = lab_space()
    a = space.box(4, src=a_src, svc=a_svc)
    b = space.box(4, src=b_src, svc=b_svc)
    if a is None or b is None:
        return
    a, b = a._replace(src_zones=a_zones), b._replace(src_zones=b_zones)
    pieces = subtract(a, b)

    def cells(box):
        return {(z, s, v) for z in range(3) if box.src_zones >> z & 1 for s in points(box.src) for v in points(box.svc)}

    got = [cells(p) for p in pieces]
    assert set().union(*got) == cells(a) - cells(b)
    assert sum(len(g) for g in got) == len(set().union(*got))  # disjoint


# -- broken rule sets: the proof reports whatever the sample catches, with packets that are real ----
def mutations(rs):
    """The rule set without each rule in turn, with each allow widened to any source, and with each
    deny turned into an allow."""
    for i, rule in enumerate(rs.rules):
        yield f"without {rule.name}", rs.rules[:i] + rs.rules[i + 1:]
        other = dataclasses.replace(rule, sources=()) if rule.action == "allow" else \
            dataclasses.replace(rule, action="allow")
        yield f"{rule.name} changed", (*rs.rules[:i], other, *rs.rules[i + 1:])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_on_broken_rule_sets_the_proof_finds_what_the_sample_finds_with_real_witnesses(platform):
    policy, parsed = golden("lab", platform)
    caught_only_by_proof = 0
    for what, rules in mutations(parsed.ruleset):
        broken_rs = dataclasses.replace(parsed.ruleset, rules=rules)
        proof = [r for r in check_invariants(policy, broken_rs, platform) if not r.ok]
        sample = [r for r in check_sampled(policy, broken_rs, platform) if not r.ok]
        assert bool(proof) >= bool(sample), f"{what}: the sample caught {sample[0]}, the proof nothing"
        for r in proof:
            concrete = check_flow(broken_rs, r.flow)
            assert (concrete.action, concrete.rule) == (r.verdict.action, r.verdict.rule), f"{what}: {r}"
        caught_only_by_proof += bool(proof) and not sample
    assert caught_only_by_proof > 0  # some breaks no sampled flow touches
