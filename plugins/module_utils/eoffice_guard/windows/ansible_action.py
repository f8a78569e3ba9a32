"""The one action plugin class behind every Windows module: the work happens on the controller, with the
host's own inventory variables (ansible_host, ansible_user, ansible_password, ansible_winrm_*), so the
password is never a module argument and never in a task's invocation record."""

from __future__ import annotations

import json

from ansible.plugins.action import ActionBase

from .client import ALIASES, WinRMError
from .runner import run
from .specs import SPECS

CONNECTION_VARS = (*(name for names in ALIASES.values() for name in names), "ansible_winrm_transport",
                   "ansible_winrm_scheme", "ansible_winrm_server_cert_validation", "ansible_winrm_ca_trust_path",
                   "ansible_winrm_operation_timeout_sec", "ansible_winrm_read_timeout_sec", "inventory_dir",
                   "group_names")


def as_text(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str) + "\n"


class WindowsAction(ActionBase):
    MODULE = ""
    TRANSFERS_FILES = False
    _requires_connection = False  # the work is pywinrm on the controller, never the task's connection

    def _connection_vars(self, task_vars: dict) -> dict:
        """The host's own connection variables (not localhost's, when the task is delegated)."""
        name = task_vars["inventory_hostname"]
        own = task_vars.get("hostvars", {}).get(name, {})
        found = {}
        for key in CONNECTION_VARS:
            value = own.get(key, task_vars.get(key)) if hasattr(own, "get") else task_vars.get(key)
            if value is not None:
                found[key] = self._templar.template(value)
        return found

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _, args = self.validate_argument_spec(argument_spec=SPECS[self.MODULE])
        name = task_vars["inventory_hostname"]
        try:
            out = run(self.MODULE, args, name, self._connection_vars(task_vars), check=bool(self._task.check_mode))
        except WinRMError as err:
            return result | {"failed": True, "changed": False, "msg": str(err)}
        diff = out.pop("diff", None)
        if diff and self._task.diff and out.get("changed"):
            out["diff"] = {"before": as_text(diff["before"]), "after": as_text(diff["after"]),
                           "before_header": f"{name} ({self.MODULE}, found)",
                           "after_header": f"{name} ({self.MODULE}, intended)"}
        if out.get("findings"):
            result["warnings"] = list(out["findings"])
        return result | out
