"""What a fleet of lab Windows endpoints costs and how fast one answers pywinrm (figures, not targets).

Starts its own fifty endpoints on free ports in a temporary state directory, so it runs next to a lab
that is already up; prints the start time, the memory of the fleet, and the time of one PowerShell
invocation (an audit-sized read) over HTTPS with Basic and over HTTP with NTLM and message encryption.
Run from the project root: ``.venv/bin/python bench/bench_lab_windows.py``.
"""

from __future__ import annotations

import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import winrm

from lab.windows import process
from lab.windows.fleet import SEED_ROTATION, WinEndpoint

FLEET = 50
ROUNDS = 20
AUDIT = """
$a = @(Get-NetAdapter -IncludeHidden | Select-Object Name, InterfaceDescription, Status)
$v = @(Get-VpnConnection) + @(Get-VpnConnection -AllUserConnection)
$k = @(Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*')
$f = New-TemporaryFile
secedit /export /cfg $f.FullName /areas securitypolicy /quiet
$p = Get-Content -Path $f.FullName
Remove-Item -Path $f.FullName -Force
[ordered]@{ adapters = $a; vpn = $v; keys = $k.Count; policy = $p; mp = Get-MpComputerStatus } |
    ConvertTo-Json -Depth 4 -Compress
"""


def free_ports(count: int) -> list[int]:
    """Distinct free ports (the probes stay open until all are chosen, so none is handed out twice)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def rss_mb(state_dir: Path, names: list[str]) -> float:
    total = 0
    for name in names:
        pid = process.running_pid(state_dir, name)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def timed(session: winrm.Session) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = session.run_ps(AUDIT)
        times.append(time.perf_counter() - start)
        assert result.status_code == 0, result.std_err
    return times


def main() -> int:
    state_dir = Path(tempfile.mkdtemp(prefix="bench-windows-"))
    ports = free_ports(2 * FLEET)
    endpoints = [WinEndpoint(f"bench-win-{i:02d}", i, ports[2 * i - 2], ports[2 * i - 1]) for i in range(1, FLEET + 1)]
    start = time.perf_counter()
    try:
        for endpoint in endpoints:
            process.spawn(endpoint.name, state_dir, endpoint.http_port, endpoint.https_port,
                          SEED_ROTATION[(endpoint.index - 1) % len(SEED_ROTATION)], endpoint.ipv4)
        process.wait_listening([(e.name, [e.http_port, e.https_port]) for e in endpoints], state_dir, 120)
        started = time.perf_counter() - start
        first = endpoints[0]
        ca = str(process.ca_path(state_dir))
        https = winrm.Session(f"https://127.0.0.1:{first.https_port}/wsman", auth=(first.username, first.password),
                              transport="basic", server_cert_validation="validate", ca_trust_path=ca)
        ntlm = winrm.Session(f"http://127.0.0.1:{first.http_port}/wsman", auth=(first.username, first.password),
                             transport="ntlm", message_encryption="always")
        print(f"{FLEET} endpoints listening after {started:.1f} s, "
              f"{rss_mb(state_dir, [e.name for e in endpoints]):.0f} MB resident in all")
        for label, session in (("HTTPS Basic", https), ("HTTP NTLM sealed", ntlm)):
            times = timed(session)
            print(f"audit-sized run_ps over {label}: median {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms ({ROUNDS} runs, 5 WS-Man requests each)")
    finally:
        for endpoint in endpoints:
            process.stop(endpoint.name, state_dir)
        shutil.rmtree(state_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
