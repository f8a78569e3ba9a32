"""Action plugin behind ``win_password_policy``: runs on the controller (see plugins/modules/win_password_policy.py)."""

from __future__ import annotations

import sys
from pathlib import Path

_CORE = str(Path(__file__).resolve().parents[1] / "module_utils")
if _CORE not in sys.path:
    sys.path.append(_CORE)

from eoffice_guard.windows.ansible_action import WindowsAction  # noqa: E402


class ActionModule(WindowsAction):
    MODULE = "win_password_policy"
