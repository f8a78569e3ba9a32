"""EO-VPN-1 planning: what an approval keeps, what an expired one no longer covers, tunnels by kind."""

from __future__ import annotations

import datetime

from eoffice_guard.vpn_ban import (
    Link,
    Software,
    allowed,
    approval_from,
    banned_packages,
    banned_profiles,
    links_from_ip,
    matching_units,
    profile_from_keyfile,
    tunnels,
    unit_patterns,
)

TODAY = datetime.date(2026, 11, 23)
CATALOGUE = [
    Software("openvpn", "openvpn", ("openvpn.service", "openvpn-client@*")),
    Software("wireguard-tools", "wireguard", ("wg-quick@*",)),
    Software("charon-systemd", "ipsec", ("strongswan.service",)),
]
S2S = {"name": "nitb-s2s", "protocols": ["ipsec"], "expires": "2027-06-30", "approval_ref": "NITB-1"}
LAPSED = {"name": "home", "protocols": ["openvpn"], "expires": "2026-11-22", "approval_ref": "OLD-1"}


def test_a_valid_approval_keeps_its_protocols_software_and_units():
    ok = allowed(CATALOGUE, [approval_from(S2S)], [], [], TODAY)
    installed = {"openvpn", "wireguard-tools", "charon-systemd"}
    assert banned_packages(CATALOGUE, installed, ok) == ["openvpn", "wireguard-tools"]
    assert unit_patterns(CATALOGUE, ok) == ["openvpn-client@*", "openvpn.service", "wg-quick@*"]
    assert ok.approvals == ["nitb-s2s"] and ok.expired == []


def test_an_approval_is_valid_on_its_expiry_day_and_lapses_the_day_after():
    on_the_day = allowed(CATALOGUE, [approval_from(LAPSED)], [], [], datetime.date(2026, 11, 22))
    assert "openvpn" in on_the_day.packages
    lapsed = allowed(CATALOGUE, [approval_from(LAPSED)], [], [], TODAY)
    assert "openvpn" not in lapsed.packages
    assert lapsed.expired == ["home (OLD-1) expired on 2026-11-22"]


def test_units_match_templates_and_instances_but_not_approved_ones():
    ok = allowed(CATALOGUE, [approval_from(S2S)], [], [], TODAY)
    units = ["openvpn-client@.service", "openvpn-client@home.service", "strongswan.service", "ssh.service"]
    assert matching_units(units, unit_patterns(CATALOGUE, ok)) == [
        "openvpn-client@.service", "openvpn-client@home.service"]


def test_tunnels_are_found_by_kind_whatever_their_name_and_approved_adapters_stay():
    raw = [
        {"ifname": "lo"},
        {"ifname": "eth9", "linkinfo": {"info_kind": "tun", "info_data": {"type": "tap"}}},
        {"ifname": "wg0", "linkinfo": {"info_kind": "tun", "info_data": {"type": "tun"}}},
        {"ifname": "tun7", "linkinfo": {"info_kind": "dummy"}},
        {"ifname": "corp0", "linkinfo": {"info_kind": "wireguard"}},
        {"ifname": "veth1", "linkinfo": {"info_kind": "veth"}},
    ]
    links = links_from_ip(raw)
    assert Link("eth9", "tap") in links
    ok = allowed(CATALOGUE, [], [], ["corp[0-9]+"], TODAY)
    found = tunnels(links, ["tun", "tap", "wireguard"], ["tun[0-9]*"], ok)
    assert [link.name for link in found] == ["eth9", "tun7", "wg0"]


def test_networkmanager_vpn_and_wireguard_profiles_are_banned_unless_approved():
    vpn = profile_from_keyfile("/a", "[connection]\nid=home\ntype=vpn\n")
    wg = profile_from_keyfile("/b", "[connection]\nid=corp-wg\ntype=wireguard\n")
    wired = profile_from_keyfile("/c", "[connection]\nid=lan\ntype=ethernet\n")
    assert profile_from_keyfile("/d", "not a keyfile [") is None
    approved = approval_from({**S2S, "profiles": ["corp-wg"]})
    ok = allowed(CATALOGUE, [approved], [], [], TODAY)
    assert banned_profiles([vpn, wg, wired], ["vpn", "wireguard"], ok) == [vpn]
