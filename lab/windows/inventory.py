"""The Ansible inventory of the lab Windows endpoints, generated so it always matches ``fleet.py``.

``python -m lab.windows inventory --count N`` prints it; ``inventories/lab/windows.yml`` (3 endpoints)
and ``inventories/lab-fleet/windows.yml`` (50) are its output, and a unit test keeps them in step.
The variables are the ones any Windows inventory has (``ansible_host``, ``ansible_port``,
``ansible_winrm_*``), so the roles read the lab exactly as they read a ministry's estate.
"""

from __future__ import annotations

from lab.windows import seeds
from lab.windows.fleet import PASSWORD, USERNAME, fleet

LAB_STATE = "{{ lookup('env', 'EOFFICE_LAB_STATE') | default(inventory_dir ~ '/../../.lab', true) }}"

GROUP_VARS = [
    "        ansible_connection: winrm",
    "        ansible_host: 127.0.0.1",
    f"        ansible_user: {USERNAME}",
    f"        ansible_password: {PASSWORD}  # lab-only credential",
    "        # the lab's state folder (as `python -m lab up` uses it), where the lab CA is",
    f'        eoffice_lab_state: "{LAB_STATE}"',
    "        ansible_winrm_server_cert_validation: validate",
    '        ansible_winrm_ca_trust_path: "{{ eoffice_lab_state }}/windows/lab-ca.pem"',
    "        # What the lab's endpoints need from the role: the approved IKEv2 gateway's name, the",
    "        # internal signature source, and the lab EDR agent's profile (see docs/lab.md).",
    "        windows_endpoint_vpn_approved_servers:",
    "          nitb-s2s: [vpn.ministry.example]",
    "        windows_endpoint_defender_update_source: InternalDefinitionUpdateServer",
    "        windows_endpoint_edr_profile:",
    "          name: Lab EDR Agent",
    f"          msi: '{seeds.EDR_MSI}'",
    f"          product_code: '{seeds.EDR_PRODUCT_CODE}'",
    f"          service: {seeds.EDR_SERVICE}",
    "          properties: [ENROLLMENT_TOKEN=lab-enrol-7f3a9c, TENANT_ID=lab-tenant]  # lab-only token",
    f"          enrolment_key: '{seeds.EDR_STATUS_KEY}'",
    "          enrolment_value: EnrollmentId",
]


def render(count: int) -> str:
    lines = [
        "---",
        "# Lab Windows endpoints (WinRM simulators, not Windows) of `python -m lab up`; see docs/lab.md.",
        f"# Made by `python -m lab.windows inventory --count {count}`; do not edit.",
        "# The password is a lab-only credential of the simulators, not a secret.",
        "all:",
        "  children:",
        "    windows:",
        "      vars:",
        *GROUP_VARS,
        "      hosts:",
    ]
    for endpoint in fleet(count).values():
        lines += [f"        {endpoint.name}:  # seed: {endpoint.seed}",
                  f"          ansible_port: {endpoint.port}",
                  f"          ansible_winrm_scheme: {endpoint.scheme}",
                  f"          ansible_winrm_transport: {endpoint.transport}"]
        if endpoint.transport == "ntlm":
            lines.append("          ansible_winrm_message_encryption: always")
    return "\n".join(lines) + "\n"
