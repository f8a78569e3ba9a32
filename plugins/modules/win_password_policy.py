#!/usr/bin/python
"""Documentation of a Windows module; the work runs on the controller in the action plugin of that name."""

from __future__ import annotations

DOCUMENTATION = r"""
module: win_password_policy
short_description: Set the local account policy of a Windows host to the advisory (EO-ID-1)
description:
  - Reads the C([System Access]) section with C(secedit /export), compares it with the advisory and
    configures, with one security template and C(secedit /configure), only the keys that fall short. A
    value stricter than the target is kept.
  - A domain member is not changed, the domain's Group Policy wins over a local setting. The module reports
    that and what it found (a warning, C(compliant=false) when the values fall short).
options:
  min_length:
    description: C(MinimumPasswordLength), at least this; the advisory's minimum is 14.
    type: int
    default: 14
  complexity:
    description: C(PasswordComplexity) on.
    type: bool
    default: true
  history:
    description: C(PasswordHistorySize), at least this many remembered passwords.
    type: int
    default: 24
  max_age_days:
    description: C(MaximumPasswordAge), at most this many days (0, never, is not accepted).
    type: int
    default: 90
  min_age_days:
    description: C(MinimumPasswordAge), at least this many days.
    type: int
    default: 1
  lockout_threshold:
    description: C(LockoutBadCount), at most this many failed logons (0, never lock, is not accepted).
    type: int
    default: 5
  lockout_duration_minutes:
    description: C(LockoutDuration), at least this many minutes.
    type: int
    default: 15
  lockout_reset_minutes:
    description: C(ResetLockoutCount), at least this many minutes.
    type: int
    default: 15
extends_documentation_fragment: [windows_endpoint, windows_endpoint.control]
version_added: "0.1.0"
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-ID-1 | PATCH | Local account policy per the advisory
  win_password_policy:
    min_length: 14
    lockout_threshold: 5
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
    refuse_to_run_remotely("win_password_policy")
