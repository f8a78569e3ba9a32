"""The host rendering of an e-Office server: golden file, valid nftables, the same rule names and order.

Accept new output after a reviewed change with:
UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_render_host.py
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from conftest import ROOT, policy_of

from eoffice_guard.flow import Flow, check_flow
from eoffice_guard.ir import build_ir
from eoffice_guard.nftables_host import host_ruleset, lockout_problems, render_host


@pytest.mark.parametrize("name", ["lab", "sample-large"])
def test_golden(name):
    policy = policy_of(name)
    text = render_host(build_ir(policy), policy)
    golden = ROOT / "tests" / "golden" / name / "nftables-host.conf"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text(), f"host output for {name} changed; review, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize("name", ["lab", "example-ministry", "sample-large"])
def test_nft_accepts_the_host_file(name, tmp_path):
    policy = policy_of(name)
    path = tmp_path / "host.nft"
    path.write_text(render_host(build_ir(policy), policy))
    result = subprocess.run([shutil.which("nft") or "/usr/sbin/nft", "-c", "-f", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_host_rules_are_the_gateways_in_the_same_order_without_zones():
    policy = policy_of("lab")
    gateway = build_ir(policy)
    host = host_ruleset(gateway, policy)
    names = [r.name for r in host.rules]
    assert names == [r.name for r in gateway.rules if r.name in names]
    assert not any(r.src_zones or r.dst_zones or r.to_device or r.applications for r in host.rules)
    assert {"EO-R1-MGMT-1-SRV", "EO-R5-APPROVED-1", "EO-R6-DENY-TO-EOFFICE", "EO-R8-DENY-FROM-EOFFICE"} <= set(names)
    assert not {"EO-R1-MGMT-1-DEV", "EO-R2-VPN-1-IN", "EO-R3-VPN-APPS"} & set(names)


def test_management_reaches_the_server_and_the_server_no_internet():
    policy = policy_of("lab")
    host = host_ruleset(build_ir(policy), policy)
    assert check_flow(host, Flow("10.0.50.10", "10.10.5.3", "tcp", 22)).action == "allow"
    assert check_flow(host, Flow("10.10.5.3", "203.0.113.9", "tcp", 443)).rule.name == "EO-R8-DENY-FROM-EOFFICE"


def test_anti_lockout_names_the_flow_and_the_rule():
    policy = policy_of("lab")
    rs = build_ir(policy)
    assert lockout_problems(rs, policy, ["10.10.5.3", "fd00:10:5::3"], "10.0.50.10") == []
    problems = lockout_problems(rs, policy, ["10.10.5.3"], "10.20.7.7")
    assert problems == ["the controller's SSH session 10.20.7.7 -> 10.10.5.3 tcp/22 would be dropped by rule "
                        "EO-R6-DENY-TO-EOFFICE (anything else to e-Office is denied (internet and non-approved "
                        "internal alike))"]
