"""Hostile device output through every parser and every delivery driver (issue: the firewall path under
hostile input): multi-line quoted values, apostrophes, names with spaces and quotes, brace-format PAN-OS,
empty reads. Nothing escapes as an exception, and no plan ever holds a command for an object the project
does not own."""

from __future__ import annotations

import pytest
from conftest import TODAY, load_raw

from eoffice_guard.compiler import compile_for
from eoffice_guard.delivery.drivers import DRIVERS, driver
from eoffice_guard.delivery.planning import UnreadableConfig, recognisable
from eoffice_guard.delivery.session import plan_only
from eoffice_guard.fortios import statements
from eoffice_guard.panos import tokens
from eoffice_guard.policy import validate_policy
from eoffice_guard.registry import VENDORS, parse

POLICY = validate_policy(load_raw("lab"), "lab", today=TODAY)
INTENDED = {p: compile_for(POLICY, p).text for p in DRIVERS}

FORTIOS = '''#config-version=FGVM64-7.2.5-FW-build1517:opmode=0:vdom=0
config system global
    set alias O'Brien's box
    set hostname "FGT"
end
config vpn certificate local
    edit "Fortinet_Factory"
        set password ENC 5Y8k1uXl+qJ6b0E3Rl/pJ+yjC0xsUpwj
        set comments "This is the default local certificate"
        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI1fXlY3U3bF4CAggA
MAwGCCqGSIb3DQIJBQAwFAYIKoZIhvcNAwcECHoVy0r0d6d+BIIEyE2r'quote'
-----END ENCRYPTED PRIVATE KEY-----"
        set certificate "-----BEGIN CERTIFICATE-----
MIIDzTCCArWgAwIBAgIQdHs0k9O\\"escaped\\" and 'single' and next
end
-----END CERTIFICATE-----"
        set range global
        set source factory
    next
end
config firewall address
    edit "HQ \\"EO\\" printers"
        set subnet 10.20.200.0 255.255.255.0
    next
    edit "Legacy EO-exception"
        set comment "Ministry's own; don't touch"
        set subnet 10.9.9.0 255.255.255.0
    next
    edit "EO-NET-bogus-1"
        set subnet not-an-address
    next
end
config firewall policy
    edit 7
        set name "Allow Internet"
        set srcintf "port2"
        set dstintf "port1"
        set action accept
        set srcaddr "all"
        set dstaddr "all"
        set schedule "always"
        set service "ALL"
        set comments "Ministry's \\"own\\" rule"
    next
    edit 8
        set name "EO-R9-LEFTOVER \\" ; delete 7"
        set
    next
end
config firewall ipmacbinding table
    edit 3
        set ip 10.20.9.9
        set mac 00:11:22:33:44:55
        set name "Printer desk"
    next
    edit 4
        set ip not-an-ip
        set name "EO-broken"
    next
end
'''

PANOS = '''set deviceconfig system hostname PA-VM
set address "HQ EO-printers" ip-netmask 10.20.200.0/24
set address "HQ printers" ip-netmask 10.20.201.0/24
set address EO-NET-bogus-1 ip-netmask not-a-network
set address-group "Legacy group" static [ "HQ printers" "HQ EO-printers" ]
set service "Legacy svc" protocol tcp port 8080
set rulebase security rules "Allow Internet" from trust
set rulebase security rules "Allow Internet" to untrust
set rulebase security rules "Allow Internet" source any
set rulebase security rules "Allow Internet" destination any
set rulebase security rules "Allow Internet" application any
set rulebase security rules "Allow Internet" service application-default
set rulebase security rules "Allow Internet" action allow
set rulebase security rules "Legacy EO-exception" from [ trust "dmz zone" ]
set rulebase security rules "Legacy EO-exception" action allow
set rulebase security rules "Legacy EO-exception" description "it's \\"quoted\\""
set rulebase security rules
set address
'''

PANOS_BRACE = '''config {
  devices {
    localhost.localdomain {
      vsys {
        vsys1 {
          rulebase {
            security {
              rules {
                "Allow Internet" {
                  from trust;
                  to untrust;
                  action allow;
                }
              }
            }
          }
        }
      }
    }
  }
}
'''

ASA = ''': Saved
:
ASA Version 9.18(3)
!
hostname asa
!
interface GigabitEthernet0/1
 nameif inside
 security-level 100
!
object network "HQ printers"
 subnet 10.20.200.0 255.255.255.0
object-group network Legacy-EO-exception
 network-object host 10.9.9.9
object-group network EO-NET-bogus
 network-object not-an-address
access-list Ministry-In remark it's the ministry's "own" list
access-list Ministry-In extended permit tcp any any eq https
access-list Ministry-In extended permit ip any any log
access-list EO-IN-bogus extended garbage here
access-group Ministry-In in interface inside
: end
'''

CORPUS = {
    "fortios": [FORTIOS, FORTIOS + INTENDED["fortios"], INTENDED["fortios"] + FORTIOS],
    "panos": [PANOS, PANOS + INTENDED["panos"], INTENDED["panos"] + PANOS],
    "asa": [ASA, ASA + INTENDED["asa"], INTENDED["asa"].replace("!", "! x") + ASA],
}
EMPTY_OR_FOREIGN = ["", "\n\n", "% Unknown command\n", PANOS_BRACE, "<response status='error'/>\n"]


@pytest.mark.parametrize("platform", sorted(VENDORS))
@pytest.mark.parametrize("text", [*(t for texts in CORPUS.values() for t in texts), *EMPTY_OR_FOREIGN])
def test_every_parser_reads_hostile_text_without_an_exception(platform, text):
    parsed = parse(platform, text, POLICY.zones)
    assert all(rule.name.startswith("EO-") for rule in parsed.ruleset.rules)


@pytest.mark.parametrize(("platform", "index"), [(p, i) for p, texts in CORPUS.items() for i in range(len(texts))])
def test_plans_on_hostile_running_configs_touch_only_the_managed_slice(platform, index):
    running = CORPUS[platform][index]
    drv = driver(platform)
    _, _, plan = plan_only(drv, running, INTENDED[platform])
    foreign = FOREIGN[platform](plan.commands, running)
    assert not foreign, f"commands outside the managed slice: {foreign}"
    drv.open_rules(running)
    drv.text(drv.current(running, INTENDED[platform]))


def test_an_unchanged_policy_next_to_hostile_objects_plans_nothing():
    """The device already holds the intended rules, on top, amid names with spaces and quotes."""
    for platform, running in (("panos", INTENDED["panos"] + PANOS.replace("set address EO-NET-bogus-1 ip-netmask "
                                                                          "not-a-network\n", "")),):
        _, _, plan = plan_only(driver(platform), running, INTENDED[platform])
        assert plan.commands == [], plan.commands


@pytest.mark.parametrize("platform", sorted(DRIVERS))
@pytest.mark.parametrize("text", EMPTY_OR_FOREIGN)
def test_a_read_without_recognisable_config_is_an_error(platform, text):
    with pytest.raises(UnreadableConfig, match=f"{platform}: the running config read back has no"):
        recognisable(text, driver(platform).CONFIG_LINE, platform, "line")


def test_fortios_quoted_values_span_lines_and_keep_apostrophes():
    found = {tuple(words[:2]): words for words, _ in statements(FORTIOS)}
    cert = found[("set", "certificate")][2]
    assert cert.startswith("-----BEGIN CERTIFICATE-----\n") and cert.endswith("-----END CERTIFICATE-----")
    assert 'MIIDzTCCArWgAwIBAgIQdHs0k9O"escaped"' in cert and "\nend\n" in cert
    assert found[("set", "alias")] == ["set", "alias", "O'Brien's", "box"]
    assert ["edit", 'HQ "EO" printers'] in [w for w, _ in statements(FORTIOS)]


def test_panos_names_are_read_as_the_cli_reads_them():
    assert tokens('set rulebase security rules "Legacy EO-exception" from [ trust "dmz zone" ]') == [
        "set", "rulebase", "security", "rules", "Legacy EO-exception", "from", "[", "trust", "dmz zone", "]"]


def test_a_move_before_a_name_with_spaces_quotes_the_anchor():
    running = PANOS + INTENDED["panos"]  # the managed rules below the ministry's: they must move up
    _, _, plan = plan_only(driver("panos"), running, INTENDED["panos"])
    moves = [c for c in plan.commands if c.startswith("move ")]
    assert moves and moves[0].endswith('before "Allow Internet"'), moves


def test_panos_error_lines_stop_a_push():
    import re

    pattern = re.compile(driver("panos").ERROR_PATTERN)
    for line in ("Move failed. Entry not found.", "  Invalid syntax.", "Server error : Delete failed",
                 "Validation Error:", "rules -> EO-R1 -> source 'EO-X' is not a valid reference",
                 "Delete failed. Object doesn't exist.",
                 "address -> HQ printers  cannot be deleted because of references from:"):
        assert pattern.search(f"admin@PA-VM# move x\n{line}\n"), line
    assert not pattern.search("admin@PA-VM# set address EO-failed-Entry-not-found ip-netmask 10.0.0.0/8\n")


# -- what "outside the managed slice" means, per platform -----------------------------------------
def _fortios_foreign(commands: list[str], running: str) -> list[str]:
    from eoffice_guard.delivery.fortios import NAMED_BY_SETTING, OWNED, SHARED, owner, read_tree

    tree = read_tree(running)
    out, table = [], ""
    for command in commands:
        words = next(statements(command))[0] if command.strip() else []
        if not words:
            continue
        if words[0] == "config":
            table = " ".join(words[1:])
            assert table in OWNED + SHARED, command
        elif words[0] in ("edit", "delete") and table in OWNED:
            entry = tree.get(table, {}).get(words[1])
            if table in NAMED_BY_SETTING:
                ours = entry is None or owner(table, entry).startswith("EO-")
            else:
                ours = words[1].startswith("EO-")
            out += [] if ours else [command]
        elif words[0] == "move":
            entry = tree.get("firewall policy", {}).get(words[1])
            out += [] if entry is None or owner("firewall policy", entry).startswith("EO-") else [command]
    return out


def _panos_foreign(commands: list[str], running: str) -> list[str]:
    out = []
    for command in commands:
        words = [w for w in tokens(command) if w not in "[]"]
        name = words[4] if words[1:4] == ["rulebase", "security", "rules"] else words[2]
        if not name.startswith("EO-"):
            out.append(command)
    return out


def _asa_foreign(commands: list[str], running: str) -> list[str]:
    out = []
    for command in commands:
        words = command.split()
        if words[0] == "no":
            words = words[1:]
        if words[:2] == ["clear", "configure"]:
            words = words[2:]
        name = {"object-group": 2, "object": 2, "access-list": 1, "access-group": 1}.get(words[0])
        if name is not None and not words[name].startswith("EO-"):
            out.append(command)
    return out


FOREIGN = {"fortios": _fortios_foreign, "panos": _panos_foreign, "asa": _asa_foreign}
