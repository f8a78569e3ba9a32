"""The Ansible inventory of a lab fleet, generated so it always matches ``fleet.py``.

``python -m lab.firewalls inventory --count N`` prints it; ``inventories/lab/firewalls.yml`` (3
devices) and ``inventories/lab-fleet/firewalls.yml`` (20) are its output, and a unit test keeps them
in step. Hosts are reached by netmiko from the controller, so Ansible itself connects locally, and
their host keys are checked against the known-hosts file ``python -m lab up`` writes in the lab's
default state dir (``.lab`` at the project root).
"""

from __future__ import annotations

from lab.firewalls.fleet import ASA_ENABLE_SECRET, CREDENTIALS, NETMIKO_DEVICE_TYPES, PLATFORMS, fleet


def render(count: int) -> str:
    devices = fleet(count)
    lines = [
        "---",
        "# Lab firewalls (SSH simulators) of `python -m lab up`; see docs/lab.md.",
        f"# Made by `python -m lab.firewalls inventory --count {count}`; do not edit.",
        "# The passwords are lab-only credentials of the simulators, not secrets.",
        "all:",
        "  children:",
        "    ngfw:",
        "      vars:",
        "        ansible_connection: local",
        "        ngfw_host: 127.0.0.1",
        "        ngfw_known_hosts: \"{{ inventory_dir }}/../../.lab/known_hosts\"",
        "      children:",
    ]
    for platform in PLATFORMS:
        members = [d for d in devices.values() if d.platform == platform]
        if not members:
            continue
        username, password = CREDENTIALS[platform]
        lines += [f"        ngfw_{platform}:", "          vars:",
                  f"            eoffice_platform: {platform}",
                  f"            ngfw_device_type: {NETMIKO_DEVICE_TYPES[platform]}",
                  f"            ngfw_username: {username}",
                  f"            ngfw_password: {password}  # lab-only credential"]
        if platform == "asa":
            lines.append(f"            ngfw_secret: {ASA_ENABLE_SECRET}  # lab-only enable secret")
        lines.append("          hosts:")
        for member in members:
            lines += [f"            {member.name}:", f"              ngfw_port: {member.port}"]
    return "\n".join(lines) + "\n"
