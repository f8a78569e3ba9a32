"""Twenty lab firewalls at once through ``python -m lab up|status|down``, all reachable by netmiko."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from lab.firewalls.fleet import device
from tests.integration.lab_firewalls_support import connect

pytestmark = pytest.mark.integration
FLEET = 20
FIRST_WORDS = {"fortios": "show system console", "panos": "show system info", "asa": "show curpriv"}


def free_port_range(size: int) -> int:
    """A base port whose next ``size`` ports are all free."""
    for _ in range(50):
        base = random.randrange(20000, 30000)
        try:
            probes = []
            for port in range(base + 1, base + size + 1):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError("no free port range")


def lab_cli(command, names, env):
    result = subprocess.run([sys.executable, "-m", "lab", command, "--devices", ",".join(names)],
                            env=env, capture_output=True, text=True, check=True)
    return {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}


def first_look(fw):
    with connect(fw) as conn:
        return conn.find_prompt(), conn.send_command(FIRST_WORDS[fw.platform])


def test_twenty_firewalls_run_at_once(tmp_path):
    base = free_port_range(FLEET)
    env = os.environ | {"EOFFICE_LAB_STATE": str(tmp_path), "EOFFICE_LAB_FIREWALLS": str(FLEET),
                        "EOFFICE_LAB_FIREWALL_BASE_PORT": str(base)}
    fleet = [device(i, base_port=base) for i in range(1, FLEET + 1)]
    names = [fw.name for fw in fleet]
    try:
        rows = lab_cli("up", names, env)
        assert [rows[n][-1] for n in names] == ["running"] * FLEET
        assert rows["lab-asa-03"][1:6] == ["asa", "127.0.0.1", str(base + 3), "admin", "lab-asa"]
        pids = {n: (tmp_path / "firewalls" / n / "serve.pid").read_text() for n in names}
        lab_cli("up", names, env)
        assert pids == {n: (tmp_path / "firewalls" / n / "serve.pid").read_text() for n in names}, \
            "a second up starts nothing"
        with ThreadPoolExecutor(FLEET) as pool:
            looks = list(pool.map(first_look, fleet))
        prompts = {fw.platform: prompt for fw, (prompt, _) in zip(fleet, looks, strict=True)}
        assert prompts == {"fortios": "FGT #", "panos": "admin@fw>", "asa": "asa#"}
        assert all(output.strip() for _, output in looks)
    finally:
        rows = lab_cli("down", names, env)
    assert [rows[n][-1] for n in names] == ["stopped"] * FLEET
    assert [rows[n][-1] for n in names] == [r[-1] for r in lab_cli("down", names, env).values()]
