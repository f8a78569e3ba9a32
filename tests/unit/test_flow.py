"""First-match flow checking on what each platform's rendered file says (read back), lab policy."""

from __future__ import annotations

import pytest
from conftest import policy_of

from eoffice_guard.flow import UNMANAGED, Flow, check_flow
from eoffice_guard.ir import build_ir
from eoffice_guard.registry import VENDORS, parse, render

PLATFORMS = sorted(VENDORS)
SERVER, SERVER6 = "10.10.5.3", "fd00:10:5::3"
PC, PC_MAC = "10.20.1.15", "00:1a:2b:3c:4d:5e"


def parsed(platform):
    policy = policy_of("lab")
    return parse(platform, render(platform, build_ir(policy)), policy.zones)


def verdict(platform, flow):
    v = check_flow(parsed(platform), flow)
    return v.action, v.rule.name if v.rule else None


def to_servers(src, port=443, proto="tcp", mac=None, zone="inside", app=None, dst=SERVER):
    return Flow(src, dst, proto, port, mac, app, src_zone=zone, dst_zone="servers")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_verified_device_reaches_eoffice_on_its_services(platform):
    assert verdict(platform, to_servers(PC, 443, mac=PC_MAC)) == ("allow", "EO-R5-APPROVED-1")
    assert verdict(platform, to_servers(PC, 587, mac=PC_MAC)) == ("allow", "EO-R5-APPROVED-1")
    assert verdict(platform, to_servers(PC, 22, mac=PC_MAC)) == ("deny", "EO-R6-DENY-TO-EOFFICE")


@pytest.mark.parametrize("platform", ["fortios", "nftables"])
def test_listed_ip_with_another_mac_is_denied(platform):
    assert verdict(platform, to_servers(PC, mac="02:00:5e:00:53:01")) == ("deny", "EO-R4-BIND-1")
    assert verdict(platform, to_servers(PC, mac=None)) == ("deny", "EO-R4-BIND-1")


@pytest.mark.parametrize("platform", ["asa", "panos"])
def test_platforms_without_mac_matching_admit_the_listed_ip(platform):
    """The documented limit: PAN-OS and ASA see only the IP."""
    assert verdict(platform, to_servers(PC, mac="02:00:5e:00:53:01")) == ("allow", "EO-R5-APPROVED-1")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_unlisted_host_of_an_approved_network_is_denied(platform):
    assert verdict(platform, to_servers("10.20.7.7")) == ("deny", "EO-R6-DENY-TO-EOFFICE")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_internet_to_eoffice_and_back(platform):
    assert verdict(platform, to_servers("203.0.113.9", zone="outside")) == ("deny", "EO-R6-DENY-TO-EOFFICE")
    assert verdict(platform, to_servers("2001:db8::9", zone="outside", dst=SERVER6)) == (
        "deny", "EO-R6-DENY-TO-EOFFICE")
    out = Flow(SERVER, "203.0.113.9", "tcp", 443, src_zone="servers", dst_zone="outside")
    assert verdict(platform, out) == ("deny", "EO-R8-DENY-FROM-EOFFICE")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_egress_only_to_its_destinations(platform):
    dns = Flow(SERVER, "10.0.60.2", "udp", 53, src_zone="servers", dst_zone="inside")
    assert verdict(platform, dns) == ("allow", "EO-R7-EGRESS-1")
    ntp = Flow(SERVER, "10.0.60.2", "udp", 123, src_zone="servers", dst_zone="inside")
    assert verdict(platform, ntp) == ("deny", "EO-R8-DENY-FROM-EOFFICE")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_vpn_only_for_the_approved_peer_and_protocol(platform):
    peer_ike = Flow("198.51.100.10", "10.20.9.9", "udp", 500, src_zone="outside", dst_zone="inside")
    assert verdict(platform, peer_ike) == ("allow", "EO-R2-VPN-1-IN")
    peer_esp = Flow("10.20.9.9", "198.51.100.10", "esp", src_zone="inside", dst_zone="outside")
    assert verdict(platform, peer_esp) == ("allow", "EO-R2-VPN-1-OUT")
    peer_wg = Flow("198.51.100.10", "10.20.9.9", "udp", 51820, src_zone="outside", dst_zone="inside")
    assert verdict(platform, peer_wg) == ("deny", "EO-R3-VPN-PORTS")
    other_ike = Flow("203.0.113.9", "10.20.9.9", "udp", 4500, src_zone="outside", dst_zone="inside")
    assert verdict(platform, other_ike) == ("deny", "EO-R3-VPN-PORTS")
    to_eoffice = Flow("198.51.100.10", SERVER, "udp", 500, src_zone="outside", dst_zone="servers")
    assert verdict(platform, to_eoffice) == ("deny", "EO-R2-VPN-1-GUARD-IN")


def test_sstp_is_an_application_on_panos_only():
    sstp = Flow("10.20.9.9", "203.0.113.9", "tcp", 443, application="sstp", src_zone="inside",
                dst_zone="outside")
    assert verdict("panos", sstp) == ("deny", "EO-R3-VPN-APPS")
    assert verdict("nftables", sstp) == (UNMANAGED, None)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_management_is_never_blocked(platform):
    ssh = Flow("10.0.50.10", SERVER, "tcp", 22, src_zone="inside", dst_zone="servers")
    assert verdict(platform, ssh) == ("allow", "EO-R1-MGMT-1-SRV")
    device = Flow("10.0.50.10", "10.20.0.1", "tcp", 443, src_zone="inside", to_device=True)
    expected = ("allow", "EO-R1-MGMT-1-DEV") if platform == "nftables" else (UNMANAGED, None)
    assert verdict(platform, device) == expected


@pytest.mark.parametrize("platform", PLATFORMS)
def test_traffic_not_touching_eoffice_is_left_to_the_ministry(platform):
    web = Flow("10.20.9.9", "203.0.113.9", "tcp", 443, src_zone="inside", dst_zone="outside")
    v = check_flow(parsed(platform), web)
    assert (v.action, v.rule, v.logged) == (UNMANAGED, None, False)
    assert "no managed rule" in str(v)


def test_verdict_names_flow_and_rule():
    v = check_flow(build_ir(policy_of("lab")), to_servers("203.0.113.9", zone="outside"))
    assert v.logged
    assert str(v) == ("203.0.113.9 -> 10.10.5.3 tcp/443 [outside -> servers]: deny by rule EO-R6-DENY-TO-EOFFICE "
                      "(anything else to e-Office is denied (internet and non-approved internal alike))")


def test_unknown_zone_in_a_flow_does_not_restrict():
    flow = Flow("203.0.113.9", SERVER, "tcp", 443)
    assert check_flow(build_ir(policy_of("lab")), flow).rule.name == "EO-R6-DENY-TO-EOFFICE"
