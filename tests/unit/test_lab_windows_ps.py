"""The lab Windows endpoint's PowerShell: the language subset, the cmdlets against the host model,
and errors as Windows PowerShell 5.1 prints them. In-process (no WinRM); the integration tests drive
the same code through pywinrm."""

from __future__ import annotations

import base64
import json
import re

import pytest

from lab.windows import runner, seeds
from lab.windows.faults import WinFaultSettings
from lab.windows.host import HostState


@pytest.fixture
def host(tmp_path):
    return HostState.load_or_seed(tmp_path / "state.json", "tap_wireguard", "lab-win-01", "10.40.0.11")


def run(host, script: str, faults: WinFaultSettings | None = None, stdin: str | None = None) -> runner.Outcome:
    if stdin is not None:
        bootstrap = "$s = $input | Out-String; & ([scriptblock]::Create($s))"
        line = "powershell.exe -NoProfile -NonInteractive -EncodedCommand " + \
            base64.b64encode(bootstrap.encode("utf-16-le")).decode()
        return runner.run(host, lambda: faults or WinFaultSettings(), line, stdin.encode(), 65001)
    line = "powershell -encodedcommand " + base64.b64encode(script.encode("utf-16-le")).decode()
    return runner.run(host, lambda: faults or WinFaultSettings(), line, b"", 65001)


def out(outcome: runner.Outcome) -> str:
    assert outcome.exit_code == 0, outcome.stderr.decode()
    return outcome.stdout.decode().strip()


def errors(outcome: runner.Outcome) -> str:
    """stderr as pywinrm's run_ps shows it: the CLIXML <S> lines joined."""
    assert outcome.stderr.startswith(b"#< CLIXML\r\n")
    texts = re.findall(r'<S S="Error">(.*?)</S>', outcome.stderr.decode())
    return "".join(t.replace("_x000D__x000A_", "\n") for t in texts)


def test_language_subset(host):
    script = r"""
$ErrorActionPreference = 'Stop'
$x = @(1,2,3) | Where-Object { $_ -gt 1 } | ForEach-Object { $_ * 10 }
$h = [ordered]@{ a = 1; b = 'it''s' }
$h.c = "n=$($x.Count) $($x[0])`t!"
if ('TAP-Windows Adapter V9' -match 'TAP-(\w+)') { $h.m = $Matches[1] } else { $h.m = $null }
try { throw 'boom' } catch { $h.caught = $_.Exception.Message } finally { $h.fin = $true }
function Add-Two {
    param($A, $B = 5)
    return $A + $B
}
$h.sum = @((Add-Two 1), (Add-Two -A 2 -B 3))
foreach ($i in 1..4) { if ($i -eq 2) { continue }; if ($i -eq 4) { break }; $h["i$i"] = $i -like '[13]' }
$splat = @{ Depth = 3; Compress = $true }
[pscustomobject]$h | ConvertTo-Json @splat
"""
    data = json.loads(out(run(host, script)))
    assert data == {"a": 1, "b": "it's", "c": "n=2 20\t!", "m": "Windows", "caught": "boom", "fin": True,
                    "sum": [6, 5], "i1": True, "i3": True}


def test_convert_to_json_is_windows_powershell_51(host):
    script = "[ordered]@{ q = \"a'b<c>&\"; d = [datetime]'2026-01-02T03:04:05'; n = $null } | ConvertTo-Json"
    text = out(run(host, script))
    assert text == ('{\r\n    "q":  "a\\u0027b\\u003cc\\u003e\\u0026",\r\n    "d":  "\\/Date(1767323045000)\\/",'
                    '\r\n    "n":  null\r\n}')
    # deeper than -Depth: the object's string
    assert out(run(host, "@{ a = @{ b = @{ c = 1 } } } | ConvertTo-Json -Compress -Depth 1")) == \
        '{"a":{"b":"System.Collections.Hashtable"}}'


def test_unknown_cmdlet_fails_as_powershell_does(host):
    outcome = run(host, "Get-NetAdaptor")
    assert outcome.exit_code == 1
    text = errors(outcome)
    assert text.startswith("Get-NetAdaptor : The term 'Get-NetAdaptor' is not recognized as the name of a cmdlet, "
                           "function, script file, or operable program.")
    assert "CommandNotFoundException" in text and "At line:1 char:1" in text


def test_unknown_parameter_fails_as_powershell_does(host):
    outcome = run(host, "Get-NetAdapter -Nmae 'x'")
    text = errors(outcome)
    assert "A parameter cannot be found that matches parameter name 'Nmae'." in text
    assert "NamedParameterNotFound,Get-NetAdapter" in text
    assert outcome.exit_code == 1


def test_parameter_prefix_and_ambiguity(host):
    assert out(run(host, "@{a=1} | ConvertTo-Json -Comp")) == '{"a":1}'
    assert "is ambiguous" in errors(run(host, "Get-NetAdapter -In 'x'"))


def test_parse_error_is_parser_error(host):
    outcome = run(host, "if ($true) {\n  'x'\n")
    assert outcome.exit_code == 1 and outcome.stdout == b""
    assert "ParserError" in errors(outcome)
    created = run(host, "", stdin="$x = @{ a = \n")
    assert "Exception calling \"Create\" with \"1\" argument(s)" in errors(created)
    assert "ParseException" in errors(created)


def test_script_on_stdin_with_bootstrap(host):
    assert out(run(host, "", stdin="$a = 2\n$a * 21\n")) == "42"


def test_non_terminating_error_and_error_action(host):
    outcome = run(host, "Get-Service -Name nope; 'after'")
    assert out_ignoring_errors(outcome) == "after"
    assert "Cannot find any service with service name 'nope'." in errors(outcome)
    assert out(run(host, "Get-Service -Name nope -ErrorAction SilentlyContinue; 'quiet'")) == "quiet"
    stopped = run(host, "$ErrorActionPreference = 'Stop'; Get-Service -Name nope; 'not reached'")
    assert stopped.exit_code == 1 and b"not reached" not in stopped.stdout


def out_ignoring_errors(outcome: runner.Outcome) -> str:
    return outcome.stdout.decode().strip()


def test_adapters_disable_and_log(host):
    outcome = run(host, "Disable-NetAdapter -Name 'wg-home' -Confirm:$false; (Get-NetAdapter -Name 'wg-home').Status")
    assert out(outcome) == "Disabled"
    assert ("Disable-NetAdapter", "change") in [(c[0], c[1]) for c in outcome.commands]
    assert out(run(host, "Enable-NetAdapter -Name 'wg-home' -Confirm:$false; (Get-NetAdapter -Name wg-home).Status")) \
        == "Up"
    hidden = json.loads(out(run(host, "@(Get-NetAdapter -IncludeHidden | Select-Object -ExpandProperty Name) | "
                                      "ConvertTo-Json -Compress")))
    assert "WAN Miniport (IKEv2)" in hidden
    assert "WAN Miniport (IKEv2)" not in out(run(host, "Get-NetAdapter | Select-Object -ExpandProperty Name"))


def test_stuck_adapter_fault(host):
    outcome = run(host, "Disable-NetAdapter -Name 'Ethernet 2' -Confirm:$false",
                  WinFaultSettings(stuck_adapter="Ethernet 2"))
    assert outcome.exit_code == 1
    assert "the device driver refused" in errors(outcome)
    assert next(a for a in host.adapters if a["Name"] == "Ethernet 2")["Status"] != "Disabled"


def test_vpn_profiles(host):
    # ConvertTo-Json -InputObject keeps a one-element array an array (piping would unroll it)
    listed = json.loads(out(run(host, "ConvertTo-Json -Compress -InputObject @(Get-VpnConnection -AllUserConnection)")))
    assert [p["Name"] for p in listed] == ["Ministry-VPN"] and listed[0]["TunnelType"] == "Ikev2"
    assert out(run(host, "@(Get-VpnConnection).Count")) == "0"
    refused = run(host, "Remove-VpnConnection -Name Ministry-VPN -AllUserConnection")
    assert "NonInteractive mode" in errors(refused)
    assert out(run(host, "Remove-VpnConnection -Name Ministry-VPN -AllUserConnection -Force; "
                         "@(Get-VpnConnection -AllUserConnection).Count")) == "0"
    assert "VPN connection Ministry-VPN cannot be found." in errors(run(host, "Get-VpnConnection -Name Ministry-VPN"))


def test_uninstall_keys(host):
    script = ("ConvertTo-Json -Compress -InputObject @(Get-ItemProperty -Path "
              "'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*' | "
              "Where-Object { $_.DisplayName -like 'OpenVPN*' } | Select-Object PSChildName, DisplayName, "
              "WindowsInstaller)")
    assert json.loads(out(run(host, script))) == [{"PSChildName": seeds.OPENVPN_CODE,
                                                   "DisplayName": "OpenVPN 2.6.12-I001 amd64", "WindowsInstaller": 1}]


def test_secedit_round_trip(host):
    exported = out(run(host, "secedit /export /cfg C:\\Windows\\Temp\\p.inf /areas SECURITYPOLICY /quiet; "
                             "$LASTEXITCODE; Get-Content C:\\Windows\\Temp\\p.inf"))
    lines = exported.split("\r\n")
    assert lines[0] == "0" and lines[1:4] == ["[Unicode]", "Unicode=yes", "[System Access]"]
    assert "MinimumPasswordLength = 7" in lines and not any(line.startswith("LockoutDuration") for line in lines)
    script = r"""
$inf = "[Unicode]`r`nUnicode=yes`r`n[System Access]`r`nMinimumPasswordLength = 14`r`nLockoutBadCount = 5`r`n" +
       "LockoutDuration = 15`r`nResetLockoutCount = 15`r`n[Version]`r`nsignature=`"`$CHICAGO`$`"`r`nRevision=1"
Set-Content -Path "$env:TEMP\eo.inf" -Value $inf -Encoding Unicode
secedit /configure /db "$env:TEMP\eo.sdb" /cfg "$env:TEMP\eo.inf" /areas SECURITYPOLICY /quiet
$LASTEXITCODE
"""
    configured = run(host, script)
    assert out(configured) == "0"
    assert ("secedit", "change") in [(c[0], c[1]) for c in configured.commands]
    policy = host.data["security_policy"]
    assert (policy["MinimumPasswordLength"], policy["LockoutBadCount"], policy["LockoutDuration"]) == (14, 5, 15)
    bad_area = run(host, "secedit /export /cfg x.inf /areas SECURITY_POLICY /quiet; $LASTEXITCODE")
    assert out_ignoring_errors(bad_area).endswith("87")


def test_secedit_skips_out_of_range_values(host):
    script = ("Set-Content -Path x.inf -Value \"[System Access]`r`nMinimumPasswordLength = 30\"; "
              "secedit /configure /db x.sdb /cfg x.inf /quiet; $LASTEXITCODE")
    assert out_ignoring_errors(run(host, script)) == "3"
    assert host.data["security_policy"]["MinimumPasswordLength"] == 7


def test_defender_update_from_internal_source(host):
    status = json.loads(out(run(host, "Get-MpComputerStatus | Select-Object AntivirusSignatureAge, "
                                      "RealTimeProtectionEnabled | ConvertTo-Json -Compress")))
    assert status == {"AntivirusSignatureAge": 12, "RealTimeProtectionEnabled": True}
    failed = run(host, "Update-MpSignature -UpdateSource MicrosoftUpdateServer")
    assert "completed with errors" in errors(failed)
    assert out(run(host, "Update-MpSignature -UpdateSource InternalDefinitionUpdateServer; "
                         "(Get-MpComputerStatus).AntivirusSignatureAge")) == "0"
    assert "Cannot bind parameter 'UpdateSource'" in errors(run(host, "Update-MpSignature -UpdateSource Nope"))


def test_stale_internal_source_leaves_signatures_old(tmp_path):
    host = HostState.load_or_seed(tmp_path / "s.json", "wireguard_profiles", "lab-win-02", "10.40.0.12")
    assert out(run(host, "Update-MpSignature -UpdateSource InternalDefinitionUpdateServer; "
                         "(Get-MpComputerStatus).AntivirusSignatureAge")) == "8"
    assert out(run(host, "Set-MpPreference -DisableRealtimeMonitoring $false; "
                         "(Get-MpComputerStatus).RealTimeProtectionEnabled")) == "True"


def test_msi_install_registers_key_service_and_enrolment(host):
    script = rf"""
$p = Start-Process -FilePath 'msiexec.exe' -ArgumentList @('/i', '{seeds.EDR_MSI}', '/qn', '/norestart',
     'ENROLLMENT_TOKEN=lab-enrol-7f3a9c', 'TENANT_ID=t1') -Wait -PassThru
$s = Get-Service -Name LabEdrAgent
$e = Get-ItemProperty -Path '{seeds.EDR_STATUS_KEY}' -Name EnrollmentId
[ordered]@{{ code = $p.ExitCode; status = [string]$s.Status; start = [string]$s.StartType
   enrolled = [bool]$e.EnrollmentId }} | ConvertTo-Json -Compress
"""
    assert json.loads(out(run(host, script))) == {"code": 0, "status": "Running", "start": "Automatic",
                                                  "enrolled": True}
    assert seeds.EDR_PRODUCT_CODE in host.data["uninstall"]["native"]
    status = out(run(host, "& 'C:\\Program Files\\LabEDR\\labedrctl.exe' status; $LASTEXITCODE")).split("\r\n")
    assert "Enrolled: yes" in status and status[-1] == "0"


def test_msi_bad_token_and_missing_package(host):
    bad = (f"(Start-Process msiexec.exe -ArgumentList '/i','{seeds.EDR_MSI}','/qn','ENROLLMENT_TOKEN=x' -Wait "
           "-PassThru).ExitCode")
    assert out(run(host, bad)) == "1603"
    missing = "(Start-Process msiexec.exe -ArgumentList '/i','\\\\labfs\\nope.msi','/qn' -Wait -PassThru).ExitCode"
    assert out(run(host, missing)) == "1619"
    assert seeds.EDR_PRODUCT_CODE not in host.data["uninstall"]["native"]


def test_services_and_cim(host):
    assert out(run(host, "Set-Service -Name wuauserv -StartupType Automatic; Start-Service -Name wuauserv; "
                         "$s = Get-Service wuauserv; \"$($s.Status) $($s.StartType)\"")) == "Running Automatic"
    assert "Cannot bind parameter 'StartupType'" in errors(run(host, "Set-Service -Name wuauserv -StartupType Auto"))
    computer = json.loads(out(run(host, "Get-CimInstance -ClassName Win32_ComputerSystem | Select-Object "
                                        "PartOfDomain, Domain | ConvertTo-Json -Compress")))
    assert computer == {"PartOfDomain": False, "Domain": "WORKGROUP"}


def test_whatif_changes_nothing_and_logs_a_read(host):
    outcome = run(host, "Disable-NetAdapter -Name 'wg-home' -WhatIf")
    assert outcome.exit_code == 0 and b"What if:" in outcome.stdout
    assert [c[1] for c in outcome.commands] == ["read"]
    assert next(a for a in host.adapters if a["Name"] == "wg-home")["Status"] == "Up"


def test_state_survives_reload(host, tmp_path):
    run(host, "Disable-NetAdapter -Name 'Ethernet 2' -Confirm:$false")
    again = HostState.load_or_seed(tmp_path / "state.json", "plain", "other", "10.0.0.1")
    assert next(a for a in again.adapters if a["Name"] == "Ethernet 2")["Status"] == "Disabled"


def test_hidden_wan_miniports_change_like_any_adapter(host):
    assert out(run(host, "Disable-NetAdapter -Name 'WAN Miniport (L2TP)' -IncludeHidden -Confirm:$false; 'done'")) \
        == "done"
    status = out(run(host, "(Get-NetAdapter -Name 'WAN Miniport (L2TP)' -IncludeHidden).Status"))
    assert status == "Disabled"
    hidden_without_switch = run(host, "Get-NetAdapter -Name 'WAN Miniport (L2TP)'")
    assert "No MSFT_NetAdapter objects found with property 'Name' equal to 'WAN Miniport (L2TP)'" in errors(
        hidden_without_switch)


def test_disable_without_confirm_false_cannot_prompt(host):
    """Disable-NetAdapter asks for confirmation (ConfirmImpact High); over WinRM nobody can answer."""
    outcome = run(host, "Disable-NetAdapter -Name 'wg-home'")
    assert "PowerShell is in NonInteractive mode." in errors(outcome)
    assert next(a for a in host.adapters if a["Name"] == "wg-home")["Status"] == "Up"


def test_switch_statement(host):
    script = """
$out = foreach ($name in @('TAP-Windows Adapter V9', 'Intel(R) Ethernet', 'WireGuard Tunnel')) {
    switch -Wildcard ($name) {
        'TAP-*' { 'tap' }
        '*WireGuard*' { 'wireguard' }
        default { 'other' }
    }
}
$out -join ','
switch (3) {
    { $_ -gt 2 } { 'big'; break }
    3 { 'three' }
}
"""
    assert out(run(host, script)).split("\r\n") == ["tap,other,wireguard", "big"]


def test_output_before_a_jump_or_an_error_is_kept(host):
    script = """
function F { 'first'; return 'second' }
F
foreach ($i in 1..3) { "loop $i"; if ($i -eq 2) { break } }
try { 'in try'; throw 'oops' } catch { 'caught' }
'last'; throw 'stop'
"""
    outcome = run(host, script)
    assert outcome.stdout.decode().split("\r\n")[:-1] == ["first", "second", "loop 1", "loop 2", "in try",
                                                          "caught", "last"]
    assert outcome.exit_code == 1 and "stop" in errors(outcome)


def test_registry_child_items_and_their_values(host):
    script = r"""
$keys = Get-ChildItem -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
$names = @($keys | ForEach-Object { $_.GetValue('DisplayName') } | Sort-Object)
$viaPipe = @($keys | Get-ItemProperty | Where-Object { $_.Publisher -eq 'OpenVPN, Inc.' })
"$($names -join '|') @ $($viaPipe[0].PSChildName)"
"""
    assert out(run(host, script)) == ("Office 16 Click-to-Run Extensibility Component|OpenVPN 2.6.12-I001 amd64|"
                                      f"WireGuard @ {seeds.OPENVPN_CODE}")


def test_host_identity(host):
    text = out(run(host, "\"$($PSVersionTable.PSVersion.Major) $([Environment]::MachineName) $env:COMPUTERNAME\""))
    assert text == "5 LAB-WIN-01 LAB-WIN-01"
