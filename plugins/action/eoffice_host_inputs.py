"""Action plugin behind ``eoffice_host_inputs``: check the endpoint roles' inputs on the controller.

Its manual is plugins/modules/eoffice_host_inputs.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

_CORE = str(Path(__file__).resolve().parents[1] / "module_utils")
if _CORE not in sys.path:
    sys.path.append(_CORE)
_HERE = str(Path(__file__).resolve().parent)  # the policy action's inventory helpers
if _HERE not in sys.path:
    sys.path.append(_HERE)

from eoffice_policy import display_path, vars_files  # noqa: E402

from eoffice_guard.host_inputs import host_problems  # noqa: E402
from eoffice_guard.policy import PolicyError, validate_policy  # noqa: E402


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("policy", "source", "hosts", "servers"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        try:
            policy = validate_policy(args["policy"], str(args.get("source") or "eoffice"))
        except PolicyError as err:
            raise AnsibleActionFail(f"the e-Office policy is not valid; nothing was touched.\n{err}") from None
        hostvars = task_vars.get("hostvars", {})
        servers = set(args.get("servers") or [])
        lines = []
        for host in sorted(args.get("hosts") or []):
            hv = hostvars.get(host, {})
            for var, path, msg in host_problems(policy, hv, host in servers):
                lines.append(f"{self._origin(hv, host, var)}: {path}: {msg}")
        if lines:
            raise AnsibleActionFail("endpoint role inputs are not valid; no host was contacted.\n" + "\n".join(lines))
        result.update(changed=False, msg=f"endpoint role inputs of {len(args.get('hosts') or [])} hosts are valid")
        return result

    def _origin(self, hv, host: str, var: str) -> str:
        """The inventory file that sets ``var`` for ``host``: its host_vars, a group's group_vars, or the hosts file."""
        inventory_dir = hv.get("inventory_dir")
        if inventory_dir:
            groups = {"all", *hv.get("group_names", [])}
            for path in vars_files(Path(inventory_dir)):
                owner = path.stem if path.parent.name in ("host_vars", "group_vars") else path.parent.name
                if owner in groups | {host}:
                    data = self._loader.load_from_file(str(path))
                    if isinstance(data, dict) and var in data:
                        return display_path(path)
        return f"{display_path(Path(hv['inventory_file']))} (host {host})" if hv.get("inventory_file") else host
