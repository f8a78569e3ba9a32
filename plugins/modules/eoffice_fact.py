#!/usr/bin/python
"""Record which advisory controls eoffice-guard applied on a host, in one local fact file."""

from __future__ import annotations

DOCUMENTATION = r"""
module: eoffice_fact
short_description: Record an applied advisory control in the host's local fact
description:
  - Keeps C(/etc/ansible/facts.d/eoffice.fact), a JSON file with one entry per advisory control
    (C(EO-ID-1), ...) holding the settings applied, the eoffice-guard version and when it was applied.
  - The entry, and so its timestamp, changes only when the settings or the version change, so a
    second run reports no change.
  - Ansible shows the file as C(ansible_local.eoffice) after fact gathering.
version_added: "0.1.0"
options:
  control:
    description: The advisory control ID.
    type: str
    required: true
  settings:
    description: What the role enforces for the control (no secrets).
    type: dict
    required: true
  path:
    description: The fact file.
    type: path
    default: /etc/ansible/facts.d/eoffice.fact
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-ID-1 | PATCH | Record the applied password policy
  eoffice_fact:
    control: EO-ID-1
    settings:
      min_length: 14
      faillock_deny: 5
"""

RETURN = r"""
entry:
  description: The control's entry as it is in the file after the run.
  returned: always
  type: dict
  sample: {"settings": {"min_length": 14}, "version": "0.1.0", "applied_at": "2026-11-23T20:01:02Z"}
"""

import json
import os
import tempfile
from datetime import UTC, datetime

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.eoffice_guard_version import VERSION


def read_facts(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    except ValueError:
        return {}  # a corrupt fact file is rewritten rather than trusted
    return data if isinstance(data, dict) else {}


def dump(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_atomically(path: str, text: str) -> None:
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o755, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".eoffice.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "control": {"type": "str", "required": True},
            "settings": {"type": "dict", "required": True},
            "path": {"type": "path", "default": "/etc/ansible/facts.d/eoffice.fact"},
        },
        supports_check_mode=True,
    )
    path, control = module.params["path"], module.params["control"]
    before = read_facts(path)
    current = before.get(control, {})
    settings = json.loads(json.dumps(module.params["settings"], sort_keys=True))
    if current.get("settings") == settings and current.get("version") == VERSION:
        module.exit_json(changed=False, entry=current)
    after = dict(before)
    after[control] = {
        "settings": settings,
        "version": VERSION,
        "applied_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if not module.check_mode:
        write_atomically(path, dump(after))
    module.exit_json(
        changed=True,
        entry=after[control],
        diff={"before": dump(before), "after": dump(after), "before_header": path, "after_header": path},
    )


if __name__ == "__main__":
    main()
