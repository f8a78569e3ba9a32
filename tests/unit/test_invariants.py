"""The advisory invariants hold for every rendered policy, and a broken rule set fails with flow and rule."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import TODAY, policy_of, random_policies
from hypothesis import HealthCheck, given, settings

from eoffice_guard.compiler import compile_for
from eoffice_guard.invariants import InvariantError, assert_invariants, check_invariants, forbidden_packet
from eoffice_guard.ir import ALLOW, Rule, build_ir
from eoffice_guard.policy import validate_policy
from eoffice_guard.registry import VENDORS, parse

PLATFORMS = sorted(VENDORS)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", ["lab", "example-ministry", "sample-large"])
def test_invariants_hold_after_render(name, platform):
    compiled = compile_for(policy_of(name), platform)
    assert len(compiled.invariants) >= 10
    assert all(r.ok for r in compiled.invariants)
    controls = {r.control for r in compiled.invariants}
    assert controls >= {"EO-NET-1", "EO-NET-3", "EO-VPN-1", "EO-VPN-2"}


def test_mac_invariant_only_where_the_platform_can_bind():
    policy = policy_of("lab")
    for platform, expected in (("nftables", True), ("fortios", True), ("panos", False), ("asa", False)):
        names = {r.invariant for r in check_invariants(policy, build_ir(policy), platform)}
        assert ("a listed IP with another MAC does not reach e-Office" in names) is expected


def test_an_allow_any_rule_on_top_breaks_them_with_flow_and_rule():
    policy = policy_of("lab")
    rs = build_ir(policy)
    oops = Rule("EO-R0-OOPS", ALLOW, "EO-NET-3", "a hand-made exception")
    broken = dataclasses.replace(rs, rules=(oops, *rs.rules))
    with pytest.raises(InvariantError) as info:
        assert_invariants(policy, broken, "fortios")
    message = str(info.value)
    assert "203.0.113.50 -> 10.10.5.1 tcp/443 [outside -> servers]: allow by rule EO-R0-OOPS" in message
    assert "BROKEN: EO-NET-1 internet to e-Office is denied: expected deny" in message
    assert {f.verdict.rule.name for f in info.value.failures} == {"EO-R0-OOPS"}


def test_a_missing_default_deny_is_reported_as_no_managed_rule():
    policy = policy_of("lab")
    rs = build_ir(policy)
    broken = dataclasses.replace(rs, rules=tuple(r for r in rs.rules if r.name != "EO-R8-DENY-FROM-EOFFICE"))
    with pytest.raises(InvariantError) as info:
        assert_invariants(policy, broken, "nftables")
    failures = info.value.failures
    assert {f.invariant for f in failures} == {"e-Office to the internet is denied",
                                               "e-Office reaches nothing but its egress destinations"}
    assert all(f.verdict.action == "unmanaged" for f in failures)
    assert "unmanaged by no managed rule" in str(info.value)


def test_a_vpn_rule_that_leaks_is_caught():
    policy = policy_of("lab")
    rs = build_ir(policy)
    leak = dataclasses.replace(rs.rule("EO-R2-VPN-1-IN"), sources=())  # any peer instead of the approved one
    broken = dataclasses.replace(rs, rules=tuple(leak if r.name == leak.name else r for r in rs.rules))
    with pytest.raises(InvariantError) as info:
        assert_invariants(policy, broken, "panos")
    assert "allow by rule EO-R2-VPN-1-IN" in str(info.value)
    by_name = {f.invariant: f for f in info.value.failures}
    assert "VPN protocols are blocked" in by_name
    # the sample never tried the peer's ports from another internet address to e-Office itself
    assert by_name["internet to e-Office is denied"].flow.protocol in ("udp", "esp", "ah")
    assert {f.verdict.rule.name for f in info.value.failures} == {"EO-R2-VPN-1-IN"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=random_policies())
def test_invariants_hold_for_any_valid_policy(raw):
    policy = validate_policy(raw, "random.yml", today=TODAY)
    for platform in policy.platforms:
        assert all(r.ok for r in compile_for(policy, platform).invariants)


def test_a_forbidden_packet_between_the_zones_of_an_open_rule():
    policy = policy_of("lab")
    empty = parse("fortios", "", policy.zones).ruleset
    claim, flow = forbidden_packet(policy, "fortios", empty, None, None)
    assert (claim.invariant, str(flow)) == ("internet to e-Office is denied",
                                            "203.0.113.50 -> 10.10.5.1 tcp/443 [outside -> servers]")
    claim, flow = forbidden_packet(policy, "asa", empty, ["inside"], None)
    assert claim.invariant == "a non-approved internal address does not reach e-Office"
    assert (flow.src_zone, flow.dst_zone, flow.dst) == ("inside", "servers", "10.10.5.1")
    claim, flow = forbidden_packet(policy, "fortios", empty, ["outside"], ["outside"])
    assert claim.invariant == "VPN protocols are blocked" and flow.src != "198.51.100.10"
    assert forbidden_packet(policy, "fortios", empty, ["unknown-interface"], None) is None
