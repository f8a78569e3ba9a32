"""playbooks/render.yml for real: files per firewall, `changed` only on new content, check mode, bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, load_raw

from eoffice_guard.ir import build_ir
from eoffice_guard.policy import validate_policy
from eoffice_guard.registry import render

HOSTS = {"fw-fgt": "fortios", "fw-pan": "panos", "fw-asa": "asa", "fw-nft": "nftables"}


def inventory(tmp_path: Path, policy: dict) -> Path:
    inv = tmp_path / "inv"
    (inv / "group_vars" / "all").mkdir(parents=True)
    hosts = {h: {"eoffice_platform": p} for h, p in HOSTS.items()}
    (inv / "hosts.yml").write_text(yaml.safe_dump(
        {"all": {"children": {"ngfw": {"hosts": hosts, "vars": {"ansible_connection": "local"}}}}}))
    (inv / "group_vars" / "all" / "eoffice.yml").write_text(yaml.safe_dump({"eoffice": policy}))
    return inv


def playbook(inv: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inv),
                           "playbooks/render.yml", "-e", f"eoffice_render_dest={out}", *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def recap(output: str, host: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"{host} ") and "ok=" in line)


@pytest.fixture
def lasting_policy() -> dict:
    raw = load_raw("lab")
    raw["approved_vpns"][0]["expires"] = "2099-12-31"  # the playbook validates against the real date
    return raw


def test_render_writes_each_firewall_then_reports_no_change(tmp_path, lasting_policy):
    inv, out = inventory(tmp_path, lasting_policy), tmp_path / "rendered"
    first = playbook(inv, out)
    assert first.returncode == 0, first.stdout + first.stderr
    expected = build_ir(validate_policy(lasting_policy, "x"))
    for host, platform in HOSTS.items():
        assert (out / "lab" / f"{host}.{platform}.conf").read_text() == render(platform, expected)
        table = (out / "lab" / f"{host}.md").read_text()
        assert "| EO-R6-DENY-TO-EOFFICE |" in table and "| internet to e-Office is denied | EO-NET-1 |" in table
        assert "changed=1" in recap(first.stdout, host)
    second = playbook(inv, out)
    assert second.returncode == 0
    assert all("changed=0" in recap(second.stdout, h) for h in HOSTS)


def test_check_mode_writes_nothing_and_shows_the_diff(tmp_path, lasting_policy):
    inv, out = inventory(tmp_path, lasting_policy), tmp_path / "rendered"
    assert playbook(inv, out).returncode == 0
    conf = out / "lab" / "fw-nft.nftables.conf"
    conf.write_text("stale\n")
    run = playbook(inv, out, "--check", "--diff", "--limit", "all:!fw-asa")
    assert run.returncode == 0, run.stdout
    assert conf.read_text() == "stale\n"
    assert "-stale" in run.stdout and "changed=1" in recap(run.stdout, "fw-nft")
    assert "changed=0" in recap(run.stdout, "fw-fgt")


@pytest.mark.parametrize("breakage, path", [
    (lambda p: p["approved_networks"].append({"network": "lab-eoffice", "zone": "inside"}),
     "eoffice.approved_networks[1].network"),
    (lambda p: p["approved_vpns"][0].update(protocols=["ipsec", "tinc"]), "eoffice.approved_vpns[0].protocols[1]"),
    (lambda p: p["zones"]["servers"].pop("asa"), "eoffice.zones.servers.asa"),
    (lambda p: p["eoffice_services"][0].update(ports=[0]), "eoffice.eoffice_services[0].ports[0]"),
    (lambda p: p["management"][0].update(zone="dmz"), "eoffice.management[0].zone"),
])
def test_bad_input_stops_before_anything_is_written(tmp_path, lasting_policy, breakage, path):
    breakage(lasting_policy)
    inv, out = inventory(tmp_path, lasting_policy), tmp_path / "rendered"
    run = playbook(inv, out)
    assert run.returncode != 0
    assert f"group_vars/all/eoffice.yml: {path}: " in run.stdout + run.stderr
    assert not out.exists()


def test_firewall_without_a_platform_is_named(tmp_path, lasting_policy):
    inv, out = inventory(tmp_path, lasting_policy), tmp_path / "rendered"
    hosts = yaml.safe_load((inv / "hosts.yml").read_text())
    hosts["all"]["children"]["ngfw"]["hosts"]["fw-new"] = {}
    (inv / "hosts.yml").write_text(yaml.safe_dump(hosts))
    run = playbook(inv, out)
    assert run.returncode != 0
    assert "fw-new: no platform; set the host variable eoffice_platform" in run.stdout
    assert "failed=0" in recap(run.stdout, "fw-fgt")
