"""Documentation shared by the Windows modules: how they reach a host, and the options every control has."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
notes:
  - Runs on the controller (an action plugin; with or without C(delegate_to), the same happens) and
    reaches the host over WinRM with pywinrm, one session per host and task, with the host's own inventory
    variables C(ansible_host), C(ansible_user), C(ansible_password), C(ansible_port),
    C(ansible_winrm_transport), C(ansible_winrm_scheme) (default C(https), port 5986),
    C(ansible_winrm_server_cert_validation) (default C(validate)) and C(ansible_winrm_ca_trust_path).
    The password is never a module argument and never appears in results, diffs or messages.
  - Plain HTTP is accepted only with NTLM, Kerberos or CredSSP, and then always with message encryption
    (whatever C(ansible_winrm_message_encryption) says).
  - Every failure (refused credentials, HTTP 500, a timeout, a step Windows refused) is one line that names
    the host, what was done and what was not.
  - Tested against the lab's WinRM endpoint simulator (docs/lab.md); docs/controls/ says what only a real
    Windows host proves.
"""

    CONTROL = r"""
options:
  gathered:
    description:
      - The host's state as read by M(win_endpoint_audit) earlier in the run (its C(state) return value).
      - Given, the module does not read the host again; only a change costs a PowerShell invocation.
    type: dict
  command_timeout:
    description: Seconds one PowerShell invocation may take before the module gives up on it.
    type: int
    default: 300
"""
