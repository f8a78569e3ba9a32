"""Action plugin behind ``eoffice_policy``: validate the ministry's policy file on the controller."""

from __future__ import annotations

import sys
from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

# Controller-side plugins import the core directly: `ansible.module_utils.*` exists only inside modules.
_CORE = str(Path(__file__).resolve().parents[1] / "module_utils")
if _CORE not in sys.path:
    sys.path.append(_CORE)

from eoffice_guard.policy import PolicyError, validate_policy  # noqa: E402

VARS_DIRS = ("group_vars", "host_vars")
YAML_SUFFIXES = {".yml", ".yaml", ".json", ""}


def display_path(path: Path) -> str:
    """The path as the operator typed it: relative to where they run Ansible, when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def vars_files(inventory_dir: Path) -> list[Path]:
    """Every file Ansible reads as group or host variables of this inventory, in a stable order."""
    found = []
    for sub in VARS_DIRS:
        root = inventory_dir / sub
        if root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES]
    return sorted(found)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("inventory_dir", "policy_file"))

    def _load(self, path: Path):
        try:
            return self._loader.load_from_file(str(path))
        except Exception as err:  # YAML syntax, vault, encoding: say which file
            raise AnsibleActionFail(f"{display_path(path)}: cannot be read as YAML: {err}") from err

    @staticmethod
    def _text(path: Path) -> str | None:
        """The file's YAML text for the checks only the text can answer; None for a vault-encrypted file."""
        text = path.read_text(encoding="utf-8", errors="replace")
        return None if text.lstrip().startswith("$ANSIBLE_VAULT") else text

    def _find_policy(self, inventory_dir: Path) -> tuple[Path, object]:
        holders = []
        for path in vars_files(inventory_dir):
            data = self._load(path)
            if isinstance(data, dict) and "eoffice" in data:
                holders.append((path, data["eoffice"]))
        if not holders:
            raise AnsibleActionFail(
                f"{display_path(inventory_dir)}: no group_vars or host_vars file defines `eoffice`; "
                "copy inventories/example-ministry/group_vars/all/eoffice.yml (docs/policy.md)"
            )
        if len(holders) > 1:
            files = ", ".join(display_path(p) for p, _ in holders)
            raise AnsibleActionFail(
                f"`eoffice` is defined in more than one file ({files}); keep one policy per ministry"
            )
        return holders[0]

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        policy_file = self._task.args.get("policy_file")
        if policy_file:
            path = Path(policy_file)
            data = self._load(path)
            if not isinstance(data, dict) or "eoffice" not in data:
                raise AnsibleActionFail(f"{display_path(path)}: has no top-level `eoffice` key")
            raw = data["eoffice"]
        else:
            inventory_dir = self._task.args.get("inventory_dir") or task_vars.get("inventory_dir")
            if not inventory_dir:
                raise AnsibleActionFail("no inventory directory: pass inventory_dir or use an inventory folder")
            path, raw = self._find_policy(Path(inventory_dir))
        try:
            policy = validate_policy(raw, display_path(path), source_text=self._text(path))
        except PolicyError as err:
            raise AnsibleActionFail(f"the e-Office policy is not valid; nothing was touched.\n{err}") from None
        result.update(
            changed=False,
            policy=policy.to_dict(),
            policy_input=policy.as_input(),
            policy_hash=policy.content_hash,
            policy_file=display_path(path),
            msg=f"{display_path(path)}: valid policy for ministry {policy.ministry} "
                f"(sha256 {policy.content_hash[:12]})",
        )
        return result
