#!/usr/bin/python
"""Load an e-Office server's host firewall with a confirm timer, touching only the project's table."""

from __future__ import annotations

DOCUMENTATION = r"""
module: eoffice_host_firewall
short_description: Load the host firewall of an e-Office server, restored by the host unless confirmed
description:
  - With I(action=apply) the rendered ruleset (one C(inet) table, replaced on its own so other tables
    stay) is checked with C(nft -c -f), the table's current state is saved, the new ruleset is loaded
    and a transient systemd timer is started that restores the saved state after I(confirm_timeout)
    seconds, as C(commit confirmed) does on routers.
  - With I(action=confirm) - run by the controller over a fresh connection, which proves it still
    reaches the host - the timer is stopped and the ruleset is written to I(path) (included from
    C(/etc/nftables.conf), so it survives a reboot). If the timer already fired, the task fails.
  - Nothing changes when the file and the live table are already what the policy says. Check mode
    reports what would change and changes nothing.
version_added: "0.1.0"
options:
  text:
    description: The rendered ruleset (C(eoffice_host_render)); required for I(action=apply).
    type: str
  table:
    description: The project's table; the only one this module touches.
    type: str
    default: eoffice_guard_host
  path:
    description: The persistent ruleset file.
    type: path
    default: /etc/nftables.d/eoffice-guard.nft
  state_dir:
    description: Where the pending ruleset, the saved previous state and the live listing are kept.
    type: path
    default: /var/lib/eoffice-guard
  action:
    description: C(apply) loads with a confirm timer, C(confirm) stops the timer and persists.
    type: str
    choices: [apply, confirm]
    default: apply
  confirm_timeout:
    description: Seconds after loading within which the controller must confirm.
    type: int
    default: 60
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-NET-1 | PATCH | Load the host firewall with a confirm timer
  eoffice_host_firewall:
    text: "{{ rendered.text }}"
    confirm_timeout: 60
  register: loaded

- name: EO-NET-1 | PATCH | Confirm the host firewall
  eoffice_host_firewall:
    action: confirm
  when: loaded is changed
"""

RETURN = r"""
pending:
  description: A ruleset was loaded and waits for confirmation (I(action=apply)).
  returned: always
  type: bool
rollback_unit:
  description: The transient systemd unit that restores the previous state unless confirmed.
  returned: always
  type: str
  sample: eoffice-guard-firewall-rollback
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

ROLLBACK_UNIT = "eoffice-guard-firewall-rollback"


class Firewall:
    def __init__(self, module: AnsibleModule) -> None:
        self.m = module
        p = module.params
        self.table, self.path, self.dir = p["table"], p["path"], p["state_dir"]
        self.pending = os.path.join(self.dir, "host-firewall.pending.nft")
        self.previous = os.path.join(self.dir, "host-firewall.previous.nft")
        self.listing = os.path.join(self.dir, "host-firewall.live")

    def run(self, *args: str, check: bool = True, data: str | None = None) -> tuple[int, str]:
        rc, out, err = self.m.run_command(list(args), data=data, environ_update={"LC_ALL": "C"})
        if check and rc != 0:
            self.m.fail_json(msg=f"`{' '.join(args)}` failed (rc={rc}): {err.strip() or out.strip()}")
        return rc, out

    def live(self) -> str | None:
        rc, out = self.run("nft", "list", "table", "inet", self.table, check=False)
        return out if rc == 0 else None

    def replace_table(self, body: str | None) -> str:
        """An nft file that replaces only our table: created empty, deleted, then rebuilt (or not)."""
        return f"table inet {self.table} {{}}\ndelete table inet {self.table}\n" + (body or "")

    def timer_active(self) -> bool:
        rc, _ = self.run("systemctl", "is-active", f"{ROLLBACK_UNIT}.timer", check=False)
        return rc == 0


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write(path: str, text: str, mode: int = 0o600) -> None:
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".eoffice.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def apply(module: AnsibleModule, fw: Firewall) -> None:
    text = module.params["text"]
    if text is None:
        module.fail_json(msg="text is required with action=apply")
    live = fw.live()
    in_step = read(fw.path) == text and live is not None and live == read(fw.listing)
    if in_step and not fw.timer_active():
        module.exit_json(changed=False, pending=False, rollback_unit=ROLLBACK_UNIT)
    diff = {"before": read(fw.path) or "", "after": text, "before_header": fw.path, "after_header": fw.path}
    if module.check_mode:
        module.exit_json(changed=True, pending=False, rollback_unit=ROLLBACK_UNIT, diff=diff)
    write(fw.pending, text)
    fw.run("nft", "-c", "-f", fw.pending)  # nft's own checker, before anything is loaded
    if not fw.timer_active():  # a pending earlier load keeps its own saved state to return to
        write(fw.previous, fw.replace_table(live))
    fw.run("systemctl", "stop", f"{ROLLBACK_UNIT}.timer", check=False)
    fw.run("systemctl", "reset-failed", f"{ROLLBACK_UNIT}.service", check=False)
    fw.run("nft", "-f", fw.pending)
    fw.run("systemd-run", f"--unit={ROLLBACK_UNIT}", f"--on-active={module.params['confirm_timeout']}s",
           "--timer-property=AccuracySec=1s", "/usr/sbin/nft", "-f", fw.previous)
    module.exit_json(changed=True, pending=True, rollback_unit=ROLLBACK_UNIT, diff=diff)


def confirm(module: AnsibleModule, fw: Firewall) -> None:
    pending = read(fw.pending)
    if pending is None:
        module.exit_json(changed=False, pending=False, rollback_unit=ROLLBACK_UNIT)
    if module.check_mode:
        module.exit_json(changed=True, pending=True, rollback_unit=ROLLBACK_UNIT)
    if not fw.timer_active():
        os.unlink(fw.pending)
        module.fail_json(msg=f"the confirm came too late: {ROLLBACK_UNIT} already restored the previous "
                             "ruleset on the host; nothing was persisted")
    fw.run("systemctl", "stop", f"{ROLLBACK_UNIT}.timer")
    write(fw.path, pending, 0o644)
    write(fw.listing, fw.live() or "")
    os.unlink(fw.pending)
    module.exit_json(changed=True, pending=False, rollback_unit=ROLLBACK_UNIT)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "text": {"type": "str"},
            "table": {"type": "str", "default": "eoffice_guard_host"},
            "path": {"type": "path", "default": "/etc/nftables.d/eoffice-guard.nft"},
            "state_dir": {"type": "path", "default": "/var/lib/eoffice-guard"},
            "action": {"type": "str", "choices": ["apply", "confirm"], "default": "apply"},
            "confirm_timeout": {"type": "int", "default": 60},
        },
        supports_check_mode=True,
    )
    fw = Firewall(module)
    (apply if module.params["action"] == "apply" else confirm)(module, fw)


if __name__ == "__main__":
    main()
