"""Parsers: what a renderer writes reads back to the same rules, for every platform and any valid policy."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import TODAY, policy_of, random_policies
from hypothesis import HealthCheck, given, settings

from eoffice_guard.ir import build_ir
from eoffice_guard.policy import validate_policy
from eoffice_guard.registry import VENDORS, parse, render

PLATFORMS = sorted(VENDORS)


def expressible(platform: str, rs):
    """The rules a platform writes as rules (the others are documented limits, see the file header)."""
    v = VENDORS[platform]
    return [r for r in rs.rules
            if (v.ENFORCES_DEVICE_RULES or not r.to_device)
            and (v.CAN_MATCH_APPLICATIONS or not r.applications)
            and (platform in ("fortios", "nftables") or not r.mac_mismatch)]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", ["lab", "example-ministry", "sample-large"])
def test_round_trip_keeps_objects_and_rules(name, platform):
    policy = policy_of(name)
    rs = build_ir(policy)
    parsed = parse(platform, render(platform, rs), policy.zones)
    got = parsed.ruleset
    assert (got.ministry, got.policy_hash) == (rs.ministry, rs.policy_hash)
    assert got.addresses == rs.addresses
    assert got.services == rs.services
    assert got.bindings == rs.bindings
    want = expressible(platform, rs)
    assert [r.name for r in got.rules] == [r.name for r in want]
    for mine, theirs in zip(got.rules, want, strict=True):
        assert (mine.action, mine.sources, mine.destinations, mine.services, mine.applications, mine.log,
                mine.src_zones, mine.mac_mismatch) == (theirs.action, theirs.sources, theirs.destinations,
                                                        theirs.services, theirs.applications, theirs.log,
                                                        theirs.src_zones, theirs.mac_mismatch)
        if platform != "asa":  # the ASA leaves destination zones to routing
            assert mine.dst_zones == theirs.dst_zones
    assert parsed.unmanaged == ()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=random_policies())
def test_render_parse_render_is_a_fixed_point(raw):
    policy = validate_policy(raw, "random.yml", today=TODAY)
    rs = build_ir(policy)
    for platform in policy.platforms:
        text = render(platform, rs)
        assert render(platform, parse(platform, text, policy.zones).ruleset) == text
        assert render(platform, parse(platform, text).ruleset) == text  # without the policy's zone names


FORTIOS_RUNNING = '''\
config system interface
    edit "port1"
        set alias "outside"
    next
end
config firewall address
    edit "all"
        set uuid 3f2c9e1a-0000-0000-0000-000000000001
    next
    edit "Ministry-Printers"
        set uuid 3f2c9e1a-0000-0000-0000-000000000002
        set subnet 10.20.200.0 255.255.255.0
    next
    edit "EO-NET-x-1"
        set uuid 3f2c9e1a-0000-0000-0000-000000000003
        set subnet 10.10.5.0 255.255.255.240
    next
end
config firewall addrgrp
    edit "EO-NET-x"
        set member "EO-NET-x-1"
    next
end
config firewall service custom
    edit "HTTPS"
        set tcp-portrange 443
    next
    edit "EO-SVC-https"
        set tcp-portrange 443
    next
end
config application list
    edit "default"
        config entries
            edit 1
                set action pass
            next
        end
        set comment "nested blocks are skipped"
    next
end
config firewall policy
    edit 1
        set name "Ministry-Internet"
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "HTTPS"
    next
    edit 10001
        set name "EO-R6-DENY-TO-EOFFICE"
        set uuid 3f2c9e1a-0000-0000-0000-000000000004
        set srcintf "any"
        set dstintf "port3"
        set srcaddr "all"
        set dstaddr "EO-NET-x"
        set action deny
        set service "ALL"
        set logtraffic all
        set comments "EO-NET-1: anything else to e-Office is denied"
    next
end
'''


def test_running_fortios_config_with_unmanaged_objects():
    parsed = parse("fortios", FORTIOS_RUNNING)
    rs = parsed.ruleset
    assert (rs.ministry, rs.policy_hash) == ("", "")
    assert [str(p) for p in rs.address("EO-NET-x").prefixes] == ["10.10.5.0/28"]
    assert [r.name for r in rs.rules] == ["EO-R6-DENY-TO-EOFFICE"]
    assert rs.rules[0].dst_zones == ("port3",) and rs.rules[0].action == "deny"
    assert parsed.unmanaged == ("firewall address all", "firewall address Ministry-Printers",
                                "firewall service custom HTTPS", "firewall policy 1")


def test_running_asa_config_with_port_names_and_unmanaged_lines():
    text = "\n".join([
        "hostname asa", "object network Ministry-Printers", " subnet 10.20.200.0 255.255.255.0",
        "object-group network EO-NET-x", " network-object 10.10.5.0 255.255.255.240",
        "object-group service EO-SVC-https", " service-object tcp destination eq https",
        "access-list Ministry-In extended permit tcp any any eq https",
        "access-list EO-IN-inside remark EO-R5-APPROVED-1 EO-NET-3: approved",
        "access-list EO-IN-inside extended permit object-group EO-SVC-https any object-group EO-NET-x log",
        "access-group EO-IN-inside in interface inside", "access-group Ministry-In in interface dmz"])
    parsed = parse("asa", text)
    assert parsed.ruleset.service("EO-SVC-https").ports == (443,)
    assert parsed.ruleset.rules[0].src_zones == ("inside",)
    assert "access-list Ministry-In extended permit tcp any any eq https" in parsed.unmanaged
    assert "object network Ministry-Printers" in parsed.unmanaged


def test_running_panos_config_with_unmanaged_rule():
    text = "\n".join([
        "set address Ministry-Printers ip-netmask 10.20.200.0/24",
        "set address EO-NET-x-1 ip-netmask 10.10.5.0/28", "set address-group EO-NET-x static EO-NET-x-1",
        "set rulebase security rules Ministry-Internet from trust",
        "set rulebase security rules EO-R6-DENY-TO-EOFFICE from any",
        "set rulebase security rules EO-R6-DENY-TO-EOFFICE to servers",
        "set rulebase security rules EO-R6-DENY-TO-EOFFICE destination EO-NET-x",
        "set rulebase security rules EO-R6-DENY-TO-EOFFICE action deny",
        "set rulebase security rules EO-R6-DENY-TO-EOFFICE log-end yes"])
    parsed = parse("panos", text)
    assert parsed.unmanaged == ("address Ministry-Printers", "Ministry-Internet")
    rule = parsed.ruleset.rules[0]
    assert (rule.name, rule.action, rule.dst_zones, rule.destinations) == (
        "EO-R6-DENY-TO-EOFFICE", "deny", ("servers",), ("EO-NET-x",))


MINISTRY_TABLE = """table ip ministry {
	set printers { type ipv4_addr; elements = { 10.20.200.5 } }
	chain input { type filter hook input priority 10; policy accept; ip saddr @printers tcp dport 9100 accept; }
}
"""


@pytest.mark.integration
@pytest.mark.parametrize("name", ["lab", "sample-large"])
def test_running_nftables_ruleset_reads_back(name, tmp_path):
    """Load the rendered file into a scratch network namespace; `nft list ruleset` reads back the same rules."""
    policy = policy_of(name)
    rs = build_ir(policy)
    path = tmp_path / "eoffice.nft"
    path.write_text(render("nftables", rs))
    netns = f"eo-parse-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", netns, "nft", "-f", str(path)], check=True)
        subprocess.run(["ip", "netns", "exec", netns, "nft", "-f", "-"], input=MINISTRY_TABLE, text=True,
                       check=True)
        listed = subprocess.run(["ip", "netns", "exec", netns, "nft", "list", "ruleset"], check=True,
                                capture_output=True, text=True).stdout
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=True)
    got = parse("nftables", listed, policy.zones).ruleset
    assert got.addresses == rs.addresses and got.services == rs.services and got.bindings == rs.bindings
    want = expressible("nftables", rs)
    assert parse("nftables", listed).unmanaged == ("table ip ministry",)
    assert [(r.name, r.action, r.sources, r.destinations, r.services, r.src_zones, r.dst_zones)
            for r in got.rules] == [(r.name, r.action, r.sources, r.destinations, r.services, r.src_zones,
                                     r.dst_zones) for r in want]
