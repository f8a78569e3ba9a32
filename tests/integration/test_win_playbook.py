"""playbooks/endpoints.yml on a lab Windows endpoint reached as a ministry's inventory reaches a desktop:
bad input stops the run before the endpoint sees one request, check mode with diff changes nothing, the
password never appears in the output, and the results per control are recorded for the reports."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from ansible.plugins.loader import cache_loader

from tests.integration.win_support import LAB_EDR, endpoint, state_bytes

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
CANARY = "Canary-i12cl-play-9Zk"


def inventory(tmp_path: Path, ep, password: str, extra: str = "", policy_edit: tuple[str, str] = ("", "")) -> Path:
    inv = tmp_path / "ministry"
    (inv / "group_vars" / "all").mkdir(parents=True)
    policy = (ROOT / "inventories/lab/group_vars/all/eoffice.yml").read_text()
    (inv / "group_vars/all/eoffice.yml").write_text(policy.replace(*policy_edit, 1) if policy_edit[0] else policy)
    vars_ = {"ansible_connection": "winrm", "ansible_host": ep.host, "ansible_port": ep.https_port,
             "ansible_user": ep.username, "ansible_password": password, "ansible_winrm_transport": "basic",
             "ansible_winrm_ca_trust_path": ep.ca_path,
             "windows_endpoint_vpn_approved_servers": {"nitb-s2s": ["vpn.ministry.example"]},
             "windows_endpoint_edr_profile": LAB_EDR}
    (inv / "group_vars/windows.yml").write_text(yaml.safe_dump(vars_) + extra)
    (inv / "hosts.yml").write_text("all:\n  children:\n    windows:\n      hosts:\n        pc-01:\n")
    return inv


def play(inv: Path, *extra: str) -> subprocess.CompletedProcess:
    env = os.environ | {"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
                        "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(inv / ".facts")}
    return subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inv), "playbooks/endpoints.yml",
                           *extra], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(("extra", "edit", "expected"), [
    ("windows_endpoint_vpn_extra_adapter_patterns: [{name: mine, pattern: 'TAP(['}]\n", ("", ""),
     "group_vars/windows.yml: windows_endpoint_vpn_extra_adapter_patterns[0].pattern is not a valid regular"),
    ("windows_endpoint_password_min_length: 8\n", ("", ""),
     "group_vars/windows.yml: windows_endpoint_password_min_length is 8; the advisory's minimum is 14"),
    ("", ("      expires: 2027-06-30\n", ""), "eoffice.approved_vpns[0]"),
], ids=["bad-regex", "short-password", "vpn-without-expiry"])
def test_bad_input_stops_the_run_before_the_endpoint_sees_a_request(tmp_path, extra, edit, expected):
    with endpoint(tmp_path, "i12cl-bad") as ep:
        before = ep.stats().get("http_requests", 0)
        result = play(inventory(tmp_path, ep, ep.password, extra, edit))
        assert result.returncode != 0
        assert expected in result.stdout + result.stderr
        assert ep.stats().get("http_requests", 0) == before


def test_check_diff_changes_nothing_then_converge_records_and_repeats_without_change(tmp_path):
    with endpoint(tmp_path, "i12cl-play", seed="tap_lockout") as ep:
        inv = inventory(tmp_path, ep, ep.password)
        before = state_bytes(ep)
        check = play(inv, "--check", "--diff", "-vvv")
        assert check.returncode == 0, check.stdout[-3000:]
        assert '"Ethernet 2": "Disabled"' in check.stdout  # the diff shows the TAP adapter going down
        assert state_bytes(ep) == before and ep.changes() == []
        token = next(p for p in LAB_EDR["properties"] if p.startswith("ENROLLMENT_TOKEN=")).split("=", 1)[1]
        assert ep.password not in check.stdout + check.stderr and token not in check.stdout + check.stderr
        first = play(inv, "-vvv")
        assert token not in first.stdout + first.stderr
        assert first.returncode == 0, first.stdout[-3000:]
        second = play(inv)
        assert second.returncode == 0 and "changed=0" in second.stdout
        cache = cache_loader.get("jsonfile", _uri=str(inv / ".facts"))  # as the reports read it
        record = cache.get("pc-01")["windows_endpoint_controls"]
        assert record["EO-VPN-1"]["compliant"] and record["EO-END-1"]["compliant"]


def test_a_wrong_password_is_one_line_and_never_printed(tmp_path):
    with endpoint(tmp_path, "i12cl-pw") as ep:
        result = play(inventory(tmp_path, ep, CANARY), "-vvv")
        assert result.returncode != 0
        text = " ".join(result.stdout.split())
        assert "pc-01: open a remote shell: the host refused the credentials of" in text and "(HTTP 401)" in text
        assert CANARY not in result.stdout + result.stderr
