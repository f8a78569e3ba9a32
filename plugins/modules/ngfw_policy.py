#!/usr/bin/python
"""Bring a firewall's e-Office managed rules (the EO- objects) to the reviewed policy, over SSH with netmiko."""

from __future__ import annotations

DOCUMENTATION = r"""
module: ngfw_policy
short_description: Push the e-Office managed rules to a FortiGate, PAN-OS or Cisco ASA firewall (minimal delta)
description:
  - Runs on the controller and reaches the firewall over SSH with netmiko (device type from O(platform)).
  - Validates the C(eoffice) policy and renders the managed rules for the platform (as
    C(playbooks/render.yml) does). Bad input fails before any device is touched.
  - Reads the running config, takes its managed section (objects and rules whose names start with
    C(EO-)) and computes the smallest ordered delta to the intended rules, adding, changing, deleting
    and moving entries in an order the device accepts. Objects without the C(EO-) prefix are never
    changed.
  - In check mode it returns the delta and, with C(--diff), the managed section before and after; the
    device is not changed.
  - Otherwise it saves the full running config to C(<backup_dir>/<ministry>/<host>/<UTC time>.conf),
    pushes the delta, commits (PAN-OS) or saves (ASA; FortiOS saves as it applies), reads the running
    config again and checks that it holds the intended rules. On any failure it restores the managed
    section as it was before (PAN-OS discards the candidate; FortiOS and ASA get the inverse delta)
    and fails with what happened and what the device holds now.
  - When nothing differs it sends no configuration command and reports C(changed=false).
  - Reports as O(findings) the rules without the C(EO-) prefix that let through a flow the advisory
    forbids (an old any-any allow placed above the managed rules), without touching them.
  - Refuses a change after which a C(management) flow of the policy would be denied (anti-lockout).
  - Verifies the firewall's SSH host key against O(known_hosts) before it logs in; an unknown or
    changed key stops the run, naming host, port and fingerprint, and no password is sent.
  - With O(approved_plan) (the C(commands) of an earlier check-mode run that a person approved) it
    applies only when the plan is still exactly that one; when the device changed meanwhile it stops
    before sending anything and shows the difference.
  - With O(state=gathered) it only reads the running config and checks the advisory invariants on it
    (the managed rules and the ministry's own rules together); it never changes the device.
options:
  state:
    description:
      - C(present) brings the managed rules to the policy; C(gathered) reads and checks only.
    type: str
    default: present
    choices: [present, gathered]
  policy:
    description: The value of the C(eoffice) variable (the ministry's policy).
    type: dict
    required: true
  source:
    description: Where the policy came from, named in error messages.
    type: str
    default: eoffice
  platform:
    description: The firewall platform, the host variable C(eoffice_platform).
    type: str
    required: true
    choices: [fortios, panos, asa]
  name:
    description: The firewall's inventory name, used for the backup folder and in messages.
    type: str
    required: true
  host:
    description: Address of the firewall's SSH service (host variable C(ngfw_host)).
    type: str
    required: true
  port:
    description: SSH port (host variable C(ngfw_port)).
    type: int
    default: 22
  username:
    description: Login name (host variable C(ngfw_username)).
    type: str
    required: true
  password:
    description: Login password (host variable C(ngfw_password), from a vault). Never shown.
    type: str
    required: true
    no_log: true
  secret:
    description: Enable secret of an ASA (host variable C(ngfw_secret)). Never shown.
    type: str
    default: ""
    no_log: true
  backup_dir:
    description: Folder under which C(<ministry>/<host>/<UTC time>.conf) backups are written.
    type: path
    required: true
  known_hosts:
    description:
      - OpenSSH known-hosts file holding the firewall's host key (C([host]:port) entries for ports other
        than 22), host variable C(ngfw_known_hosts). The lab writes its own (docs/lab.md).
    type: path
    default: ~/.ssh/known_hosts
  approved_plan:
    description:
      - The commands a reviewer approved (C(commands) of a check-mode run). When given, the delta is
        applied only if it is still exactly these commands.
    type: list
    elements: str
  timeout:
    description: Seconds to wait for the answer to one command.
    type: float
    default: 60
  commit_timeout:
    description: Seconds to wait for a PAN-OS commit or an ASA C(write memory).
    type: float
    default: 120
version_added: "0.1.0"
author: eoffice-guard
notes:
  - Tested against the lab's SSH simulators of FortiOS 7.2, PAN-OS 10.2 and ASA 9.18 (docs/lab.md).
"""

EXAMPLES = r"""
- name: EO-NET-2 | PATCH | Bring the managed rules of this firewall to the reviewed policy
  ngfw_policy:
    policy: "{{ eoffice }}"
    platform: "{{ eoffice_platform }}"
    name: "{{ inventory_hostname }}"
    host: "{{ ngfw_host }}"
    port: "{{ ngfw_port }}"
    username: "{{ ngfw_username }}"
    password: "{{ ngfw_password }}"
    secret: "{{ ngfw_secret | default('') }}"
    backup_dir: "{{ playbook_dir }}/../backups"
    known_hosts: "{{ ngfw_known_hosts }}"
  delegate_to: localhost
"""

RETURN = r"""
commands:
  description: The configuration commands of the delta, in the order they are (or would be) sent.
  returned: always
  type: list
  elements: str
  sample: ["config firewall address", "edit \"EO-NET-lab-hq-lan-1\"", "set subnet 10.20.0.0 255.255.0.0", "next", "end"]
summary:
  description: One line per object or rule added, changed, deleted or moved.
  returned: always
  type: list
  elements: str
  sample: ["add firewall address EO-NET-lab-hq-lan-1", "move firewall policy EO-R1-MGMT-1-SRV before Ministry-Internet"]
plan_hash:
  description: SHA-256 of the planned commands (one per line), to name the plan a reviewer approved.
  returned: when state is present
  type: str
sent:
  description: How many configuration commands were sent to the device (0 in check mode or when nothing differs).
  returned: always
  type: int
backup:
  description: The backup of the full running config taken before the change (empty when nothing was pushed).
  returned: always
  type: str
  sample: backups/lab/lab-fgt-01/20261123T203332.437728Z.conf
managed_rules:
  description: With O(state=gathered), the managed rules found on the device, in order.
  returned: when state is gathered
  type: list
  elements: str
invariants:
  description:
    - With O(state=gathered), every advisory invariant, proven over all packets of its region, on the
      running config, with an example packet (or the witness packet that breaks it) and its verdict.
  returned: when state is gathered
  type: list
  elements: str
broken:
  description:
    - With O(state=gathered), the invariants the running config breaks, each with a witness packet and
      the rule that decides it (empty when compliant).
  returned: when state is gathered
  type: list
  elements: str
findings:
  description:
    - Rules the project does not own that let through a flow the advisory forbids, read from the running
      config before any change (an old any-any allow above the managed rules). They are left in place.
  returned: when state is present
  type: list
  elements: str
  sample:
    - >-
      unmanaged rule Old-Any (allow any to any, evaluated before the managed rules) lets through
      203.0.113.50 -> 10.10.5.1 tcp/443 [outside -> servers], which the advisory forbids
      (EO-NET-1: internet to e-Office is denied)
device_state:
  description: After a failure, what the managed section holds (C(before), C(intended) or C(unknown)).
  returned: failed
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.eoffice_guard.compiler import RenderError, compile_for
from ansible.module_utils.eoffice_guard.delivery.findings import findings
from ansible.module_utils.eoffice_guard.delivery.hostkeys import HostKeyError
from ansible.module_utils.eoffice_guard.delivery.lockout import Lockout, management_guard
from ansible.module_utils.eoffice_guard.delivery.planning import UnreadableConfig
from ansible.module_utils.eoffice_guard.delivery.session import (
    DeliveryError,
    Device,
    PlanChanged,
    deliver,
    gather,
    plan_hash,
)
from ansible.module_utils.eoffice_guard.invariants import InvariantError
from ansible.module_utils.eoffice_guard.ir import ShadowError
from ansible.module_utils.eoffice_guard.policy import PolicyError, validate_policy

BAD_INPUT = (PolicyError, ShadowError, InvariantError, RenderError)
ARGS = {
    "state": {"type": "str", "default": "present", "choices": ["present", "gathered"]},
    "policy": {"type": "dict", "required": True},
    "source": {"type": "str", "default": "eoffice"},
    "platform": {"type": "str", "required": True, "choices": ["fortios", "panos", "asa"]},
    "name": {"type": "str", "required": True},
    "host": {"type": "str", "required": True},
    "port": {"type": "int", "default": 22},
    "username": {"type": "str", "required": True},
    "password": {"type": "str", "required": True, "no_log": True},
    "secret": {"type": "str", "default": "", "no_log": True},
    "backup_dir": {"type": "path", "required": True},
    "known_hosts": {"type": "path", "default": "~/.ssh/known_hosts"},
    "approved_plan": {"type": "list", "elements": "str"},
    "timeout": {"type": "float", "default": 60},
    "commit_timeout": {"type": "float", "default": 120},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGS, supports_check_mode=True)
    p = module.params
    try:
        policy = validate_policy(p["policy"], p["source"])
        intended = compile_for(policy, p["platform"]).text
    except BAD_INPUT as err:
        module.fail_json(msg=f"{p['name']}: nothing was sent, the policy does not compile:\n{err}")
    except Exception as err:  # a defect, not bad input: one line, and still nothing sent
        module.fail_json(msg=f"{p['name']}: nothing was sent; compiling {p['source']} for {p['platform']} failed "
                             f"({type(err).__name__}: {_line(err)}); please report this")
    device = Device(p["host"], p["port"], p["username"], p["password"], p["platform"], p["secret"],
                    known_hosts=p["known_hosts"])
    if p["state"] == "gathered":
        try:
            module.exit_json(changed=False, **gather(device, policy, p["timeout"]))
        except Exception as err:  # a read only: nothing can have changed
            module.fail_json(msg=f"{p['name']}: the device could not be read ({type(err).__name__}: {_line(err)})")
    try:
        outcome = deliver(device, intended, check=module.check_mode, backup_dir=p["backup_dir"], name=p["name"],
                          ministry=policy.ministry, timeout=p["timeout"], commit_timeout=p["commit_timeout"],
                          guard=management_guard(policy, p["platform"]),
                          review=lambda running: findings(policy, p["platform"], running),
                          approved=p["approved_plan"])
    except DeliveryError as err:
        module.fail_json(msg=f"{p['name']}: {err}", backup=err.backup, device_state=err.state)
    except (Lockout, PlanChanged, HostKeyError, UnreadableConfig) as err:
        module.fail_json(msg=f"{p['name']}: {err}", backup="", device_state="before")
    except Exception as err:  # cannot log in or read: nothing was changed
        module.fail_json(msg=f"{p['name']}: nothing was changed ({type(err).__name__}: {_line(err)})", backup="",
                         device_state="before")
    result = {"changed": outcome.changed, "commands": outcome.commands, "summary": outcome.summary,
              "sent": outcome.sent, "backup": outcome.backup, "findings": outcome.findings,
              "plan_hash": plan_hash(outcome.commands)}
    for finding in outcome.findings:
        module.warn(finding)
    if module._diff and outcome.changed:
        result["diff"] = {"before": outcome.before, "after": outcome.after,
                          "before_header": f"{p['name']} managed section (running)",
                          "after_header": f"{p['name']} managed section (intended)"}
    module.exit_json(**result)


def _line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:300] if text else "no detail"


if __name__ == "__main__":
    main()
