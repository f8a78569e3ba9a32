"""pywinrm, unmodified, against the lab Windows endpoint: transports, authentication, certificate
validation, PowerShell errors, persistence and every fault knob as pywinrm sees it."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest
import requests
import spnego
import spnego.channel_bindings
import winrm
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError, WSManFaultError

from lab.windows import pki
from lab.windows.process import Endpoint

pytestmark = pytest.mark.integration

HTTP_PORT, HTTPS_PORT = 5901, 5902
FAULT_HTTP_PORT, FAULT_HTTPS_PORT = 5903, 5904


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    ep = Endpoint.start(tmp_path_factory.mktemp("windows"), "lab-win-test", HTTP_PORT, HTTPS_PORT,
                        seed="tap_wireguard")
    yield ep
    ep.stop()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    ep = Endpoint.start(tmp_path_factory.mktemp("windows-faults"), "lab-win-faults", FAULT_HTTP_PORT,
                        FAULT_HTTPS_PORT, seed="tap_wireguard", faults={"refuse_auth": True})
    yield ep
    ep.stop()


def https(ep: Endpoint, password: str | None = None, **options) -> winrm.Session:
    return winrm.Session(ep.https_url, auth=(ep.username, password or ep.password), transport="basic",
                         server_cert_validation="validate", ca_trust_path=ep.ca_path, **options)


def http_ntlm(ep: Endpoint, password: str | None = None) -> winrm.Session:
    return winrm.Session(ep.http_url, auth=(ep.username, password or ep.password), transport="ntlm",
                         message_encryption="always")


def adapter(ep: Endpoint, name: str) -> dict:
    return next(a for a in ep.state()["adapters"] if a["Name"] == name)


def test_ntlm_with_message_encryption_over_http(endpoint):
    result = http_ntlm(endpoint).run_ps("Get-NetAdapter -Name 'wg-home' | Select-Object Name, "
                                        "InterfaceDescription, Status | ConvertTo-Json -Compress")
    assert result.status_code == 0, result.std_err
    assert json.loads(result.std_out) == {"Name": "wg-home", "InterfaceDescription": "WireGuard Tunnel",
                                          "Status": "Up"}


def test_http_refuses_unencrypted_messages(endpoint):
    session = winrm.Session(endpoint.http_url, auth=(endpoint.username, endpoint.password), transport="ntlm",
                            message_encryption="never")
    with pytest.raises(InvalidCredentialsError):
        session.run_ps("'x'")


def test_basic_over_https_validates_the_lab_ca(endpoint):
    result = https(endpoint).run_cmd("hostname")
    assert result.status_code == 0 and result.std_out == b"LAB-WIN-TEST\r\n"


def test_a_certificate_from_another_ca_is_refused(endpoint, tmp_path):
    other_ca, _ = pki.ensure_ca(tmp_path / "other-ca")
    session = winrm.Session(endpoint.https_url, auth=(endpoint.username, endpoint.password), transport="basic",
                            server_cert_validation="validate", ca_trust_path=str(other_ca))
    with pytest.raises(requests.exceptions.SSLError):
        session.run_cmd("hostname")


def test_ntlm_over_https_with_channel_binding(endpoint):
    session = winrm.Session(endpoint.https_url, auth=(endpoint.username, endpoint.password), transport="ntlm",
                            server_cert_validation="validate", ca_trust_path=endpoint.ca_path)
    assert session.run_ps("$env:COMPUTERNAME").std_out == b"LAB-WIN-TEST\r\n"


def test_basic_is_refused_over_http(endpoint):
    session = winrm.Session(endpoint.http_url, auth=(endpoint.username, endpoint.password), transport="basic")
    with pytest.raises(InvalidCredentialsError):
        session.run_cmd("hostname")


@pytest.mark.parametrize("connect", [https, http_ntlm], ids=["basic-https", "ntlm-http"])
def test_wrong_password_is_401(endpoint, connect):
    with pytest.raises(InvalidCredentialsError):
        connect(endpoint, password="not-the-password").run_cmd("hostname")


def test_unknown_cmdlet_and_parameter_fail_as_powershell(endpoint):
    unknown = https(endpoint).run_ps("Get-NetAdaptr")
    assert unknown.status_code == 1
    assert unknown.std_err.startswith(b"Get-NetAdaptr : The term 'Get-NetAdaptr' is not recognized as the name of "
                                      b"a cmdlet, function, script file, or operable program.")
    parameter = https(endpoint).run_ps("Disable-NetAdapter -Nmae 'wg-home' -Confirm:$false")
    assert parameter.status_code == 1
    assert b"A parameter cannot be found that matches parameter name 'Nmae'." in parameter.std_err
    assert adapter(endpoint, "wg-home")["Status"] == "Up"


def test_parse_error_is_a_parser_error(endpoint):
    result = https(endpoint).run_ps("if ($true) {\n 'unclosed'\n")
    assert result.status_code == 1 and result.std_out == b""
    assert b"ParserError" in result.std_err


def test_script_on_stdin_as_ansible_sends_it(endpoint):
    """``powershell -EncodedCommand <bootstrap>`` with the script sent by the Send operation."""
    protocol = https(endpoint).protocol
    bootstrap = "$s = $input | Out-String; & ([scriptblock]::Create($s))"
    shell = protocol.open_shell(codepage=65001)
    command = protocol.run_command(shell, "powershell.exe -NoProfile -NonInteractive -EncodedCommand "
                                   + base64.b64encode(bootstrap.encode("utf-16-le")).decode())
    protocol.send_command_input(shell, command, b"$n = @(Get-VpnConnection -AllUserConnection).Count\r\n"
                                               b"\"profiles=$n\"\r\n", end=True)
    stdout, stderr, code = protocol.get_command_output(shell, command)
    protocol.cleanup_command(shell, command)
    protocol.close_shell(shell)
    assert (stdout, stderr, code) == (b"profiles=1\r\n", b"", 0)


def test_reads_send_no_change_command_and_changes_are_logged(endpoint):
    before = len(endpoint.command_log())
    https(endpoint).run_ps("Get-NetAdapter | Out-Null; Get-MpComputerStatus | Out-Null")
    reads = endpoint.command_log()[before:]
    assert {e["command"] for e in reads} == {"Get-NetAdapter", "Get-MpComputerStatus", "Out-Null"}
    assert all(e["kind"] == "read" for e in reads)
    https(endpoint).run_ps("Disable-NetAdapter -Name 'Ethernet 2' -Confirm:$false")
    assert endpoint.changes()[-1]["command"] == "Disable-NetAdapter"
    assert endpoint.stats()["powershell_invocations"] >= 2


def test_state_persists_across_a_restart(endpoint):
    https(endpoint).run_ps("Remove-VpnConnection -Name 'Ministry-VPN' -AllUserConnection -Force")
    endpoint.restart()
    result = http_ntlm(endpoint).run_ps("@(Get-VpnConnection -AllUserConnection).Count")
    assert result.std_out == b"0\r\n"


def test_disabling_the_management_adapter_cuts_the_session(tmp_path):
    ep = Endpoint.start(tmp_path, "lab-win-cut", None, 5905, seed="plain")
    try:
        with pytest.raises(requests.exceptions.ConnectionError):  # the clean-up requests find no network
            https(ep).run_ps("Disable-NetAdapter -Name 'Ethernet0' -Confirm:$false")
        assert adapter(ep, "Ethernet0")["Status"] == "Disabled"
        with pytest.raises(requests.exceptions.ConnectionError):
            https(ep).run_cmd("hostname")
    finally:
        ep.stop()


def test_unknown_shell_is_the_windows_fault(endpoint):
    protocol = https(endpoint).protocol
    with pytest.raises(WSManFaultError) as raised:
        protocol.run_command("6B1D2C3E-0000-4000-8000-000000000000", "hostname")
    assert raised.value.code == 500 and raised.value.wsman_fault_code == 2150858843
    assert raised.value.fault_subcode == "w:InvalidSelectors"


def test_refused_auth_until_cleared_from_the_command_line(faulty):
    with pytest.raises(InvalidCredentialsError):
        https(faulty).run_cmd("hostname")
    subprocess.run([sys.executable, "-m", "lab.windows", "--state-dir", str(faulty.state_dir), "fault", faulty.name,
                    "--clear"], check=True, capture_output=True)
    assert https(faulty).run_cmd("hostname").status_code == 0


def test_http_500_on_the_nth_request(faulty):
    faulty.set_faults(http_500_on=2)  # open shell is request 1, the command request 2
    with pytest.raises(WSManFaultError) as raised:
        https(faulty).run_cmd("hostname")
    assert raised.value.code == 500 and "internal error" in raised.value.reason
    assert https(faulty).run_cmd("hostname").status_code == 0  # the 500 was a one-off


def test_slow_command_answers_operation_timeout(faulty):
    faulty.set_faults(slow_command=2.5)
    protocol = winrm.Protocol(faulty.https_url, transport="basic", username=faulty.username,
                              password=faulty.password, ca_trust_path=faulty.ca_path,
                              operation_timeout_sec=1, read_timeout_sec=5)
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "powershell -encodedcommand " + base64.b64encode(
        "'slow'".encode("utf-16-le")).decode())
    with pytest.raises(WinRMOperationTimeoutError):
        protocol.get_command_output_raw(shell, command)
    stdout, _, code = protocol.get_command_output(shell, command)  # pywinrm retries until done
    assert (stdout, code) == (b"slow\r\n", 0)
    protocol.close_shell(shell)
    faulty.set_faults()


def test_stuck_adapter_stays_up(faulty):
    faulty.set_faults(stuck_adapter="wg-home")
    result = https(faulty).run_ps("$ErrorActionPreference = 'Stop'; Disable-NetAdapter -Name 'wg-home' "
                                  "-Confirm:$false; 'not reached'")
    assert result.status_code == 1 and b"not reached" not in result.std_out
    assert b"refused" in result.std_err
    assert adapter(faulty, "wg-home")["Status"] == "Up"
    faulty.set_faults()


def test_ntlm_over_https_refuses_a_channel_binding_for_another_certificate(endpoint):
    """Extended Protection: an NTLM logon relayed through another TLS server names another certificate."""
    other = spnego.channel_bindings.GssChannelBindings(application_data=b"tls-server-end-point:" + b"\0" * 32)
    client = spnego.client(endpoint.username, endpoint.password, protocol="ntlm", channel_bindings=other,
                           hostname="127.0.0.1", service="http")
    with requests.Session() as http:

        def post(token: bytes) -> requests.Response:
            return http.post(endpoint.https_url, data=b"", verify=endpoint.ca_path, headers={
                "Authorization": "Negotiate " + base64.b64encode(token).decode(), "Connection": "Keep-Alive"})

        challenge = post(client.step()).headers["WWW-Authenticate"].split(" ", 1)[1]
        assert post(client.step(base64.b64decode(challenge))).status_code == 401


def test_ntlm_over_https_without_channel_binding_is_accepted_as_windows_relaxed(endpoint):
    session = winrm.Session(endpoint.https_url, auth=(endpoint.username, endpoint.password), transport="ntlm",
                            server_cert_validation="validate", ca_trust_path=endpoint.ca_path, send_cbt=False)
    assert session.run_cmd("hostname").status_code == 0


def test_a_command_line_longer_than_cmd_allows_fails_as_on_windows(endpoint):
    """pywinrm's run_ps sends the script in the command line; cmd.exe stops at 8191 characters."""
    result = https(endpoint).run_ps("'" + "x" * 4000 + "'")
    assert (result.status_code, result.std_err) == (1, b"The command line is too long.\r\n")


def test_shells_per_user_are_limited_as_winrm_does(endpoint):
    protocol = https(endpoint).protocol
    shells = [protocol.open_shell() for _ in range(30)]
    try:
        with pytest.raises(WSManFaultError) as raised:
            protocol.open_shell()
        assert "maximum number of 30 concurrent shells" in raised.value.reason
    finally:
        for shell in shells:
            protocol.close_shell(shell, close_session=False)
    protocol.close_shell(protocol.open_shell())
