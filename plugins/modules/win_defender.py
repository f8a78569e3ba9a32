#!/usr/bin/python
"""Documentation of a Windows module; the work runs on the controller in the action plugin of that name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: win_defender
short_description: Keep Microsoft Defender's real-time protection on and its signatures current (EO-END-2)
description:
  - Reads C(Get-MpComputerStatus); turns real-time protection on (C(Set-MpPreference -DisableRealtimeMonitoring $false))
    and, when the signatures are older than O(max_signature_age_hours) by the host's own clock, runs
    C(Update-MpSignature) from the ministry's internal source (O(update_source), O(file_share)).
  - Signatures still older than the threshold after the update make the task fail with their age;
    the host is not compliant.
options:
  max_signature_age_hours:
    description: The oldest acceptable signatures, in hours.
    type: int
    default: 24
  update_source:
    description: The C(-UpdateSource) of C(Update-MpSignature) (the ministry's file share or WSUS server; no internet).
    type: str
    default: FileShares
    choices: [FileShares, InternalDefinitionUpdateServer, MicrosoftUpdateServer, MMPC]
  file_share:
    description:
      - The UNC path of the signature share, set as C(SignatureDefinitionUpdateFileSharesSources) when
        O(update_source=FileShares).
    type: str
    default: ""
extends_documentation_fragment: [windows_endpoint, windows_endpoint.control]
version_added: "0.1.0"
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-END-2 | PATCH | Defender signatures from the ministry's share
  win_defender:
    update_source: FileShares
    file_share: '\\\\fs01.ministry.local\\defender'
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
    refuse_to_run_remotely("win_defender")
