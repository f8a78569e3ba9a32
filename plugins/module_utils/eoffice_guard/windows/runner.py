"""What each Windows module does on the controller, free of Ansible: arguments and the host's inventory
variables in, the module result out. The action plugins are thin wrappers around ``run``."""

from __future__ import annotations

import datetime

from . import settings as settings_check
from .client import Session, Target, WinRMError
from .control import enforce, read_state
from .defender import Defender
from .edr import EdrAgent
from .password import PasswordPolicy
from .vpn import ADAPTER_PATTERNS, SOFTWARE_PATTERNS, VpnAdapters


def vpn_control(args: dict) -> VpnAdapters:
    return VpnAdapters(policy_vpns=args["approved_vpns"], patterns=(args["adapter_patterns"] or list(ADAPTER_PATTERNS))
                       + list(args.get("extra_adapter_patterns") or []),
                       approved_adapters=args["approved_adapters"],
                       software_patterns=args["software_patterns"] or list(SOFTWARE_PATTERNS),
                       approved_software=args["approved_software"], uninstall_software=args["uninstall_software"],
                       approved_servers=args["approved_servers"],
                       today=datetime.datetime.now(datetime.UTC).date())


def password_control(args: dict) -> PasswordPolicy:
    return PasswordPolicy({**args, "complexity": 1 if args["complexity"] else 0})


def defender_control(args: dict) -> Defender:
    return Defender(args["max_signature_age_hours"], args["update_source"], args["file_share"])


def edr_control(args: dict) -> EdrAgent:
    return EdrAgent(args["profile"])


CONTROLS = {"win_vpn_adapters": vpn_control, "win_password_policy": password_control,
            "win_defender": defender_control, "win_edr_agent": edr_control}


def bad_settings(args: dict) -> str:
    """What a module can refuse before connecting: its own arguments, named as the task wrote them."""
    return "; ".join(f"{path} {why}" for path, why in settings_check.check(args))


def run(module: str, args: dict, name: str, hostvars: dict, *, check: bool) -> dict:
    """The result of one Windows module on one host. Raises WinRMError (one credential-free line)."""
    if module == "win_endpoint_settings":
        return settings_result(args["settings"], name, hostvars)
    problem = bad_settings(args)
    if problem:
        raise WinRMError(f"{name}: nothing was sent: {problem}")
    target = Target.from_hostvars(name, hostvars, args.get("command_timeout", 300))
    with Session(target) as session:
        if module == "win_endpoint_audit":
            state = read_state(session, args.get("edr_profile"))
            return {"changed": False, "state": state, "invocations": session.invocations}
        control = CONTROLS[module](args)
        edr = control.reader_profile() if isinstance(control, EdrAgent) else None
        return enforce(session, control, args.get("gathered"), check=check, edr=edr)


def settings_result(variables: dict, name: str, hostvars: dict) -> dict:
    """The role's variables checked before any host is contacted; each error names the file that set it."""
    by_argument = {arg: variables[var] for arg, var in settings_check.ROLE_VARIABLES.items() if var in variables}
    if not variables.get("windows_endpoint_edr_enabled", True):
        by_argument.pop("profile", None)
    errors = settings_check.check(by_argument, settings_check.ROLE_VARIABLES)
    if not errors:
        return {"changed": False, "msg": f"{name}: the Windows settings are valid"}
    lines = []
    for path, why in errors:
        variable = path.split("[")[0].split(".")[0]
        where = settings_check.defining_file(hostvars.get("inventory_dir"), variable, name,
                                             list(hostvars.get("group_names") or []))
        lines.append(f"{where}: {path} {why}")
    raise WinRMError(f"{name}: nothing was contacted: " + "; ".join(lines))
