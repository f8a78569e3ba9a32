"""What a Windows module does when Ansible runs it as a module: the work belongs to its action plugin on the
controller, where the .ps1 files live, so it only says how to fix the configuration."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule


def refuse_to_run_remotely(name: str) -> None:
    AnsibleModule(argument_spec={}, bypass_checks=True).fail_json(
        msg=f"{name} runs on the controller through its action plugin: "
            "check that action_plugins includes plugins/action")
