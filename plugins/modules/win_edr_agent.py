#!/usr/bin/python
"""Documentation of a Windows module; the work runs on the controller in the action plugin of that name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: win_edr_agent
short_description: Install, start and enrol the ministry's EDR agent on Windows (EO-END-1)
description:
  - Vendor-neutral, the agent is described by a O(profile) (MSI on the ministry's internal share, product
    code, service name, enrolment properties, the registry value that shows enrolment).
  - Installs the MSI with C(msiexec /i ... /qn) and the profile's properties when the product code is not
    installed, sets the service to start automatically and starts it.
  - Fails with what is still wrong when the agent is installed but its enrolment marker stays empty.
  - docs/controls/EO-END-1.md lists real vendors' documented values as examples.
options:
  profile:
    description: The agent.
    type: dict
    required: true
    suboptions:
      name:
        description: A name for messages.
        type: str
        required: true
      msi:
        description: Path of the MSI on the ministry's internal share (UNC) or on the host.
        type: str
        required: true
      product_code:
        description: The MSI product code (the uninstall key's name).
        type: str
        required: true
      service:
        description: The agent's Windows service name.
        type: str
        required: true
      properties:
        description: C(PROPERTY=value) arguments for msiexec, such as the enrolment token. Never shown.
        type: list
        elements: str
        default: []
      enrolment_key:
        description: Registry key (C(HKLM:\\...)) whose value shows the agent is enrolled.
        type: str
        default: ""
      enrolment_value:
        description: The value under O(profile.enrolment_key) that is non-empty once enrolled.
        type: str
        default: ""
extends_documentation_fragment: [windows_endpoint, windows_endpoint.control]
version_added: "0.1.0"
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-END-1 | PATCH | EDR agent installed, running and enrolled
  win_edr_agent:
    profile:
      name: Lab EDR agent
      msi: '\\\\fs01.ministry.local\\edr\\agent.msi'
      product_code: "{5C4B2D4E-1A2B-4C3D-8E9F-0A1B2C3D4E5F}"
      service: LabEdrAgent
      properties: ["ENROLMENT_TOKEN={{ vault_edr_token }}"]
      enrolment_key: 'HKLM:\\SOFTWARE\\LabEdr'
      enrolment_value: AgentId
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
    refuse_to_run_remotely("win_edr_agent")
