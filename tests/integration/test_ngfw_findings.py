"""An old any-any allow of the ministry, above the managed rules, is reported by name with a forbidden flow."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from netmiko import ConnectHandler

from eoffice_guard.delivery.findings import findings
from eoffice_guard.delivery.session import deliver
from eoffice_guard.policy import validate_policy
from tests.integration.lab_firewalls_support import PLATFORMS, lab_device, running
from tests.integration.ngfw_support import LAB_POLICY, intended, running_config, target

pytestmark = pytest.mark.integration
#: an any-any allow placed above everything, as a ministry's old rule would be
OLD_ANY = {
    "fortios": ["config firewall policy", "edit 7", 'set name "Old-Any"', 'set srcintf "any"', 'set dstintf "any"',
                'set srcaddr "all"', 'set dstaddr "all"', "set action accept", 'set schedule "always"',
                'set service "ALL"', "next", "move 7 before 1", "end"],
    "panos": [*(f"set rulebase security rules Old-Any {k} any" for k in
                ("from", "to", "source", "destination", "application", "service")),
              "set rulebase security rules Old-Any action allow",
              "move rulebase security rules Old-Any top"],
    "asa": ["access-list Ministry-In line 1 extended permit ip any any"],
}
NAMED = {"fortios": "unmanaged rule Old-Any ", "panos": "unmanaged rule Old-Any ",
         "asa": "unmanaged rule Ministry-In line 1 (permit ip any any) "}
#: the first forbidden flow each rule lets through (the ASA list filters what enters the inside interface)
INTERNET = ("203.0.113.50 -> 10.10.5.1 tcp/443 [outside -> servers]", "EO-NET-1: internet to e-Office is denied")
FLOW = {"fortios": INTERNET, "panos": INTERNET,
        "asa": ("-> 10.10.5.1 tcp/443 [inside -> servers]",
                "EO-NET-3: a non-approved internal address does not reach e-Office")}


def place_old_rule(lab, state_dir) -> None:
    with ConnectHandler(**target(lab, state_dir).params()) as conn:
        if lab.platform == "panos":
            conn.config_mode()
            conn.send_config_set(OLD_ANY["panos"], enter_config_mode=False, exit_config_mode=False)
            conn.commit()
        else:
            conn.enable()
            conn.send_config_set(OLD_ANY[lab.platform])


def plan_with_findings(lab, state_dir):
    place_old_rule(lab, state_dir)
    policy = validate_policy(yaml.safe_load(LAB_POLICY.read_text())["eoffice"], "lab")
    return deliver(target(lab, state_dir), intended(lab.platform), check=True, backup_dir=None, name=lab.name,
                   ministry="lab", review=lambda text: findings(policy, lab.platform, text)), \
        running_config(lab, state_dir)


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    devices = [lab_device(p) for p in PLATFORMS]
    state_dir = tmp_path_factory.mktemp("ngfw-findings")
    with running(devices, state_dir), ThreadPoolExecutor(len(devices)) as pool:
        futures = {d.platform: pool.submit(plan_with_findings, d, state_dir) for d in devices}
        return {platform: f.result() for platform, f in futures.items()}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_old_any_any_rule_is_a_finding_naming_it_and_a_forbidden_flow(plans, platform):
    outcome, _ = plans[platform]
    assert outcome.findings, "no finding"
    finding = outcome.findings[0]
    assert finding.startswith(NAMED[platform])
    flow, invariant = FLOW[platform]
    assert flow in finding
    assert f"which the advisory forbids ({invariant})" in finding


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_finding_leaves_the_rule_alone(plans, platform):
    outcome, config = plans[platform]
    touching = r"edit 7\b|rules Old-Any |access-list Ministry-In "  # a move *before* it is fine
    assert not [c for c in outcome.commands if re.search(touching, c)]
    assert ("Old-Any" if platform != "asa" else "access-list Ministry-In extended permit ip any any") in config
