"""Bad vpn_ban / host_firewall input stops the run before any host is contacted, naming file and key path."""

import subprocess
from pathlib import Path

import pytest

from tests.integration.test_validate_playbook import HOSTS, POLICY, ROOT

SERVER = HOSTS + """\
    eoffice_servers:
      hosts:
        unreachable-host:
"""


def run_validate(tmp_path: Path, host_vars: str) -> tuple[Path, subprocess.CompletedProcess]:
    inventory = tmp_path / "ministry"
    (inventory / "group_vars/all").mkdir(parents=True)
    (inventory / "host_vars").mkdir()
    (inventory / "hosts.yml").write_text(SERVER)
    (inventory / POLICY).write_text((ROOT / "inventories/lab" / POLICY).read_text())
    (inventory / "host_vars/unreachable-host.yml").write_text(host_vars)
    result = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inventory), "playbooks/endpoints.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    return inventory / "host_vars/unreachable-host.yml", result


GOOD = 'eoffice_host_addresses: [10.10.5.3]\n'


@pytest.mark.parametrize(
    ("host_vars", "key_path", "reason"),
    [
        (GOOD + "vpn_ban_approved_vpns: [{name: home, protocols: [openvpn]}]\n",
         "vpn_ban_approved_vpns[0].expires", "has no expiry date"),
        (GOOD + 'vpn_ban_approved_adapters: ["corp[0-9"]\n',
         "vpn_ban_approved_adapters[0]", "not a valid regular expression"),
        ("eoffice_host_addresses: [10.20.1.15]\n",
         "eoffice_host_addresses[0]", "not in the policy's e-Office network lab-eoffice"),
    ],
    ids=["vpn-without-expiry", "bad-interface-regex", "server-outside-eoffice"],
)
def test_bad_role_input_stops_the_run_before_any_host(tmp_path, host_vars, key_path, reason):
    path, result = run_validate(tmp_path, host_vars)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{path}: {key_path}: " in output, output[-2000:]
    assert reason in output
    assert "UNREACHABLE" not in output, "a host was contacted despite the invalid input"
