#!/usr/bin/python
"""Documentation of a Windows module; the work runs on the controller in the action plugin of that name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: win_vpn_adapters
short_description: Disable unapproved VPN adapters and remove VPN connection profiles on Windows (EO-VPN-1)
description:
  - Finds VPN adapters by their C(InterfaceDescription) or C(DriverDescription) (O(adapter_patterns),
    TAP-Windows, Wintun and WireGuard, OpenVPN DCO, the WAN Miniports for PPTP, L2TP, SSTP and IKEv2,
    Fortinet, AnyConnect, GlobalProtect, ...) and disables those that are not approved with
    C(Disable-NetAdapter).
  - Never touches an adapter that carries a WinRM session (found from the established connections on the
    WinRM port), whatever its description.
  - Removes per-user and all-user VPN connection profiles (C(Get-VpnConnection), C(-AllUserConnection))
    unless they dial the peer of an unexpired entry of the policy's C(approved_vpns) over one of its
    protocols; the WAN Miniport of such a profile's tunnel type stays up.
  - Reports installed VPN software (uninstall registry keys matching O(software_patterns)); uninstalls
    unapproved MSI products only when O(uninstall_software) is true (a disruption gate, default off).
  - In check mode it reads only; with C(--diff) it shows the adapters, profiles and software before and after.
options:
  approved_vpns:
    description: The policy's C(approved_vpns) (C(eoffice.approved_vpns)); expired entries approve nothing.
    type: list
    elements: dict
    default: []
  adapter_patterns:
    description:
      - What a VPN adapter looks like, as a list of C(name), C(pattern) (a case-insensitive regular
        expression on the description or driver) and optional C(tunnel) (the RAS tunnel type a WAN Miniport carries).
      - Defaults to the built-in list.
    type: list
    elements: dict
  approved_servers:
    description:
      - Host names endpoints dial an approved VPN by, per entry of O(approved_vpns) (its C(name) -> a list);
        the entry's C(peer) address is always accepted. A profile is approved only while its entry is unexpired.
    type: dict
    default: {}
  extra_adapter_patterns:
    description: More patterns of the same shape, added to O(adapter_patterns) (a ministry's own VPN clients).
    type: list
    elements: dict
    default: []
  approved_adapters:
    description:
      - Regular expressions on adapter names or descriptions the ministry approved (for example the vendor
        client of an approved VPN).
    type: list
    elements: str
    default: []
  software_patterns:
    description: Regular expressions on C(DisplayName) that mark VPN software; defaults to the built-in list.
    type: list
    elements: str
  approved_software:
    description: Regular expressions on C(DisplayName) of VPN software the ministry approved.
    type: list
    elements: str
    default: []
  uninstall_software:
    description: Uninstall unapproved VPN software that is an MSI product (disruption gate).
    type: bool
    default: false
extends_documentation_fragment: [windows_endpoint, windows_endpoint.control]
version_added: "0.1.0"
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-VPN-1 | PATCH | Disable unapproved VPN adapters and profiles
  win_vpn_adapters:
    approved_vpns: "{{ eoffice.approved_vpns | default([]) }}"
    approved_adapters: ["^Ministry VPN$"]
  delegate_to: localhost
"""

RETURN = r"""
changed:
  description: Whether anything was (or in check mode would be) changed.
  returned: always
  type: bool
actions:
  description: One line per change, in the order it is (or would be) made; empty when compliant.
  returned: always
  type: list
  elements: str
done:
  description: The steps Windows confirmed (not in check mode).
  returned: when changes were applied
  type: list
  elements: str
compliant:
  description: Whether the host now meets the control (in check mode, whether it already did).
  returned: always
  type: bool
problems:
  description: What still breaks the control (empty when compliant).
  returned: always
  type: list
  elements: str
findings:
  description: What the module reports without changing it (also shown as warnings).
  returned: always
  type: list
  elements: str
invocations:
  description: PowerShell invocations this task sent to the host (0 when it worked from O(gathered)).
  returned: always
  type: int
"""


from ansible.module_utils.eoffice_guard.windows.stub import refuse_to_run_remotely

if __name__ == "__main__":
    refuse_to_run_remotely("win_vpn_adapters")
