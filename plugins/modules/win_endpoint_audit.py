#!/usr/bin/python
"""Documentation of a Windows module; the work runs on the controller in the action plugin of that name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: win_endpoint_audit
short_description: Read the state of every Windows control of the advisory in one PowerShell invocation
description:
  - Sends one PowerShell script that reads the network adapters, the adapters carrying WinRM sessions, the
    per-user and all-user VPN connection profiles, the installed software (uninstall registry keys), the
    local account policy (C(secedit /export)), Microsoft Defender's status and the EDR agent's service and
    enrolment, and returns them as one document. It changes nothing.
  - Pass the result to the control modules as O(win_vpn_adapters#module:gathered) so an audit run of a host costs
    one PowerShell invocation.
options:
  edr_profile:
    description:
      - The EDR profile (see M(win_edr_agent)), whose C(service), C(enrolment_key) and C(enrolment_value)
        are read.
    type: dict
  command_timeout:
    description: Seconds the invocation may take.
    type: int
    default: 300
extends_documentation_fragment: [windows_endpoint]
version_added: "0.1.0"
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-GOV-1 | AUDIT | Read the host's state once for every control
  win_endpoint_audit:
    edr_profile: "{{ windows_endpoint_edr_profile }}"
  delegate_to: localhost
  register: windows_state
"""

RETURN = r"""
state:
  description: The host's state as its PowerShell reported it (adapters, management, vpn_connections, software,
    security_policy, defender, edr, computer).
  returned: success
  type: dict
invocations:
  description: PowerShell invocations sent (1).
  returned: always
  type: int
"""


from ansible.module_utils.eoffice_guard.windows.stub import refuse_to_run_remotely

if __name__ == "__main__":
    refuse_to_run_remotely("win_endpoint_audit")
