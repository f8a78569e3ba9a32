"""Lab firewalls on free ports with the lab policy: inventories for playbook runs, devices for direct pushes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml
from netmiko import ConnectHandler

from eoffice_guard.compiler import compile_for
from eoffice_guard.delivery.drivers import driver
from eoffice_guard.delivery.session import Device
from eoffice_guard.policy import validate_policy
from lab.firewalls.fleet import Device as LabDevice
from lab.firewalls.process import known_hosts_file

ROOT = Path(__file__).resolve().parents[2]
LAB_POLICY = ROOT / "inventories/lab/group_vars/all/eoffice.yml"
PASSWORDS = ("lab-fortigate", "lab-paloalto", "lab-asa", "lab-asa-enable")


def lab_policy_data(old: str = "", new: str = "") -> dict:
    text = LAB_POLICY.read_text()
    if old:
        assert old in text, f"{old!r} is not in the lab policy"
        text = text.replace(old, new, 1)
    return yaml.safe_load(text)["eoffice"]


def intended(platform: str, data: dict | None = None) -> str:
    return compile_for(validate_policy(data or lab_policy_data(), "lab"), platform).text


def target(lab: LabDevice, state_dir: Path) -> Device:
    """The module's view of a lab device started in ``state_dir``, trusting only the keys written there."""
    return Device(lab.address, lab.port, lab.username, lab.password, lab.platform, lab.secret,
                  known_hosts=str(known_hosts_file(state_dir)))


def running_config(lab: LabDevice, state_dir: Path) -> str:
    drv = driver(lab.platform)
    with ConnectHandler(**target(lab, state_dir).params()) as conn:
        drv.prepare(conn)
        return drv.read(conn, 60)


def write_inventory(folder: Path, devices: list[LabDevice], state_dir: Path, policy_text: str | None = None) -> Path:
    """hosts.yml for ``devices`` started in ``state_dir`` (group ngfw, as the lab's own inventory), the lab policy."""
    hosts: dict = {}
    for d in devices:
        host = {"eoffice_platform": d.platform, "ngfw_host": d.address, "ngfw_port": d.port,
                "ngfw_username": d.username, "ngfw_password": d.password,
                "ngfw_known_hosts": str(known_hosts_file(state_dir))}
        hosts[d.name] = host | ({"ngfw_secret": d.secret} if d.secret else {})
    inventory = {"all": {"children": {"ngfw": {"vars": {"ansible_connection": "local"}, "hosts": hosts}}}}
    (folder / "group_vars/all").mkdir(parents=True, exist_ok=True)
    (folder / "hosts.yml").write_text(yaml.safe_dump(inventory))
    (folder / "group_vars/all/eoffice.yml").write_text(policy_text or LAB_POLICY.read_text())
    return folder


def run_playbook(inventory: Path, work: Path, *extra: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """playbooks/firewalls.yml, unattended, writing backups and renders under ``work``."""
    command = [str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(inventory), "playbooks/firewalls.yml",
               "-e", "ngfw_policy_auto_approve=true", "-e", f"ngfw_policy_backup_dir={work / 'backups'}",
               "-e", f"ngfw_policy_render_dest={work / 'rendered'}", *extra]
    env = os.environ | {"ANSIBLE_LOG_PATH": str(work / "ansible.log"), "ANSIBLE_FORCE_COLOR": "0",
                        "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False, env=env)


def recap(output: str) -> dict[str, dict[str, int]]:
    """PLAY RECAP counters per inventory host (the controller's own check of the inventory left out)."""
    out = {}
    lines = output.split("PLAY RECAP", 1)[-1].splitlines()[1:]
    for line in lines:
        if ":" not in line or "ok=" not in line:
            continue
        host, _, counters = line.partition(":")
        if host.strip() != "localhost":
            out[host.strip()] = {k: int(v) for k, v in (c.split("=") for c in counters.split())}
    return out


#: what a change (not a read or netmiko's session set-up) looks like in a lab device's command log
CHANGE_COMMANDS = {
    "fortios": r"admin: (edit|delete|move|unset|purge|rename|config firewall|config system interface"
               r"|set (?!output standard))",
    "panos": r"admin: (set (?!cli )|delete |move |commit|revert)",
    "asa": r"admin: (object|access-list|access-group|no |clear |write|network-object|service-object)",
}


def change_commands(state_dir: Path, lab: LabDevice, since: int = 0) -> list[str]:
    """Configuration changes the device logged, from log line ``since`` on."""
    import re

    lines = (state_dir / "firewalls" / lab.name / "serve.log").read_text().splitlines()[since:]
    return [line for line in lines if re.search(CHANGE_COMMANDS[lab.platform], line)]


def log_length(state_dir: Path, lab: LabDevice) -> int:
    return len((state_dir / "firewalls" / lab.name / "serve.log").read_text().splitlines())
