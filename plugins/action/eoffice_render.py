"""Action plugin behind ``eoffice_render``: write one firewall's managed rules and review table (controller only).

Its manual is plugins/modules/eoffice_render.py (``ansible-doc -M plugins/modules eoffice_render``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

# Controller-side plugins import the core directly: `ansible.module_utils.*` exists only inside modules.
_CORE = str(Path(__file__).resolve().parents[1] / "module_utils")
if _CORE not in sys.path:
    sys.path.append(_CORE)

from eoffice_guard.compiler import RenderError, compile_for  # noqa: E402
from eoffice_guard.invariants import InvariantError  # noqa: E402
from eoffice_guard.ir import ShadowError  # noqa: E402
from eoffice_guard.policy import PolicyError, validate_policy  # noqa: E402
from eoffice_guard.registry import UnknownPlatform  # noqa: E402
from eoffice_guard.review import review_markdown  # noqa: E402

ERRORS = (PolicyError, ShadowError, InvariantError, RenderError, UnknownPlatform)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("policy", "source", "platform", "host", "dest"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        missing = [k for k in ("policy", "host") if not args.get(k)]
        if missing:
            raise AnsibleActionFail(f"eoffice_render: missing required arguments: {', '.join(missing)}")
        if not args.get("platform"):
            raise AnsibleActionFail(f"{args['host']}: no platform; set the host variable eoffice_platform to one "
                                    "of asa, fortios, nftables, panos")
        source = str(args.get("source") or "eoffice")
        try:
            policy = validate_policy(args["policy"], source)
            compiled = compile_for(policy, str(args["platform"]))
        except ERRORS as err:
            raise AnsibleActionFail(f"nothing was written for {args['host']}:\n{err}") from None
        except Exception as err:  # a defect, not bad input: one line naming the file, never a traceback
            detail = (str(err).strip().splitlines() or ["no detail"])[0][:300]
            raise AnsibleActionFail(f"nothing was written for {args['host']}: compiling {source} for "
                                    f"{args['platform']} failed ({type(err).__name__}: {detail}); "
                                    "please report this") from None
        folder = _shown(Path(os.path.normpath(str(args.get("dest") or "rendered")))) / policy.ministry
        host = str(args["host"])
        outputs = [(folder / f"{host}.{compiled.platform}.conf", compiled.text),
                   (folder / f"{host}.md", review_markdown(policy, compiled, host))]
        files, diffs = [], []
        for path, text in outputs:
            before = path.read_text() if path.is_file() else None
            changed = before != text
            if changed and not self._task.check_mode:
                _write(path, text)
            files.append({"path": str(path), "changed": changed})
            if changed and self._task.diff:
                diffs.append({"before": before or "", "after": text, "before_header": str(path),
                              "after_header": str(path)})
        result.update(changed=any(f["changed"] for f in files), files=files, policy_hash=policy.content_hash,
                      invariants=len(compiled.invariants),
                      msg=f"{host}: {compiled.platform} rules for {policy.ministry}, "
                          f"{len(compiled.invariants)} invariant regions hold for every packet")
        if diffs:
            result["diff"] = diffs
        return result


def _shown(path: Path) -> Path:
    """Relative to where Ansible runs, when inside it: what the operator reads in messages and diffs."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _write(path: Path, text: str) -> None:
    """Whole file or nothing: a reviewer never reads half a config."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
