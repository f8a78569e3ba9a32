"""The lab firewalls' vendor models without the network: trees, formats, round trips, faults, inventory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography import x509

from lab.firewalls import asa, fortios, fortios_config, inventory, panos
from lab.firewalls.faults import Faults, FaultSettings, write_faults

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def box(cls, tmp_path):
    return cls("unit", tmp_path, Faults(tmp_path / "faults.json"))


def run(login, *lines):
    return [login.execute(line) for line in lines]


# -- FortiOS ------------------------------------------------------------------------------------
def test_fortios_prompts_follow_the_config_stack(tmp_path):
    login = box(fortios.FortiBox, tmp_path).new_login("admin")
    prompts = []
    for line in ("config firewall address", 'edit "EO-HQ"', "next", "end"):
        login.execute(line)
        prompts.append(login.prompt())
    assert prompts == ["FGT (address) # ", "FGT (EO-HQ) # ", "FGT (address) # ", "FGT # "]


def test_fortios_saved_text_rebuilds_the_same_tree(tmp_path):
    first = box(fortios.FortiBox, tmp_path)
    run(first.new_login("admin"), "config firewall address", "edit EO-HQ", "set subnet 10.20.0.0/16",
        'set comment "HQ LAN"', "end", "config application list", "edit EO-VPN", "config entries",
        "edit 1", "set category 6", "next", "end", "next", "end")
    second = box(fortios.FortiBox, tmp_path)
    assert second.config_text() == first.config_text()
    assert "            edit 1\n                set category 6\n            next\n" in second.config_text()


def test_fortios_entry_is_applied_only_at_next(tmp_path):
    device = box(fortios.FortiBox, tmp_path)
    login = device.new_login("admin")
    run(login, "config firewall address", "edit EO-PENDING", "set subnet 10.1.0.0/16")
    assert "EO-PENDING" not in device.config_text()
    run(login, "abort", "abort")
    assert "EO-PENDING" not in device.config_text()


def test_fortios_errors_in_vendor_words(tmp_path):
    login = box(fortios.FortiBox, tmp_path).new_login("admin")
    run(login, "config firewall service custom")
    assert login.execute("delete HTTPS") == "entry is used\nCommand fail. Return code -23"
    login.execute("end")
    assert login.execute("configure firewall") == (
        "command parse error before 'configure'\nCommand fail. Return code -61")
    run(login, "config firewall policy", "edit 9")
    assert login.execute('set srcaddr "EO-NOPE"').endswith("Command fail. Return code -3")


def test_fortios_ip_mac_binding_and_application_profile_references(tmp_path):
    device = box(fortios.FortiBox, tmp_path)
    login = device.new_login("admin")
    outputs = run(login, "config firewall ipmacbinding table", "edit 0", "set ip 10.20.1.15",
                  "set mac 00:1A:2B:3C:4D:5E", 'set name "Registry PC 1"', "set status enable", "next",
                  "edit 0", "set mac 00:1a:2b", "abort",
                  "config application list", 'edit "EO-VPN"', "config entries", "edit 1",
                  "set category 6", "set action block", "end", "end",
                  "config firewall policy", "edit 0", 'set application-list "EO-VPN"', "end")
    assert [o for o in outputs if o] == [
        "invalid mac address\nvalue parse error before '00:1a:2b'\nCommand fail. Return code -8"]
    shown = device.config_text()
    assert ("config firewall ipmacbinding table\n    edit 1\n        set ip 10.20.1.15\n"
            '        set mac 00:1a:2b:3c:4d:5e\n        set name "Registry PC 1"\n') in shown
    assert '    edit 2\n        set uuid' in shown and '        set application-list "EO-VPN"\n' in shown


@pytest.mark.parametrize(("text", "commands", "still_open"), [
    ('set comments "Ministry\'s own"\n', [["set", "comments", "Ministry's own"]], False),
    ('set a "x \\"y\\" \\\\ z" \'q r\'\n', [["set", "a", 'x "y" \\ z', "q r"]], False),
    ('set certificate "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"\nnext\n',
     [["set", "certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"], ["next"]], False),
    ("#config-version=FGVM64\nconfig system global\n", [["config", "system", "global"]], False),
    ('set private-key "-----BEGIN\n', [], True),
    ("set\n\n", [["set"]], False),
])
def test_fortios_text_is_read_as_the_cli_reads_it(text, commands, still_open):
    assert fortios_config.split_commands(text) == (commands, still_open)


def test_fortios_certificates_span_lines_and_round_trip(tmp_path):
    first = box(fortios.FortiBox, tmp_path)
    login = first.new_login("admin")
    shown = login.execute("show vpn certificate local")
    assert shown.startswith('config vpn certificate local\n    edit "Fortinet_Factory"\n        set password ENC ')
    assert '        set comments "Ministry\'s own VPN certificate, not managed by eoffice-guard"\n' in shown
    pems = re.findall(r'set certificate "(-----BEGIN CERTIFICATE-----\n.*?\n-----END CERTIFICATE-----)"\n', shown, re.S)
    assert len(pems) == 2 and all(x509.load_pem_x509_certificate(pem.encode()) for pem in pems)
    assert len(re.findall(r'set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----\n', shown)) == 2
    typed = ["config vpn certificate local", 'edit "EO \\"quoted\\""', 'set comments "back\\\\slash, it\'s"',
             'set certificate "-----BEGIN CERTIFICATE-----', "MIIBtest", '-----END CERTIFICATE-----"', "end"]
    prompts = []
    for line in typed:
        assert login.execute(line) == ""
        prompts.append(login.prompt())
    assert prompts[3:5] == ["", ""], "no prompt while the quoted value is open"
    entry = login.execute('show vpn certificate local "EO \\"quoted\\""')
    assert entry == ('config vpn certificate local\n    edit "EO \\"quoted\\""\n'
                     '        set comments "back\\\\slash, it\'s"\n'
                     '        set certificate "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----"\n'
                     "    next\nend")
    assert box(fortios.FortiBox, tmp_path).config_text() == first.config_text(), "saved text reads back the same"


# -- PAN-OS -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "path", "value"), [
    ("address EO-HQ ip-netmask 10.20.0.0/16", ["address", "EO-HQ", "ip-netmask"], "10.20.0.0/16"),
    ("address-group G static [ A B ]", ["address-group", "G", "static"], ["A", "B"]),
    ("service S protocol tcp port 443", ["service", "S", "protocol", "tcp", "port"], "443"),
    ("rulebase security rules R service S", ["rulebase", "security", "rules", "R", "service"], "S"),
    ("address EO-HQ", ["address", "EO-HQ"], None),
])
def test_panos_set_paths(line, path, value):
    assert panos.parse_path(panos.tokens_of(line)) == (path, value)


@pytest.mark.parametrize("line", ["addresss X ip-netmask 1.1.1.1", "address", "address X [ a b"])
def test_panos_invalid_syntax(line):
    with pytest.raises(panos.CommandError, match=r"Invalid syntax\."):
        panos.parse_path(panos.tokens_of(line))


def test_panos_member_lists_grow_and_shrink():
    tree = {}
    panos.apply_set(tree, panos.tokens_of("address-group G static A"))
    panos.apply_set(tree, panos.tokens_of("address-group G static [ B C ]"))
    panos.apply_delete(tree, panos.tokens_of("address-group G static B"))
    assert panos.set_lines(tree, []) == ["set address-group G static [ A C ]"]


def test_panos_moves_and_validates_rules():
    tree = {}
    for rule in ("A", "B", "C"):
        panos.apply_set(tree, panos.tokens_of(f"rulebase security rules {rule} source X-{rule}"))
    panos.move_entry(tree, panos.tokens_of("rulebase security rules C before A"))
    panos.move_entry(tree, panos.tokens_of("rulebase security rules A bottom"))
    assert list(tree["rulebase"]["security"]["rules"]) == ["C", "B", "A"]
    assert panos.validation_errors(tree)[0] == (
        "rulebase -> security -> rules -> C -> source 'X-C' is not a valid reference")


def test_panos_running_config_survives_restart_and_candidate_does_not(tmp_path):
    device = box(panos.PanBox, tmp_path)
    login = device.new_login("admin")
    run(login, "configure", "set address EO-A ip-netmask 10.1.0.0/16")
    assert "Configuration committed successfully" in login.execute("commit")
    assert login.execute("commit") == "There are no changes to commit."
    login.execute("set address EO-B ip-netmask 10.2.0.0/16")
    restarted = box(panos.PanBox, tmp_path)
    assert "EO-A" in str(restarted.candidate) and "EO-B" not in str(restarted.candidate)


def test_panos_shows_braces_until_the_login_asks_for_set_commands(tmp_path):
    device = box(panos.PanBox, tmp_path)
    login, other = device.new_login("admin"), device.new_login("admin")
    braces = login.execute("show config running")
    assert braces.startswith("config {\n  devices {\n    localhost.localdomain {\n      deviceconfig {\n")
    assert ("          rulebase {\n            security {\n              rules {\n"
            '                "Allow Internet" {\n                  from trust;\n                  to untrust;\n'
            '                  source "HQ printers";\n                  destination any;\n'
            "                  application [ ssl web-browsing ];\n") in braces
    assert '            "HQ printers" {\n              ip-netmask 10.20.201.0/24;\n' in braces
    assert login.execute("set cli config-output-format set") == ""
    shown = login.execute("show config running")
    assert 'set rulebase security rules "Allow Internet" source "HQ printers"' in shown.splitlines()
    assert 'set address "HQ printers" description "Ministry\'s own printers"' in shown.splitlines()
    assert other.execute("show config running") == braces, "the format belongs to one login"
    run(other, "configure", "run set cli config-output-format set")
    assert other.execute("show address Ministry-Printers").splitlines()[0] == (
        "set address Ministry-Printers ip-netmask 10.20.200.0/24")
    other.execute("run set cli config-output-format default")
    assert other.execute("show address Ministry-Printers").splitlines()[:2] == [
        "Ministry-Printers {", "  ip-netmask 10.20.200.0/24;"]
    assert login.execute("set cli config-output-format yaml") == "Invalid syntax."
    assert device.new_login("admin").execute("show config running") == braces, "a new login starts in braces"


def test_panos_errors_and_names_with_spaces(tmp_path):
    login = box(panos.PanBox, tmp_path).new_login("admin")
    run(login, "configure", "run set cli config-output-format set")
    assert run(login, 'set rulebase security rules "EO R1" from trust',
               'move rulebase security rules "EO R1" before "Allow Internet"') == ["", ""]
    assert [line.split('"')[1] for line in login.execute("show rulebase security rules").splitlines()
            if " from " in line and '"' in line] == ["EO R1", "Allow Internet"]
    assert run(login, "move rulebase security rules EO-NONE top",
               "move rulebase security rules EO-R1 before Internet",
               'move rulebase security rules "EO R1" before Internet') == ["Move failed. Entry not found."] * 3
    assert run(login, "delete address EO-NONE", "delete rulebase security rules Legacy",
               "delete address-group EO-G static EO-A") == ["Delete failed. Object doesn't exist."] * 3
    assert login.execute('delete address "HQ printers"') == (
        "address -> HQ printers  cannot be deleted because of references from:\n"
        "rulebase -> security -> rules -> Allow Internet -> source")
    assert login.execute('set rulebase security rules "Allow Internet from trust') == "Invalid syntax."
    run(login, 'delete rulebase security rules "Allow Internet"', 'delete address "HQ printers"')
    assert "HQ printers" not in login.execute("show address")


# -- ASA ----------------------------------------------------------------------------------------
def test_asa_ace_is_normalised_as_the_asa_prints_it():
    config = asa.AsaConfig()
    line = "extended permit tcp host 10.1.1.1 10.2.0.0 255.255.0.0 range 80 443 log"
    assert asa.syntax.ace(line.split(), config) == (
        "extended permit tcp host 10.1.1.1 10.2.0.0 255.255.0.0 range www https log")


def test_asa_icmp_types_follow_the_destination():
    ace = "extended permit icmp any host 10.1.1.1 echo log"
    assert asa.syntax.ace(ace.split(), asa.AsaConfig()) == ace


def test_asa_takes_ipv6_networks_as_prefixes():
    config = asa.AsaConfig()
    assert asa.syntax.child_line("object network", ["subnet", "fd00:20:0::/48"], config) == (
        "subnet fd00:20::/48", "address")
    ace = "extended deny ip fd00:20::/48 any6 log"
    assert asa.syntax.ace(ace.split(), config) == ace


def test_asa_marker_points_at_the_bad_word(tmp_path):
    login = box(asa.AsaBox, tmp_path).new_login("admin")
    run(login, "enable")
    login.execute("lab-asa-enable")
    login.execute("configure terminal")
    login.prompt()
    output = login.execute("access-list X extended permit tcp any 10.0.0.0 255.0.0.256")
    typed = "asa(config)# access-list X extended permit tcp any 10.0.0.0 "
    assert output.splitlines()[0] == " " * len(typed) + "^"


def test_asa_running_config_round_trips_and_unsaved_changes_are_lost(tmp_path):
    device = box(asa.AsaBox, tmp_path)
    login = asa.AsaLogin(device, "admin", loading=True)
    run(login, "object-group network EO-G", "network-object host 10.1.1.1",
        "access-list EO-IN extended permit ip object-group EO-G any", "exit")
    login.execute("write memory")
    login.execute("access-list EO-IN extended deny ip any any")
    restarted = box(asa.AsaBox, tmp_path)
    assert restarted.config_text() == device.read_saved()
    assert restarted.running.acls["EO-IN"] == ["extended permit ip object-group EO-G any"]



def test_asa_remark_takes_the_line_it_is_given(tmp_path):
    login = asa.AsaLogin(box(asa.AsaBox, tmp_path), "admin", loading=True)
    run(login, "access-list EO-IN extended permit ip any any", "access-list EO-IN extended deny ip any any",
        "access-list EO-IN line 2 remark EO-R2 | deny the rest", "access-list EO-IN line 1 remark EO-R1 first",
        "access-list EO-IN remark at the end")
    assert login.box.running.acls["EO-IN"] == [
        "remark EO-R1 first", "extended permit ip any any", "remark EO-R2 | deny the rest",
        "extended deny ip any any", "remark at the end"]

# -- faults and inventory -----------------------------------------------------------------------
def test_faults_follow_the_file(tmp_path):
    faults = Faults(tmp_path / "faults.json")
    assert faults.current() == FaultSettings()
    write_faults(faults.path, FaultSettings(drop_after=2, reject="^delete"))
    assert faults.current() == FaultSettings(drop_after=2, reject="^delete")
    with pytest.raises(ValueError, match="unknown fault"):
        FaultSettings.from_dict({"explode": True})


@pytest.mark.parametrize(("path", "count"), [("inventories/lab/firewalls.yml", 3),
                                             ("inventories/lab-fleet/firewalls.yml", 20)])
def test_inventories_match_the_fleet(path, count):
    assert (PROJECT_ROOT / path).read_text() == inventory.render(count)
