"""The rule set built from a policy: order and meaning of the managed rules, object names, shadowing."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import SRC_LAB, TODAY

from eoffice_guard.ir import ALLOW, DENY, ShadowError, build_ir
from eoffice_guard.policy import validate_policy


def lab(raw):
    return build_ir(validate_policy(raw, SRC_LAB, today=TODAY))


def test_lab_rules_in_architecture_order(lab_raw):
    rs = lab(lab_raw)
    assert [r.name for r in rs.rules] == [
        "EO-R1-MGMT-1-SRV", "EO-R1-MGMT-1-DEV",
        "EO-R2-VPN-1-GUARD-IN", "EO-R2-VPN-1-GUARD-OUT", "EO-R2-VPN-1-IN", "EO-R2-VPN-1-OUT",
        "EO-R3-VPN-PORTS", "EO-R3-VPN-APPS", "EO-R4-BIND-1", "EO-R5-APPROVED-1",
        "EO-R6-DENY-TO-EOFFICE", "EO-R7-EGRESS-1", "EO-R7-EGRESS-2", "EO-R8-DENY-FROM-EOFFICE"]
    last = rs.rules[-1]
    assert (last.action, last.log, last.sources) == (DENY, True, ("EO-NET-lab-eoffice",))
    assert last.destinations == ()
    assert all(r.log for r in rs.rules)


def test_every_object_is_prefixed(lab_raw):
    rs = lab(lab_raw)
    names = [a.name for a in rs.addresses] + [s.name for s in rs.services] + [r.name for r in rs.rules]
    assert names and all(n.startswith("EO-") for n in names)


def test_objects_are_collapsed_ipv4_then_ipv6(lab_raw):
    lab_raw["networks"]["lab-eoffice"] = ["fd00:10:5::/64", "10.10.5.8/29", "10.10.5.0/29"]
    rs = lab(lab_raw)
    assert [str(p) for p in rs.address("EO-NET-lab-eoffice").prefixes] == ["10.10.5.0/28", "fd00:10:5::/64"]


def test_bound_zone_admits_only_listed_devices(lab_raw):
    rs = lab(lab_raw)
    approved = rs.rule("EO-R5-APPROVED-1")
    assert approved.sources == ("EO-BOUND-inside",)
    assert [str(p) for p in rs.address("EO-BOUND-inside").prefixes] == ["10.20.1.15/32", "10.20.1.16/32"]
    assert rs.rule("EO-R4-BIND-1").mac_mismatch


def test_zone_without_bindings_admits_its_approved_networks(lab_raw):
    lab_raw["device_bindings"] = []
    rs = lab(lab_raw)
    assert rs.rule("EO-R5-APPROVED-1").sources == ("EO-NET-lab-hq-lan",)
    assert not [r for r in rs.rules if r.name.startswith("EO-R4")]


def test_vpn_rules_follow_the_approved_protocols(lab_raw):
    lab_raw["approved_vpns"][0]["protocols"] = ["wireguard"]
    rs = lab(lab_raw)
    assert rs.rule("EO-R2-VPN-1-IN").services == ("EO-VPN-WIREGUARD",)
    assert rs.rule("EO-R2-VPN-1-IN").action == ALLOW
    assert "EO-VPN-WIREGUARD" in rs.rule("EO-R3-VPN-PORTS").services


def test_no_vpn_approvals_no_vpn_allow(lab_raw):
    lab_raw["approved_vpns"] = []
    assert not [r for r in lab(lab_raw).rules if r.action == ALLOW and r.name.startswith("EO-R2")]


def test_same_policy_same_rules_whatever_the_order(lab_raw):
    reordered = dict(reversed(list(lab_raw.items())))
    reordered["networks"] = dict(reversed(list(lab_raw["networks"].items())))
    assert lab(reordered) == lab(lab_raw)


def test_shadowed_rule_is_an_error_naming_both(lab_raw):
    # management that covers an approved network on all e-Office services hides rule 5
    lab_raw["device_bindings"] = []
    lab_raw["management"].append({"network": "lab-hq-lan", "zone": "inside",
                                  "services": [{"protocol": "tcp", "ports": [443, 587]}]})
    with pytest.raises(ShadowError) as info:
        lab(lab_raw)
    message = str(info.value)
    assert "rule EO-R5-APPROVED-1" in message and "earlier rule EO-R1-MGMT-" in message
    early, late = info.value.pairs[0]
    assert late.name == "EO-R5-APPROVED-1" and early.name.startswith("EO-R1-MGMT-")


def test_egress_on_a_blocked_vpn_port_is_shadowed(lab_raw):
    lab_raw["eoffice_egress"][0]["services"] = [{"protocol": "udp", "ports": [500]}]
    with pytest.raises(ShadowError, match=r"EO-R7-EGRESS-1 .* shadowed by earlier rule EO-R3-VPN-PORTS"):
        lab(lab_raw)


def test_partial_overlap_is_not_shadowing(lab_raw):
    lab_raw["eoffice_egress"][0]["services"] = [{"protocol": "udp", "ports": [53, 500]}]
    rs = lab(lab_raw)
    assert rs.rule("EO-R7-EGRESS-1").services == ("EO-SVC-UDP-53-500",)


def test_ruleset_is_frozen(lab_raw):
    rs = lab(lab_raw)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rs.ministry = "other"


def test_service_names_stay_short_enough_for_every_vendor(lab_raw):
    ports = list(range(8000, 8030))
    lab_raw["management"][0]["services"] = [{"protocol": "tcp", "ports": ports}]
    rs = lab(lab_raw)
    (name,) = rs.rule("EO-R1-MGMT-1-SRV").services
    assert name.startswith("EO-SVC-TCP-8000-ETC-") and len(name) <= 48
    assert rs.service(name).ports == tuple(ports)
