"""Rendered configs: byte-for-byte golden files, valid nftables, and output that depends on nothing else.

Accept new output after a reviewed change with:  UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_render.py
then read `git diff tests/golden` before committing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, TODAY, load_raw, policy_of

from eoffice_guard.compiler import compile_for
from eoffice_guard.ir import build_ir
from eoffice_guard.policy import PolicyError, validate_policy
from eoffice_guard.registry import VENDORS, UnknownPlatform, render

PLATFORMS = sorted(VENDORS)
GOLDEN_POLICIES = ["lab", "sample-large"]
COMMENT = {"asa": "!", "fortios": "#", "panos": "#", "nftables": "#"}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", GOLDEN_POLICIES)
def test_golden(name, platform):
    text = render(platform, build_ir(policy_of(name)))
    golden = ROOT / "tests" / "golden" / name / f"{platform}.conf"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.exists(), f"no golden file {golden}; run with UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(), f"{platform} output for {name} changed; review, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", ["lab", "example-ministry", "sample-large"])
def test_header_names_ministry_hash_and_controls(name, platform):
    policy = policy_of(name)
    lines = render(platform, build_ir(policy)).splitlines()
    head = [line for line in lines[:12] if line.startswith(COMMENT[platform])]
    assert f"ministry {policy.ministry} " in head[0 if platform != "nftables" else 1]
    assert any(f"sha256:{policy.content_hash}" in line for line in head)
    assert any("EO-NET-1 EO-NET-2 EO-NET-3 EO-NET-4 EO-VPN-1 EO-VPN-2" in line for line in head)


@pytest.mark.parametrize("name", ["lab", "example-ministry", "sample-large"])
def test_nft_accepts_the_rendered_file(name, tmp_path):
    nft = shutil.which("nft") or "/usr/sbin/nft"
    path = tmp_path / f"{name}.nft"
    path.write_text(render("nftables", build_ir(policy_of(name))))
    result = subprocess.run([nft, "-c", "-f", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_binding_set_is_ip_and_mac():
    text = render("nftables", build_ir(policy_of("lab")))
    assert "type ipv4_addr . ether_addr" in text
    assert "ip saddr . ether saddr != @EO-BIND-eth1" in text


def test_output_ignores_key_order(lab_raw):
    shuffled = {k: lab_raw[k] for k in sorted(lab_raw, reverse=True)}
    shuffled["zones"] = {k: dict(sorted(v.items(), reverse=True)) for k, v in sorted(lab_raw["zones"].items())}
    a = build_ir(validate_policy(lab_raw, "a.yml", today=TODAY))
    b = build_ir(validate_policy(shuffled, "b.yml", today=TODAY))
    for platform in PLATFORMS:
        assert render(platform, a) == render(platform, b)


def test_output_ignores_hash_seed_and_date():
    """Two interpreters with different hash seeds, on different 'today's, write the same bytes."""
    script = (
        "import datetime, sys, yaml; sys.path[:0] = ['plugins/module_utils']\n"
        "from eoffice_guard.policy import validate_policy\nfrom eoffice_guard.ir import build_ir\n"
        "from eoffice_guard.registry import render, VENDORS\n"
        "raw = yaml.safe_load(open('tests/data/sample-large.yml'))['eoffice']\n"
        "p = validate_policy(raw, 'x', today=datetime.date.fromisoformat(sys.argv[1]))\n"
        "print(''.join(render(k, build_ir(p)) for k in sorted(VENDORS)))\n")
    outputs = set()
    for seed, today in (("1", "2026-11-23"), ("4242", "2027-01-30")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.add(subprocess.run([sys.executable, "-c", script, today], cwd=ROOT, env=env, check=True,
                                   capture_output=True, text=True).stdout)
    assert len(outputs) == 1 and len(next(iter(outputs))) > 10000


def test_unknown_platform():
    with pytest.raises(UnknownPlatform, match=r"junos.*asa, fortios, nftables, panos"):
        render("junos", build_ir(policy_of("lab")))


def test_platform_no_zone_names_is_refused():
    raw = load_raw("lab")
    raw["zones"] = {z: {"nftables": i["nftables"]} for z, i in raw["zones"].items()}
    policy = validate_policy(raw, "lab.yml", today=TODAY)
    with pytest.raises(PolicyError) as info:
        compile_for(policy, "asa")
    assert info.value.errors[0][0] == "eoffice.zones"
    assert "lab.yml: eoffice.zones: no zone names an interface for platform 'asa'" in str(info.value)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_managed_name_is_prefixed(platform):
    rs = build_ir(policy_of("sample-large"))
    text = render(platform, rs)
    for name in [a.name for a in rs.addresses] + [s.name for s in rs.services]:
        assert name.startswith("EO-")
    for rule in rs.rules:
        if not (rule.to_device or rule.applications or rule.mac_mismatch):
            assert rule.name in text
