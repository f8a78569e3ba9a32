"""Config state lives in a tree: set, modify, move and delete, each step read back with ``show``."""

from __future__ import annotations

import shlex

import pytest
from netmiko.exceptions import ConfigInvalidException

from tests.integration.lab_firewalls_support import connect, one_of_each_platform

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def devices(tmp_path_factory):
    for devices, _ in one_of_each_platform(tmp_path_factory):
        yield devices


def without_uuids(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "set uuid " not in line)


def test_fortios_tree_follows_each_step(devices):
    with connect(devices["fortios"]) as conn:
        def configure(*lines):
            return conn.send_config_set(list(lines), error_pattern="Command fail")

        configure("config firewall address", "edit EO-A", "set subnet 10.1.0.0/16", "next",
                  "edit EO-B", "set subnet 10.2.0.0 255.255.0.0", "next", "end")
        assert without_uuids(conn.send_command("show firewall address EO-A")) == (
            'config firewall address\n    edit "EO-A"\n        set subnet 10.1.0.0 255.255.0.0\n'
            "    next\nend")
        configure("config firewall address", "edit EO-A", "set subnet 10.3.0.0/24",
                  'set comment "e-Office HQ"', "next", "end")
        assert without_uuids(conn.send_command("show firewall address EO-A")) == (
            'config firewall address\n    edit "EO-A"\n        set subnet 10.3.0.0 255.255.255.0\n'
            '        set comment "e-Office HQ"\n    next\nend')
        configure("config firewall address", "edit EO-A", "unset comment", "end")
        assert "comment" not in conn.send_command("show firewall address EO-A")
        configure("config firewall policy", "edit 2", 'set name "EO-1"', 'set srcintf "port2"',
                  'set dstintf "port3"', 'set srcaddr "EO-A"', 'set dstaddr "EO-B"', "set action accept",
                  'set schedule "always"', 'set service "HTTPS"', "next", "move 2 before 1", "end")
        policies = conn.send_command("show firewall policy")
        assert [line.strip() for line in policies.splitlines() if "edit" in line] == ["edit 2", "edit 1"]
        assert "        set action accept\n" in policies
        full = conn.send_command("show full-configuration firewall policy 2")
        assert "        set status enable\n" in full and "set status" not in policies, "defaults only in full"
        in_use = conn.send_config_set(["config firewall address", "delete EO-B", "end"])
        assert "entry is used\nCommand fail. Return code -23" in in_use
        configure("config firewall policy", "delete 2", "end", "config firewall address", "delete EO-B", "end")
        assert "EO-B" not in conn.send_command("show firewall address")
        assert "edit 2" not in conn.send_command("show firewall policy")
        refused = conn.send_config_set(["config firewall addrgrp", "edit EO-G", 'set member "EO-NOPE"',
                                        "end"])
        assert "entry not found in datasource" in refused and "Command fail. Return code -3" in refused
        with pytest.raises(ConfigInvalidException):
            configure("config firewall nonsense")


def test_panos_candidate_tree_follows_each_step(devices):
    with connect(devices["panos"]) as conn:
        conn.config_mode()
        conn.send_command("run set cli config-output-format set")

        def configure(*lines):
            return conn.send_config_set(list(lines), enter_config_mode=False, exit_config_mode=False,
                                        error_pattern="Invalid syntax|invalid|Unknown command")

        def show(what):
            return conn.send_command(f"show {what}").strip()

        configure("set address EO-A ip-netmask 10.1.0.0/16", "set address EO-B ip-netmask 10.2.0.0/16",
                  "set address-group EO-G static [ EO-A EO-B ]")
        assert show("address EO-A") == "set address EO-A ip-netmask 10.1.0.0/16"
        configure("set address EO-A ip-netmask 10.3.0.0/24", 'set address EO-A description "e-Office HQ"')
        assert show("address EO-A").splitlines() == [
            "set address EO-A ip-netmask 10.3.0.0/24", 'set address EO-A description "e-Office HQ"']
        for rule in ("EO-1", "EO-2"):
            configure(f"set rulebase security rules {rule} from trust", f"set rulebase security rules {rule} "
                      "to servers", f"set rulebase security rules {rule} source EO-G",
                      f"set rulebase security rules {rule} destination any",
                      f"set rulebase security rules {rule} action deny")

        def order():
            lines = show("rulebase security rules").splitlines()
            return list(dict.fromkeys(shlex.split(line)[4] for line in lines))

        assert order() == ["Allow Internet", "Ministry-Internet", "EO-1", "EO-2"]
        configure("move rulebase security rules EO-2 top")
        assert order() == ["EO-2", "Allow Internet", "Ministry-Internet", "EO-1"]
        configure('move rulebase security rules EO-1 before "Allow Internet"')
        assert order() == ["EO-2", "EO-1", "Allow Internet", "Ministry-Internet"]
        configure("move rulebase security rules EO-2 after EO-1")
        assert order() == ["EO-1", "EO-2", "Allow Internet", "Ministry-Internet"]
        configure("delete address-group EO-G static EO-B", "delete rulebase security rules EO-2")
        assert show("address-group") == "set address-group EO-G static EO-A"
        assert order() == ["EO-1", "Allow Internet", "Ministry-Internet"]
        with pytest.raises(ConfigInvalidException):
            configure("set addresss EO-C ip-netmask 10.9.0.0/16")
        configure("set rulebase security rules EO-1 source EO-NOPE")
        with pytest.raises(ValueError, match="Commit failed"):
            conn.commit()
        conn.config_mode()
        configure("delete rulebase security rules EO-1 source EO-NOPE")
        assert "Configuration committed successfully" in conn.commit()
        assert "set address EO-A ip-netmask 10.3.0.0/24" in conn.send_command("show config running")


def test_asa_running_config_follows_each_step(devices):
    with connect(devices["asa"]) as conn:
        def configure(*lines):
            return conn.send_config_set(list(lines), error_pattern="ERROR")

        configure("object network EO-A", "host 10.1.0.5",
                  "object network EO-B", "subnet 10.2.0.0 255.255.0.0")
        assert conn.send_command("show running-config object network").splitlines() == [
            "object network Ministry-Printers", " subnet 10.20.200.0 255.255.255.0",
            " description owned by the ministry, not by eoffice-guard",
            "object network EO-A", " host 10.1.0.5", "object network EO-B", " subnet 10.2.0.0 255.255.0.0"]
        configure("object network EO-A", "subnet 10.3.0.0 255.255.255.0", "description e-Office HQ")
        assert conn.send_command("show running-config object network EO-A").splitlines() == [
            "object network EO-A", " subnet 10.3.0.0 255.255.255.0", " description e-Office HQ"]
        configure("access-list EO-T extended permit tcp object EO-A object EO-B eq 443 log",
                  "access-list EO-T extended deny ip any object EO-B log",
                  "access-list EO-T line 1 extended permit udp object EO-A any eq 53")
        assert conn.send_command("show running-config access-list EO-T").splitlines() == [
            "access-list EO-T extended permit udp object EO-A any eq domain",
            "access-list EO-T extended permit tcp object EO-A object EO-B eq https log",
            "access-list EO-T extended deny ip any object EO-B log"]
        configure("no access-list EO-T extended permit tcp object EO-A object EO-B eq https log")
        assert len(conn.send_command("show running-config access-list EO-T").splitlines()) == 2
        in_use = conn.send_config_set(["no object network EO-B"])
        assert "ERROR: unable to delete object (EO-B), it is being used" in in_use
        configure("clear configure access-list EO-T", "no object network EO-B")
        assert conn.send_command("show running-config access-list EO-T") == ""
        assert "EO-B" not in conn.send_command("show running-config object")
        assert "access-list Ministry-In" in conn.send_command("show running-config access-list")
        wrong = conn.send_config_set(["access-list EO-T extended permit foo any any"])
        marker = next(line for line in wrong.splitlines() if line.strip() == "^")
        assert len(marker) - 1 == len("asa(config)# access-list EO-T extended permit ")
        assert "ERROR: % Invalid input detected at '^' marker." in wrong
