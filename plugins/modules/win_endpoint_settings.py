#!/usr/bin/python
"""Documentation of a Windows module; the work runs on the controller in the action plugin of that name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: win_endpoint_settings
short_description: Check the Windows role's settings on the controller before any host is contacted
description:
  - Checks the settings of the C(windows_endpoint) role for one host - adapter and software patterns that
    must be valid regular expressions, a password length not below the advisory's 14, the Defender update
    source, the EDR profile's values - and fails naming the inventory file that set the variable, the key
    path and what would be valid. Contacts no host.
options:
  settings:
    description: The role's variables (C(windows_endpoint_*)) as a mapping.
    type: dict
    required: true
version_added: "0.1.0"
author: eoffice-guard
notes:
  - Runs on the controller only; it reads the role's variables and the inventory's files.
"""

EXAMPLES = r"""
- name: EO-GOV-1 | AUDIT | Check the Windows settings before any host is contacted
  win_endpoint_settings:
    settings:
      windows_endpoint_password_min_length: "{{ windows_endpoint_password_min_length }}"
  delegate_to: localhost
"""

RETURN = r"""
msg:
  description: That the settings are valid, or every problem with its file and key path.
  returned: always
  type: str
"""


from ansible.module_utils.eoffice_guard.windows.stub import refuse_to_run_remotely

if __name__ == "__main__":
    refuse_to_run_remotely("win_endpoint_settings")
