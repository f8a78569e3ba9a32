#!/usr/bin/python
"""Documentation of the eoffice_host_render action (the work is done on the controller)."""

DOCUMENTATION = r"""
module: eoffice_host_render
short_description: Render an e-Office server's own nftables firewall from the policy (touches no host)
description:
  - Validates the C(eoffice) policy, builds the same managed rules as the firewalls get and renders the
    part an e-Office server enforces on itself (EO-NET-1, EO-NET-3, EO-NET-4) - an C(input) and an
    C(output) chain in table C(inet eoffice_guard_host), same rule names and order, logged default
    deny in and out - to C(<dest>/<ministry>/<host>.nftables-host.conf).
  - Runs on the controller. The file is rewritten only when its content changes. Supports check mode
    and diff mode.
  - Bad input (invalid policy, a shadowed rule) fails the task naming the file and key path, and
    nothing is written.
options:
  policy:
    description: The value of the C(eoffice) variable.
    type: dict
    required: true
  source:
    description: Where the policy came from, named in error messages.
    type: str
    default: eoffice
  host:
    description: The server's inventory name, used in the file name.
    type: str
    required: true
  dest:
    description: The directory under which C(<ministry>/) is written.
    type: path
    default: rendered
  write:
    description: Write the file; C(false) only returns RV(text) (the host_firewall role loads it).
    type: bool
    default: true
  addresses:
    description:
      - The server's addresses. With them, the anti-lockout check runs - every C(management) flow
        to each address must be allowed, or the task fails naming the flow and the rule that drops it.
    type: list
    elements: str
    default: []
  controller:
    description: The controller's source address as the host sees it; its SSH session (tcp/22) must be allowed too.
    type: str
version_added: "0.1.0"
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-NET-1 | AUDIT | Render the host firewall of this e-Office server for review
  eoffice_host_render:
    policy: "{{ eoffice }}"
    source: "{{ eoffice_validation.policy_file }}"
    host: "{{ inventory_hostname }}"
  delegate_to: localhost
"""

RETURN = r"""
path:
  description: The rendered file.
  returned: always
  type: str
  sample: rendered/lab/lab-debian12.nftables-host.conf
text:
  description: The rendered ruleset (what is written and what the host_firewall role loads).
  returned: always
  type: str
policy_hash:
  description: The content hash of the policy the file was rendered from.
  returned: always
  type: str
"""
