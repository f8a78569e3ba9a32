"""``python -m lab up|status|down`` runs the lab Windows endpoints with the rest of the lab, each on
its own ports and state, reachable as the lab inventory describes them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import winrm

from lab.windows import process
from lab.windows.fleet import PASSWORD, USERNAME

pytestmark = pytest.mark.integration

# ports of their own, so a running lab (15981…, 16981…) is left alone
ENV = dict(os.environ, EOFFICE_LAB_WINRM_HTTP_BASE_PORT="5910", EOFFICE_LAB_WINRM_HTTPS_BASE_PORT="5940")
DEVICES = "lab-win-01,lab-win-03"


def lab(command: str, state_dir) -> str:
    result = subprocess.run([sys.executable, "-m", "lab", command, "--devices", DEVICES, "--state-dir",
                             str(state_dir)], env=ENV, capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


def test_up_status_down(tmp_path):
    try:
        table = lab("up", tmp_path)
        rows = {line.split()[0]: line for line in table.splitlines()[1:]}
        assert "windows (https, basic)" in rows["lab-win-01"] and "5941" in rows["lab-win-01"]
        assert "windows (http, ntlm)" in rows["lab-win-03"] and "5913" in rows["lab-win-03"]
        assert all(line.rstrip().endswith("running") for line in rows.values())
        ca = process.ca_path(tmp_path)
        https = winrm.Session("https://127.0.0.1:5941/wsman", auth=(USERNAME, PASSWORD), transport="basic",
                              server_cert_validation="validate", ca_trust_path=str(ca))
        assert https.run_ps("(Get-NetAdapter -Name 'Ethernet 2').InterfaceDescription").std_out == \
            b"TAP-Windows Adapter V9\r\n"
        ntlm = winrm.Session("http://127.0.0.1:5913/wsman", auth=(USERNAME, PASSWORD), transport="ntlm",
                             message_encryption="always")
        assert ntlm.run_ps("(Get-Service -Name LabEdrAgent).Status").std_out == b"Stopped\r\n"
        assert lab("up", tmp_path) == table  # safe to re-run
    finally:
        table = lab("down", tmp_path)
    assert all(line.rstrip().endswith("stopped") for line in table.splitlines()[1:])
    assert (tmp_path / "windows" / "lab-win-01" / "state.json").exists()


def test_endpoints_started_together_share_one_ca(tmp_path):
    """A fresh state folder: every HTTPS endpoint's certificate verifies against the one lab CA."""
    env = dict(ENV, EOFFICE_LAB_WINRM_HTTP_BASE_PORT="5970", EOFFICE_LAB_WINRM_HTTPS_BASE_PORT="5980")
    command = [sys.executable, "-m", "lab.windows", "--state-dir", str(tmp_path)]
    subprocess.run([*command, "up", "--count", "5"], env=env, check=True, capture_output=True, timeout=60)
    try:
        ca = str(process.ca_path(tmp_path))
        for port in (5981, 5982, 5984, 5985):
            session = winrm.Session(f"https://127.0.0.1:{port}/wsman", auth=(USERNAME, PASSWORD),
                                    transport="basic", server_cert_validation="validate", ca_trust_path=ca)
            assert session.run_cmd("hostname").status_code == 0
    finally:
        subprocess.run([*command, "down", "--count", "5"], env=env, check=True, capture_output=True, timeout=60)
