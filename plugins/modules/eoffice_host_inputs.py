#!/usr/bin/python
"""Documentation of the eoffice_host_inputs action (the work is done on the controller)."""

DOCUMENTATION = r"""
module: eoffice_host_inputs
short_description: Check the endpoint roles' inputs of every host before any host is contacted
description:
  - Runs on the controller, once. For each host it checks the C(vpn_ban) and C(host_firewall) inputs
    set in the inventory - every approved VPN has an C(expires) date, interface name patterns are valid
    regular expressions, C(vpn_ban_terminates) names the policy's C(approved_vpns), and the
    C(eoffice_host_addresses) of a host in C(eoffice_servers) lie in the policy's e-Office network.
  - Each problem is one line naming the inventory file, the key path and what would be valid.
options:
  policy:
    description: The value of the C(eoffice) variable.
    type: dict
    required: true
  source:
    description: Where the policy came from, named in error messages.
    type: str
    default: eoffice
  hosts:
    description: The hosts to check.
    type: list
    elements: str
    required: true
  servers:
    description: The hosts that are e-Office servers.
    type: list
    elements: str
    default: []
version_added: "0.1.0"
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-GOV-1 | AUDIT | Check the endpoint roles' inputs
  eoffice_host_inputs:
    policy: "{{ eoffice }}"
    hosts: "{{ groups['linux'] | default([]) }}"
    servers: "{{ groups['eoffice_servers'] | default([]) }}"
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
msg:
  description: How many hosts were checked.
  returned: always
  type: str
"""
