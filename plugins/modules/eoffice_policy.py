#!/usr/bin/python
"""Documentation of the eoffice_policy action (the work is done on the controller)."""

DOCUMENTATION = r"""
module: eoffice_policy
short_description: Validate a ministry's e-Office policy before any host or device is touched
description:
  - Finds the file under the inventory's C(group_vars/) or C(host_vars/) that defines C(eoffice),
    validates it (format in C(docs/policy.md)) and returns the normalised policy and its content hash.
  - "On bad input the task fails with one line per problem, each naming the file, the key path and
    what would be valid, e.g.
    C(inventories/lab/group_vars/all/eoffice.yml: eoffice.networks.lab-hq-lan[0]: '10.20.0.0/33' is not ...)."
  - Runs on the controller only; it contacts no host. Every playbook of the project runs it first.
version_added: "0.1.0"
options:
  inventory_dir:
    description: The ministry's inventory folder. Defaults to the C(inventory_dir) of the host.
    type: path
  policy_file:
    description:
      - Validate this file instead of searching the inventory.
      - The file must have a top-level C(eoffice) key.
    type: path
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-GOV-1 | AUDIT | Validate the ministry's e-Office policy
  eoffice_policy:
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
policy:
  description: The normalised policy (lists sorted, networks collapsed, dates as ISO strings).
  returned: success
  type: dict
policy_hash:
  description: sha256 of the canonical policy; the same for the same content whatever the key order.
  returned: success
  type: str
policy_file:
  description: The file the policy came from, relative to the working directory.
  returned: success
  type: str
"""
