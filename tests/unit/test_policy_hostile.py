"""Hostile and valid-looking policies that devices (or Jinja) would take differently: each is refused
with file and key path before anything is rendered or contacted (issue: the firewall path under hostile input)."""

from __future__ import annotations

import ipaddress

import pytest
from conftest import ROOT, TODAY
from conftest import SRC_LAB as SRC
from test_policy import assert_error, errors_of

from eoffice_guard.policy import validate_policy
from eoffice_guard.schema import MAX_MESSAGE
from eoffice_guard.semantics import public_addresses


def test_jinja_markers_are_refused_wherever_they_are(lab_raw):
    lab_raw["device_bindings"][0]["owner"] = "{{ lookup('pipe', 'id > /tmp/x; echo PC1') }}"
    lab_raw["approved_vpns"][0]["approval_ref"] = "NITB-{% raw %}x"
    lab_raw["networks"]["{# note #}"] = ["10.99.0.0/24"]
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.device_bindings[0].owner", "template marker", "never templated")
    assert_error(err, "eoffice.approved_vpns[0].approval_ref", "template marker")
    assert_error(err, "eoffice.networks.{# note #}", "template marker")


def test_what_modules_receive_validates_to_the_same_policy(lab_raw):
    lab_raw["eoffice_egress"][0].pop("zone", None)
    lab_raw["device_bindings"][1].pop("owner")
    first = validate_policy(lab_raw, SRC, today=TODAY)
    again = validate_policy(first.as_input(), "eoffice_validation.policy_input", today=TODAY)
    assert again == first
    assert again.content_hash == first.content_hash


@pytest.mark.parametrize("key", ["eoffice_egress", "approved_networks", "management"])
def test_public_space_split_into_pieces_is_still_the_internet(lab_raw, key):
    lab_raw["networks"]["everywhere"] = ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2"]
    entry = {"network": "everywhere", "zone": "inside"}
    if key != "approved_networks":
        entry["services"] = [{"protocol": "tcp", "ports": [443]}]
    if key == "eoffice_egress":
        entry.pop("zone")
    lab_raw.setdefault(key, []).append(entry)
    assert_error(errors_of(lab_raw), f"eoffice.{key}", "public IPv4 addresses", "EO-NET-1")


def test_public_space_counts_the_union_of_the_list(lab_raw):
    for i in range(2):  # two /25 of public space: 256 together, the documented limit
        lab_raw["networks"][f"relay{i}"] = [f"203.0.113.{128 * i}/25"]
        lab_raw["eoffice_egress"].append({"network": f"relay{i}", "services": [{"protocol": "tcp", "ports": [25]}]})
    validate_policy(lab_raw, SRC, today=TODAY)
    lab_raw["networks"]["relay2"] = ["198.51.100.0/31"]
    lab_raw["eoffice_egress"].append({"network": "relay2", "services": [{"protocol": "tcp", "ports": [25]}]})
    assert_error(errors_of(lab_raw), "eoffice.eoffice_egress", "258 public IPv4 addresses")


def test_public_addresses_ignores_private_and_overlap():
    nets = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0")]
    assert public_addresses(nets[:2]) == 0
    assert 3_600_000_000 < public_addresses(nets) < 2 ** 32


@pytest.mark.parametrize(("where", "value", "words"), [
    ("ministry", "lab\n", ("is not valid",)),
    ("zones.inside.nftables", "eth1\n", ("Linux interface name",)),
    ("zones.inside.nftables", "eth1:0", ("no ':' aliases",)),
    ("zones.inside.nftables", "ethernet-very-long", ("up to 15",)),
    ("zones.inside.fortios", "port2 ", ("FortiOS interface name",)),
    ("zones.inside.panos", "t" * 32, ("up to 31",)),
])
def test_names_with_line_breaks_and_vendor_limits(lab_raw, where, value, words):
    target = lab_raw
    *parents, last = where.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    assert_error(errors_of(lab_raw), f"eoffice.{where}", *words)


@pytest.mark.parametrize("owner", [
    "Registry\u2028PC", "Registry\u0085PC", "Registry\u2029PC", "Registry PC\n", "PC\t1",
    " Registry PC", "Registry PC ", "Registry  PC", "\U0001F600" * 40, "x" * 65, "a\u200bb",
])
def test_labels_that_break_comments_or_read_differently(lab_raw, owner):
    lab_raw["device_bindings"][0]["owner"] = owner
    assert_error(errors_of(lab_raw), "eoffice.device_bindings[0].owner", "use at most 64 characters and 128 bytes")


def test_a_folded_approval_reference_is_refused_not_rendered(lab_raw):
    lab_raw["approved_vpns"][0]["approval_ref"] = "NITB-VPN-2026-014\n"  # what `approval_ref: >` gives
    assert_error(errors_of(lab_raw), "eoffice.approved_vpns[0].approval_ref", "line break")


def test_a_label_of_64_plain_characters_is_fine(lab_raw):
    lab_raw["device_bindings"][0]["owner"] = "Registry workstation, 2nd floor - desk A (Muhammad Ali's PC) #1"
    validate_policy(lab_raw, SRC, today=TODAY)


@pytest.mark.parametrize(("path", "value", "words"), [
    ("approved_vpns.0.peer", True, ("not an IPv4 or IPv6 address",)),
    ("approved_vpns.0.peer", 3325256714, ("write it as a string",)),
    ("approved_vpns.0.peer", "255.255.255.255", ("broadcast",)),
    ("approved_vpns.0.peer", "0.0.0.0", ("unspecified",)),
    ("approved_vpns.0.peer", "224.0.0.5", ("multicast",)),
    ("approved_vpns.0.peer", "ff02::1", ("multicast",)),
    ("approved_vpns.0.peer", "fe80::1%eth0", ("zone index",)),
    ("device_bindings.0.ip", "224.0.0.1", ("multicast",)),
    ("device_bindings.0.ip", "10.20.255.255", ("broadcast address of its approved network",)),
    ("device_bindings.0.ip", "10.20.0.0", ("network or broadcast",)),
    ("device_bindings.0.mac", "00:00:00:00:00:00", ("all-zero",)),
    ("device_bindings.0.mac", "ff:ff:ff:ff:ff:ff", ("broadcast",)),
    ("device_bindings.0.mac", "01:00:5e:00:00:01", ("multicast",)),
])
def test_addresses_that_are_no_device(lab_raw, path, value, words):
    key, index, field = path.split(".")
    lab_raw[key][int(index)][field] = value
    assert_error(errors_of(lab_raw), f"eoffice.{key}[{index}].{field}", *words)


def test_scoped_ipv6_network(lab_raw):
    lab_raw["networks"]["lab-hq-lan"][1] = "fd00:50::%eth0/64"
    assert_error(errors_of(lab_raw), "eoffice.networks.lab-hq-lan[1]", "zone index")


def test_generated_object_names_cannot_meet(lab_raw):
    lab_raw["networks"]["lab-hq-lan-1"] = ["10.99.0.0/24"]
    lab_raw["networks"]["lab-hq-lan-6-1"] = ["10.98.0.0/24"]
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.networks.lab-hq-lan-1", "would share a firewall object name", "'lab-hq-lan'")
    assert_error(err, "eoffice.networks.lab-hq-lan-6-1", "would share")


def test_a_named_service_cannot_take_an_unnamed_services_name(lab_raw):
    lab_raw["eoffice_services"][0]["name"] = "TCP-443"
    assert_error(errors_of(lab_raw), "eoffice.eoffice_services[0].name", "looks like the name")


def test_integers_yaml_reads_otherwise_are_refused_with_their_line():
    text = (ROOT / "inventories/lab/group_vars/all/eoffice.yml").read_text()
    text = text.replace("ports: [443]}", "ports: [0443]}").replace("ports: [587]}", "ports: [1:23]}")
    import yaml

    raw = yaml.safe_load(text)["eoffice"]
    assert raw["eoffice_services"][0]["ports"] == [291]  # what YAML 1.1 made of it
    err = errors_of_text(raw, text)
    assert_error(err, "eoffice.eoffice_services[0].ports[0]", "'0443'", "line 22", "leading zero")
    assert_error(err, "eoffice.eoffice_services[1].ports[0]", "'1:23'")


def errors_of_text(raw, text):
    from eoffice_guard.policy import PolicyError

    with pytest.raises(PolicyError) as info:
        validate_policy(raw, SRC, today=TODAY, source_text=text)
    return info.value


ALIAS_BOMB = "eoffice:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  {c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def test_an_alias_bomb_is_refused_small_and_fast():
    import yaml

    assert len(ALIAS_BOMB) < 2000
    raw = yaml.safe_load(ALIAS_BOMB)["eoffice"]  # shared references: cheap until something walks them
    err = errors_of_text(raw, ALIAS_BOMB)
    assert "expands to more than" in str(err)
    err = errors_of(raw)  # without the text too (a vault-encrypted file)
    assert "expands to more than" in str(err)
    assert len(str(err)) < 1000


def test_no_message_grows_with_the_input(lab_raw):
    lab_raw["ministry"] = "x" * 5_000_000
    lab_raw["networks"]["lab-hq-lan"] = ["y" * 1_000_000]
    err = errors_of(lab_raw)
    assert all(len(message) <= MAX_MESSAGE for _, message in err.errors)
    assert len(str(err)) < 2000


def test_independent_problems_come_in_one_run(lab_raw):
    lab_raw["networks"]["lab-hq-lan"][0] = "10.20.0.0/33"  # a check of one value
    lab_raw["approved_vpns"][0]["expires"] = "2026-01-01"  # a check across keys (expiry against today)
    err = errors_of(lab_raw)
    assert_error(err, "eoffice.networks.lab-hq-lan[0]", "not an IPv4 or IPv6 network")
    assert_error(err, "eoffice.approved_vpns[0].expires", "expired")
    assert not any("device_bindings" in path for path, _ in err.errors), err  # no follow-on noise
