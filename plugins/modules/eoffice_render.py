#!/usr/bin/python
"""Documentation of the eoffice_render action (the work is done on the controller)."""

DOCUMENTATION = r"""
module: eoffice_render
short_description: Render one firewall's e-Office managed rules for review (touches no device)
description:
  - Validates the C(eoffice) policy, builds the managed rules, renders them for the firewall's
    platform, reads the text back and checks the advisory invariants on it; only then writes
    C(<dest>/<ministry>/<host>.<platform>.conf) and C(<dest>/<ministry>/<host>.md), the plain-language
    rule table with the invariant results.
  - Runs on the controller. A file is rewritten only when its content changes, so C(changed) means
    a reviewer has something new to read. Supports check mode and diff mode.
  - Bad input (invalid policy, a shadowed rule, an unknown platform, a platform no zone names) fails the
    task with the file, key path or rules involved, and nothing is written.
options:
  policy:
    description: The value of the C(eoffice) variable.
    type: dict
    required: true
  source:
    description: Where the policy came from, named in error messages.
    type: str
    default: eoffice
  platform:
    description: The firewall platform (C(fortios), C(panos), C(asa), C(nftables)).
    type: str
    required: true
  host:
    description: The firewall's inventory name, used in file names.
    type: str
    required: true
  dest:
    description: The directory under which C(<ministry>/) is written.
    type: path
    default: rendered
version_added: "0.1.0"
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-NET-2 | AUDIT | Render the managed rules of this firewall for review
  eoffice_render:
    policy: "{{ eoffice }}"
    source: "{{ eoffice_validation.policy_file }}"
    platform: "{{ eoffice_platform }}"
    host: "{{ inventory_hostname }}"
    dest: rendered
  delegate_to: localhost
"""

RETURN = r"""
files:
  description: The files this firewall's review consists of, and whether each changed.
  returned: always
  type: list
  sample: [{"path": "rendered/lab/lab-fgt-01.fortios.conf", "changed": false}]
policy_hash:
  description: The content hash of the policy the files were rendered from.
  returned: always
  type: str
invariants:
  description: How many advisory invariant regions were proven for every packet (all held, or the task failed).
  returned: always
  type: int
"""
