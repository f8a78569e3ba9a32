"""Action plugin behind ``eoffice_host_render``: write an e-Office server's host firewall for review.

Its manual is plugins/modules/eoffice_host_render.py (``ansible-doc -M plugins/modules eoffice_host_render``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

# Controller-side plugins import the core directly: `ansible.module_utils.*` exists only inside modules.
_CORE = str(Path(__file__).resolve().parents[1] / "module_utils")
if _CORE not in sys.path:
    sys.path.append(_CORE)
_HERE = str(Path(__file__).resolve().parent)  # the gateway render action's file helpers
if _HERE not in sys.path:
    sys.path.append(_HERE)

from eoffice_render import _shown, _write  # noqa: E402

from eoffice_guard.ir import ShadowError, build_ir  # noqa: E402
from eoffice_guard.nftables_host import PLATFORM, lockout_problems, render_host  # noqa: E402
from eoffice_guard.policy import PolicyError, validate_policy  # noqa: E402


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("policy", "source", "host", "dest", "write", "addresses", "controller"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        missing = [k for k in ("policy", "host") if not args.get(k)]
        if missing:
            raise AnsibleActionFail(f"eoffice_host_render: missing required arguments: {', '.join(missing)}")
        try:
            policy = validate_policy(args["policy"], str(args.get("source") or "eoffice"))
            ruleset = build_ir(policy)
            text = render_host(ruleset, policy)
        except (PolicyError, ShadowError) as err:
            raise AnsibleActionFail(f"nothing was written for {args['host']}:\n{err}") from None
        lockout = lockout_problems(ruleset, policy, [str(a) for a in args.get("addresses") or []],
                                   str(args["controller"]) if args.get("controller") else None)
        if lockout:  # anti-lockout: refused before the host is touched
            raise AnsibleActionFail(f"{args['host']}: the host firewall would lock out its operators; "
                                    "nothing was loaded:\n" + "\n".join(lockout))
        if not args.get("write", True):
            result.update(changed=False, text=text, policy_hash=policy.content_hash,
                          msg=f"{args['host']}: host firewall for {policy.ministry}, anti-lockout checks hold")
            return result
        path = _shown(Path(os.path.normpath(str(args.get("dest") or "rendered")))) / policy.ministry / (
            f"{args['host']}.{PLATFORM}.conf")
        before = path.read_text() if path.is_file() else None
        changed = before != text
        if changed and not self._task.check_mode:
            _write(path, text)
        result.update(changed=changed, path=str(path), text=text, policy_hash=policy.content_hash,
                      msg=f"{args['host']}: host firewall for {policy.ministry} in {path}")
        if changed and self._task.diff:
            result["diff"] = [{"before": before or "", "after": text, "before_header": str(path),
                               "after_header": str(path)}]
        return result
