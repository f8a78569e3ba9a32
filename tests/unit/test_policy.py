"""Policy validation: the real inventories pass; every kind of bad input names file, key path and fix."""

from __future__ import annotations

import datetime

import pytest
from conftest import POLICY_FILES, TODAY, load_raw
from conftest import SRC_LAB as SRC

from eoffice_guard.policy import PolicyError, validate_policy


def errors_of(data, today=TODAY) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        validate_policy(data, SRC, today=today)
    return info.value


def assert_error(err: PolicyError, path: str, *words: str) -> None:
    """The error lists `path` once per message, in the `<file>: <path>: <message>` form, with `words`."""
    lines = [line for line in str(err).splitlines() if line.startswith(f"{SRC}: {path}: ")]
    assert lines, f"no error at {path}; got:\n{err}"
    assert all(w in lines[0] for w in words), lines[0]
    assert err.source == SRC
    assert any(p == path for p, _ in err.errors)


@pytest.mark.parametrize("name", ["lab", "example-ministry"])
def test_real_inventories_are_valid(name):
    policy = validate_policy(load_raw(name), POLICY_FILES[name], today=TODAY)
    assert policy.ministry == name
    assert policy.platforms == ("asa", "fortios", "nftables", "panos")
    assert len(policy.content_hash) == 64


def test_lab_policy_is_normalised(lab_raw):
    lab_raw["networks"]["lab-hq-lan"] = ["fd00:20::/48", "10.20.128.0/17", "10.20.0.0/17"]
    policy = validate_policy(lab_raw, SRC, today=TODAY)
    assert [str(p) for p in policy.network("lab-hq-lan").prefixes] == ["10.20.0.0/16", "fd00:20::/48"]
    assert policy.to_dict()["networks"]["lab-hq-lan"] == ["10.20.0.0/16", "fd00:20::/48"]


def test_hash_is_independent_of_key_and_list_order(lab_raw):
    first = validate_policy(lab_raw, SRC, today=TODAY)
    reordered = {k: lab_raw[k] for k in reversed(list(lab_raw))}
    zones = reversed(list(lab_raw["zones"].items()))
    reordered["zones"] = {k: dict(reversed(list(v.items()))) for k, v in zones}
    reordered["networks"] = dict(reversed(list(lab_raw["networks"].items())))
    reordered["device_bindings"] = list(reversed(lab_raw["device_bindings"]))
    reordered["eoffice_services"] = list(reversed(lab_raw["eoffice_services"]))
    second = validate_policy(reordered, SRC, today=TODAY)
    assert second.content_hash == first.content_hash
    assert second.to_dict() == first.to_dict()


def test_hash_changes_with_meaning(lab_raw):
    first = validate_policy(lab_raw, SRC, today=TODAY).content_hash
    lab_raw["eoffice_services"][0]["ports"] = [8443]
    assert validate_policy(lab_raw, SRC, today=TODAY).content_hash != first


def test_dates_may_be_strings(lab_raw):
    lab_raw["advisory_deadline"] = "2026-12-22"
    lab_raw["approved_vpns"][0]["expires"] = "2027-06-30"
    policy = validate_policy(lab_raw, SRC, today=TODAY)
    assert policy.advisory_deadline == datetime.date(2026, 12, 22)


def test_malformed_cidr(lab_raw):
    lab_raw["networks"]["lab-hq-lan"][0] = "10.20.0.0/33"
    lab_raw["networks"]["nitb-monitoring"] = ["300.1.1.1/32"]
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.networks.lab-hq-lan[0]", "'10.20.0.0/33' is not an IPv4 or IPv6 network",
                 "10.20.0.0/16")
    assert_error(err, "eoffice.networks.nitb-monitoring[0]", "'300.1.1.1/32'")
    assert str(err).splitlines()[0] == (f"{SRC}: eoffice.networks.lab-hq-lan[0]: '10.20.0.0/33' is not an "
                                        "IPv4 or IPv6 network (e.g. 10.20.0.0/16)")


def test_host_bits_are_rejected_with_the_network_meant(lab_raw):
    lab_raw["networks"]["lab-core-services"] = ["10.0.60.1/29"]
    assert_error(errors_of(lab_raw), "eoffice.networks.lab-core-services[0]", "host bits", "10.0.60.0/29")


def test_malformed_mac(lab_raw):
    lab_raw["device_bindings"][0]["mac"] = "00:1a:2b:3c:4d"
    assert_error(errors_of(lab_raw), "eoffice.device_bindings[0].mac", "'00:1a:2b:3c:4d'",
                 "00:1a:2b:3c:4d:5e")


def test_mac_is_normalised_to_lower_case(lab_raw):
    lab_raw["device_bindings"][0]["mac"] = "00:1A:2B:3C:4D:5E"
    assert validate_policy(lab_raw, SRC, today=TODAY).device_bindings[0].mac == "00:1a:2b:3c:4d:5e"


def test_expired_approved_vpn(lab_raw):
    err = errors_of(lab_raw, today=datetime.date(2027, 7, 1))
    assert_error(err, "eoffice.approved_vpns[0].expires", "expired on 2027-06-30", "NITB-VPN-2026-014")


def test_vpn_valid_on_its_expiry_day(lab_raw):
    assert validate_policy(lab_raw, SRC, today=datetime.date(2027, 6, 30)).approved_vpns[0].name == "nitb-s2s"


def test_unknown_vpn_protocol(lab_raw):
    lab_raw["approved_vpns"][0]["protocols"] = ["ipsec", "tinc"]
    assert_error(errors_of(lab_raw), "eoffice.approved_vpns[0].protocols[1]", "'tinc'",
                 "ipsec, l2tp, openvpn, pptp, sstp, wireguard")


def test_unknown_keys_list_the_valid_ones(lab_raw):
    lab_raw["colour"] = "red"
    lab_raw["approved_vpns"][0]["expiry"] = "2027-01-01"
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.colour", "unknown key", "approved_vpns", "ministry")
    assert_error(err, "eoffice.approved_vpns[0].expiry", "unknown key", "expires, zone")


def test_missing_required_keys(lab_raw):
    del lab_raw["eoffice_servers"]
    del lab_raw["approved_vpns"][0]["approval_ref"]
    assert_error(errors_of(lab_raw), "eoffice.eoffice_servers", "missing required key", "eoffice_services")
    lab_raw["eoffice_servers"] = {"network": "lab-eoffice", "zone": "servers"}
    assert_error(errors_of(lab_raw), "eoffice.approved_vpns[0].approval_ref", "missing required key")


def test_not_a_mapping():
    err = errors_of(["not", "a", "mapping"])
    assert err.errors == [("eoffice", "must be a mapping, not a list")]


def test_wrong_types(lab_raw):
    lab_raw["networks"] = ["10.0.0.0/8"]
    lab_raw["approved_networks"] = {"network": "lab-hq-lan"}
    lab_raw["director_cyber_security"] = 42
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.networks", "must be a mapping, not a list")
    assert_error(err, "eoffice.approved_networks", "must be a list, not a mapping")
    assert_error(err, "eoffice.director_cyber_security", "must be a non-empty string, not a number")


def test_ministry_name(lab_raw):
    lab_raw["ministry"] = "MoITT Lab"
    assert_error(errors_of(lab_raw), "eoffice.ministry", "'MoITT Lab'", "lower-case letters, digits and '-'")


def test_advisory_deadline_not_a_date(lab_raw):
    lab_raw["advisory_deadline"] = "next month"
    assert_error(errors_of(lab_raw), "eoffice.advisory_deadline", "'next month' is not a date", "YYYY-MM-DD")


def test_binding_outside_approved_networks_of_its_zone(lab_raw):
    lab_raw["device_bindings"][0]["ip"] = "10.99.1.15"
    assert_error(errors_of(lab_raw), "eoffice.device_bindings[0].ip", "10.99.1.15", "zone 'inside'",
                 "lab-hq-lan")


def test_binding_must_be_ipv4(lab_raw):
    lab_raw["device_bindings"][0]["ip"] = "fd00:20::15"
    assert_error(errors_of(lab_raw), "eoffice.device_bindings[0].ip", "not an IPv4 address")


def test_duplicate_bindings(lab_raw):
    lab_raw["device_bindings"][1]["ip"] = "10.20.1.15"
    lab_raw["device_bindings"][1]["mac"] = "00:1A:2B:3C:4D:5E"
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.device_bindings[1].ip", "duplicate IP 10.20.1.15", "device_bindings[0]")
    assert_error(err, "eoffice.device_bindings[1].mac", "duplicate MAC 00:1a:2b:3c:4d:5e")


def test_references_to_nothing(lab_raw):
    lab_raw["approved_networks"][0]["network"] = "lab-hq-wan"
    lab_raw["management"][0]["zone"] = "dmz"
    lab_raw["internet_zone"] = "wan"
    lab_raw["eoffice_egress"][0]["network"] = "nowhere"
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.approved_networks[0].network", "'lab-hq-wan' is not a known network",
                 "lab-core-services, lab-endpoint-services, lab-eoffice, lab-hq-lan, nitb-monitoring")
    assert_error(err, "eoffice.management[0].zone", "'dmz' is not a known zone", "inside, outside, servers")
    assert_error(err, "eoffice.internet_zone", "'wan' is not a known zone")
    assert_error(err, "eoffice.eoffice_egress[0].network", "'nowhere'")


def test_invalid_ports(lab_raw):
    lab_raw["eoffice_services"][0]["ports"] = [0, 443, 70000, "https"]
    lab_raw["management"][0]["services"].append({"protocol": "icmp", "ports": [8]})
    lab_raw["eoffice_egress"][0]["services"][0] = {"protocol": "udp"}
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.eoffice_services[0].ports[0]", "0 is not a port", "1 to 65535")
    assert_error(err, "eoffice.eoffice_services[0].ports[2]", "70000")
    assert_error(err, "eoffice.eoffice_services[0].ports[3]", "'https'")
    assert_error(err, "eoffice.management[0].services[1].ports", "protocol icmp has no ports")
    assert_error(err, "eoffice.eoffice_egress[0].services[0].ports", "needs a list of ports")


def test_unknown_service_protocol(lab_raw):
    lab_raw["eoffice_services"][1]["protocol"] = "sctp"
    assert_error(errors_of(lab_raw), "eoffice.eoffice_services[1].protocol", "'sctp'", "tcp, udp")


def test_duplicate_names(lab_raw):
    lab_raw["eoffice_services"][1]["name"] = "https"
    lab_raw["approved_vpns"].append(dict(lab_raw["approved_vpns"][0]))
    lab_raw["approved_networks"].append({"network": "lab-hq-lan", "zone": "inside"})
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.eoffice_services[1].name", "duplicate service name 'https'")
    lab_raw["eoffice_services"][1]["name"] = "submission"
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.approved_vpns[1].name", "duplicate VPN name nitb-s2s", "approved_vpns[0]")
    assert_error(err, "eoffice.approved_networks[1]", "duplicate approved network")


def test_zone_missing_a_platform_interface(lab_raw):
    del lab_raw["zones"]["servers"]["asa"]
    assert_error(errors_of(lab_raw), "eoffice.zones.servers.asa", "missing",
                 "platforms in use: asa, fortios, nftables, panos")


def test_zones_may_name_fewer_platforms_consistently(lab_raw):
    lab_raw["zones"] = {z: {"nftables": i["nftables"]} for z, i in lab_raw["zones"].items()}
    assert validate_policy(lab_raw, SRC, today=TODAY).platforms == ("nftables",)


def test_zone_unknown_platform_and_shared_interface(lab_raw):
    lab_raw["zones"]["inside"]["junos"] = "ge-0/0/1"
    lab_raw["zones"]["servers"]["fortios"] = "port2"
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.zones.inside.junos", "unknown key", "asa, fortios, nftables, panos")
    del lab_raw["zones"]["inside"]["junos"]
    assert_error(errors_of(lab_raw), "eoffice.zones.servers.fortios", "'port2' is already", "inside")


def test_approved_network_containing_the_servers(lab_raw):
    lab_raw["networks"]["lab-all"] = ["10.0.0.0/8"]
    lab_raw["approved_networks"].append({"network": "lab-all", "zone": "inside"})
    assert_error(errors_of(lab_raw), "eoffice.approved_networks[1].network", "'lab-all' overlaps",
                 "'lab-eoffice'")


def test_internet_zone_cannot_be_approved(lab_raw):
    lab_raw["approved_networks"][0]["zone"] = "outside"
    lab_raw["management"][0]["zone"] = "outside"
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.approved_networks[0].zone", "internet zone (outside)", "EO-NET-1")
    assert_error(err, "eoffice.management[0].zone", "internet zone")


def test_servers_in_the_internet_zone(lab_raw):
    lab_raw["eoffice_servers"]["zone"] = "outside"
    assert_error(errors_of(lab_raw), "eoffice.eoffice_servers.zone", "internet zone")


def test_egress_to_a_default_route(lab_raw):
    lab_raw["networks"]["lab-core-services"] = ["0.0.0.0/0"]
    assert_error(errors_of(lab_raw), "eoffice.eoffice_egress[0].network", "default route")


def test_vpn_peer_inside_the_servers(lab_raw):
    lab_raw["approved_vpns"][0]["peer"] = "10.10.5.3"
    assert_error(errors_of(lab_raw), "eoffice.approved_vpns[0].peer", "is an e-Office server")


def test_bad_vpn_peer_and_name(lab_raw):
    lab_raw["approved_vpns"][0]["peer"] = "vpn.example.org"
    lab_raw["approved_vpns"][0]["name"] = "nitb s2s"
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.approved_vpns[0].peer", "not an IPv4 or IPv6 address")
    assert_error(err, "eoffice.approved_vpns[0].name", "'nitb s2s' is not valid")


def test_all_problems_are_reported_at_once(lab_raw):
    lab_raw["networks"]["lab-hq-lan"][0] = "10.20.0.0/33"
    lab_raw["device_bindings"][0]["mac"] = "zz"
    lab_raw["eoffice_services"][0]["ports"] = [0]
    assert len(errors_of(lab_raw).errors) == 3


def test_labels_that_would_break_vendor_comments(lab_raw):
    lab_raw["device_bindings"][0]["owner"] = 'Registry "main" PC'
    lab_raw["approved_vpns"][0]["approval_ref"] = "NITB\\VPN"
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.device_bindings[0].owner", "without double quotes")
    assert_error(err, "eoffice.approved_vpns[0].approval_ref", "backslashes")
