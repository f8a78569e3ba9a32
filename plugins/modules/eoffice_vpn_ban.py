#!/usr/bin/python
"""Remove unapproved VPN software, units, tunnels and NetworkManager profiles from a Debian host."""

from __future__ import annotations

DOCUMENTATION = r"""
module: eoffice_vpn_ban
short_description: Ban unapproved VPNs on a Debian host (EO-VPN-1, EO-VPN-2)
description:
  - Finds VPN and tunnelling software (a catalogue of Debian packages and the systemd units they
    bring), live tunnel interfaces (by link kind from C(ip -d -j link), and by name) and
    NetworkManager VPN and WireGuard connection profiles.
  - Everything not covered by a valid approval is banned. Units are stopped, disabled and masked
    first; tunnels are brought down and deleted (a tun device is released by ending the process that
    holds it); profiles are deleted; with I(remove=true) the packages are purged too, otherwise they
    are left installed and reported.
  - An approval past its C(expires) date covers nothing and is reported in RV(expired).
  - Approved software, adapters and profiles are left exactly as they are.
  - Check mode reports what would change and changes nothing.
version_added: "0.1.0"
options:
  catalogue:
    description: VPN software as data. Each item has C(package), C(protocol) and C(units) (globs).
    type: list
    elements: dict
    required: true
  approved:
    description:
      - Approved VPNs this host terminates. Each item has C(name), C(protocols), C(expires)
        (YYYY-MM-DD), and optionally C(approval_ref), C(adapters) (interface name regexes) and
        C(profiles) (NetworkManager connection ids).
    type: list
    elements: dict
    default: []
  approved_software:
    description: Packages kept whatever the approvals say.
    type: list
    elements: str
    default: []
  approved_adapters:
    description: Interface name regexes (whole name) kept whatever the approvals say.
    type: list
    elements: str
    default: []
  tunnel_kinds:
    description: Link kinds (C(ip -d link)) that are tunnels; C(tun) and C(tap) are told apart.
    type: list
    elements: str
    required: true
  tunnel_names:
    description: Interface name regexes (whole name) that are tunnels whatever their kind.
    type: list
    elements: str
    default: []
  profile_types:
    description: NetworkManager connection types that are VPNs.
    type: list
    elements: str
    default: [vpn, wireguard]
  profile_dirs:
    description: Folders of NetworkManager keyfiles.
    type: list
    elements: path
    default: [/etc/NetworkManager/system-connections, /run/NetworkManager/system-connections]
  remove:
    description: Purge banned packages (the disruption gate). Without it they are stopped, masked and reported.
    type: bool
    default: false
  today:
    description: The date approvals are judged against (YYYY-MM-DD); the host's date by default.
    type: str
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-VPN-1 | PATCH | Ban unapproved VPNs
  eoffice_vpn_ban:
    catalogue:
      - {package: openvpn, protocol: openvpn, units: ["openvpn.service", "openvpn@*", "openvpn-client@*"]}
    approved:
      - {name: nitb-s2s, protocols: [ipsec], expires: "2027-06-30", approval_ref: NITB-VPN-2026-014}
    tunnel_kinds: [wireguard, tun, tap, gre, ipip, sit, ppp]
    tunnel_names: ["wg[0-9]+", "tun[0-9]+"]
    remove: true
"""

RETURN = r"""
found:
  description: Banned items present when the run started (packages, units, tunnels, profiles).
  returned: always
  type: dict
  sample: {"packages": ["openvpn"], "units": ["openvpn-client@home.service"], "tunnels": ["wg0 (tun)"], "profiles": []}
removed:
  description: What the run removed, stopped or masked (in check mode, what it would).
  returned: always
  type: dict
left_installed:
  description: Banned packages left installed because I(remove) is false.
  returned: always
  type: list
  elements: str
approved:
  description: Names of the valid approvals whose software was left alone.
  returned: always
  type: list
  elements: str
expired:
  description: Approvals past their expiry date, treated as unapproved.
  returned: always
  type: list
  elements: str
"""

import datetime
import glob
import json
import os
import signal
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.eoffice_guard.vpn_ban import (
    Software,
    allowed,
    approval_from,
    banned_packages,
    banned_profiles,
    links_from_ip,
    matching_units,
    profile_from_keyfile,
    tunnels,
    unit_patterns,
)


class Host:
    """The host's side: every command this module runs, each failing loudly."""

    def __init__(self, module: AnsibleModule) -> None:
        self.m = module

    def run(self, *args: str, check: bool = True) -> str:
        rc, out, err = self.m.run_command(list(args), environ_update={"LC_ALL": "C"})
        if check and rc != 0:
            self.m.fail_json(msg=f"`{' '.join(args)}` failed (rc={rc}): {err.strip() or out.strip()}")
        return out

    def installed(self, packages: list[str]) -> set[str]:
        out = self.run("dpkg-query", "-W", "-f", "${Package}\t${db:Status-Abbrev}\n", *packages, check=False)
        return {line.split("\t")[0] for line in out.splitlines() if line.split("\t")[-1].startswith("ii")}

    def units(self) -> dict[str, str]:
        """Unit name → state: unit files, loaded units and enabled instances of templates."""
        states: dict[str, str] = {}
        for line in self.run("systemctl", "list-unit-files", "--no-legend", "--plain", "--full").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                states[parts[0]] = parts[1]
        for line in self.run("systemctl", "list-units", "--all", "--no-legend", "--plain", "--full").splitlines():
            parts = line.split()
            if parts and "@" in parts[0]:
                states.setdefault(parts[0], self.run("systemctl", "is-enabled", parts[0], check=False).strip())
        for wanted in glob.glob("/etc/systemd/system/*.wants/*@*"):
            states.setdefault(os.path.basename(wanted), "enabled")
        return states

    def active(self, unit: str) -> bool:
        return self.run("systemctl", "is-active", unit, check=False).strip() in {"active", "activating", "reloading"}

    def links(self) -> list:
        return links_from_ip(json.loads(self.run("ip", "-d", "-j", "link", "show") or "[]"))

    def tun_holders(self, name: str) -> list[int]:
        """Processes holding a tun/tap device: its fdinfo names the interface (``iff: wg0``)."""
        pids = set()
        for info in glob.glob("/proc/[0-9]*/fdinfo/*"):
            try:
                with open(info, encoding="utf-8", errors="replace") as handle:
                    if f"iff:\t{name}\n" in handle.read():
                        pids.add(int(info.split("/")[2]))
            except OSError:
                continue  # the process or descriptor went away meanwhile
        return sorted(pids)

    def delete_link(self, name: str) -> None:
        self.run("ip", "link", "set", "dev", name, "down", check=False)
        for pid in self.tun_holders(name):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for _ in range(50):  # a tun device disappears when its last holder exits
            if not os.path.exists(f"/sys/class/net/{name}"):
                return
            if not self.tun_holders(name):
                self.run("ip", "link", "delete", "dev", name, check=False)
            time.sleep(0.1)
        if os.path.exists(f"/sys/class/net/{name}"):
            self.m.fail_json(msg=f"tunnel {name} could not be deleted")

    def profiles(self, dirs: list[str]) -> list:
        found = []
        for folder in dirs:
            for path in sorted(glob.glob(os.path.join(folder, "*"))):
                if os.path.isfile(path):
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        profile = profile_from_keyfile(path, handle.read())
                    if profile:
                        found.append(profile)
        return found


def judge(module: AnsibleModule, host: Host) -> dict:
    p = module.params
    catalogue = [Software(str(s["package"]), str(s["protocol"]), tuple(s.get("units") or ())) for s in p["catalogue"]]
    today = datetime.date.fromisoformat(p["today"]) if p["today"] else datetime.date.today()
    ok = allowed(catalogue, [approval_from(a) for a in p["approved"]], p["approved_software"],
                 p["approved_adapters"], today)
    installed = host.installed(sorted({s.package for s in catalogue}))
    states = host.units()
    units = matching_units(list(states), unit_patterns(catalogue, ok))
    return {
        "ok": ok,
        "packages": banned_packages(catalogue, installed, ok),
        "units": [u for u in units if states[u] != "masked" or host.active(u)],
        "masked": [u for u in units if states[u] == "masked"],
        "tunnels": tunnels(host.links(), p["tunnel_kinds"], p["tunnel_names"], ok),
        "profiles": banned_profiles(host.profiles(p["profile_dirs"]), p["profile_types"], ok),
    }


def enforce(module: AnsibleModule, host: Host, plan: dict) -> None:
    """Units first, so nothing restarts a tunnel while it is being removed."""
    templates = [u for u in plan["units"] if u.endswith("@.service")]
    for unit in [u for u in plan["units"] if u not in templates]:
        host.run("systemctl", "stop", unit, check=False)
        host.run("systemctl", "disable", unit, check=False)
    for unit in plan["units"]:
        if "@" in unit and unit not in templates:
            continue  # an instance is masked through its template
        host.run("systemctl", "mask", unit)
    for link in plan["tunnels"]:
        host.delete_link(link.name)
    for profile in plan["profiles"]:
        os.unlink(profile.path)
    if plan["profiles"] and host.active("NetworkManager.service"):
        host.run("nmcli", "connection", "reload")
    if module.params["remove"] and plan["packages"]:
        host.run("apt-get", "purge", "-y", "-q", *plan["packages"])


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "catalogue": {"type": "list", "elements": "dict", "required": True},
            "approved": {"type": "list", "elements": "dict", "default": []},
            "approved_software": {"type": "list", "elements": "str", "default": []},
            "approved_adapters": {"type": "list", "elements": "str", "default": []},
            "tunnel_kinds": {"type": "list", "elements": "str", "required": True},
            "tunnel_names": {"type": "list", "elements": "str", "default": []},
            "profile_types": {"type": "list", "elements": "str", "default": ["vpn", "wireguard"]},
            "profile_dirs": {"type": "list", "elements": "path",
                             "default": ["/etc/NetworkManager/system-connections",
                                         "/run/NetworkManager/system-connections"]},
            "remove": {"type": "bool", "default": False},
            "today": {"type": "str"},
        },
        supports_check_mode=True,
    )
    host = Host(module)
    plan = judge(module, host)
    removed_packages = plan["packages"] if module.params["remove"] else []
    changes = plan["units"] or plan["tunnels"] or plan["profiles"] or removed_packages
    if changes and not module.check_mode:
        enforce(module, host, plan)
    tunnels_found = [f"{t.name} ({t.kind or 'by name'})" for t in plan["tunnels"]]
    profiles_found = [f"{p.id} ({p.type}, {p.path})" for p in plan["profiles"]]
    module.exit_json(
        changed=bool(changes),
        found={"packages": plan["packages"], "units": plan["units"], "tunnels": tunnels_found,
               "profiles": profiles_found},
        removed={"packages": removed_packages, "units": plan["units"], "tunnels": tunnels_found,
                 "profiles": profiles_found},
        left_installed=[] if module.params["remove"] else plan["packages"],
        approved=plan["ok"].approvals,
        expired=plan["ok"].expired,
        masked=plan["masked"],
    )


if __name__ == "__main__":
    main()
