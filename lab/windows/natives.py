"""Native programs of the simulated host: ``secedit.exe``, ``msiexec.exe`` (also through
``Start-Process``) and the lab EDR agent's ``labedrctl.exe status``.

secedit follows Microsoft's windows-commands reference: ``/export /cfg FILE [/areas securitypolicy]
[/quiet]`` writes the ``[System Access]`` INF of the local policy, ``/configure /db FILE [/cfg FILE]
[/areas securitypolicy] [/quiet]`` applies the INF's keys. msiexec installs the MSIs of the lab share
(``seeds.EDR_MSI``): exit codes are Windows Installer's (0, 1603, 1605, 1619, 1639).
"""

from __future__ import annotations

import re

from lab.windows import seeds
from lab.windows.host import HostState
from lab.windows.ps.commands import Cmdlet, CommandTable, Invocation, Param
from lab.windows.ps.values import PSObject, as_list, to_str

AREAS = ("securitypolicy", "group_mgmt", "user_rights", "regkeys", "filestore", "services")
POLICY_ORDER = ("MinimumPasswordAge", "MaximumPasswordAge", "MinimumPasswordLength", "PasswordComplexity",
                "PasswordHistorySize", "LockoutBadCount", "ResetLockoutCount", "LockoutDuration",
                "RequireLogonToChangePassword", "ForceLogoffWhenHourExpire", "NewAdministratorName", "NewGuestName",
                "ClearTextPassword", "LSAAnonymousNameLookup", "EnableAdminAccount", "EnableGuestAccount")
#: valid ranges of the account-policy settings (Microsoft's "Account Policies" reference)
RANGES = {"MinimumPasswordLength": (0, 14), "PasswordComplexity": (0, 1), "PasswordHistorySize": (0, 24),
          "MaximumPasswordAge": (-1, 999), "MinimumPasswordAge": (0, 998), "LockoutBadCount": (0, 999),
          "LockoutDuration": (-1, 99999), "ResetLockoutCount": (1, 99999), "ClearTextPassword": (0, 1),
          "RequireLogonToChangePassword": (0, 1), "ForceLogoffWhenHourExpire": (0, 1),
          "LSAAnonymousNameLookup": (0, 1), "EnableAdminAccount": (0, 1), "EnableGuestAccount": (0, 1)}
DONE = "\r\nThe task has completed successfully.\r\nSee log %windir%\\security\\logs\\scesrv.log for detail info.\r\n"
WARNINGS = ("\r\nThe task has completed. Warnings occurred for some attributes during this operation. It's ok to "
            "ignore the warning.\r\nSee log %windir%\\security\\logs\\scesrv.log for detail info.\r\n")
USAGE_ERROR = "\r\nThe parameter is incorrect.\r\n\r\nSee log %windir%\\security\\logs\\scesrv.log for detail info.\r\n"


def _options(args: list[str]) -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    current = None
    for arg in args:
        if arg.startswith("/"):
            current = arg[1:].lower()
            options.setdefault(current, [])
        elif current is not None:
            options[current].append(arg)
    return options


def policy_inf(policy: dict) -> str:
    """The INF ``secedit /export`` writes for the SECURITYPOLICY area."""
    lines = ["[Unicode]", "Unicode=yes", "[System Access]"]
    for key in POLICY_ORDER:
        if key in ("ResetLockoutCount", "LockoutDuration") and not policy.get("LockoutBadCount"):
            continue  # Windows leaves these out while account lockout is off
        lines.append(f"{key} = {policy[key]}")
    lines += ["[Event Audit]", "AuditSystemEvents = 0", "AuditLogonEvents = 0", "AuditObjectAccess = 0",
              "AuditPrivilegeUse = 0", "AuditPolicyChange = 0", "AuditAccountManage = 0", "AuditProcessTracking = 0",
              "AuditDSAccess = 0", "AuditAccountLogon = 0", "[Version]", 'signature="$CHICAGO$"', "Revision=1"]
    return "\r\n".join(lines) + "\r\n"


def parse_inf(text: str) -> dict[str, str]:
    section, values = None, {}
    for raw in text.replace("\ufeff", "").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
        elif section == "system access" and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def secedit(host: HostState):
    def run(interpreter, name: str, args: list[str], pipeline_input, text: str) -> list:
        options = _options(args)
        quiet = "quiet" in options
        areas = [a.lower() for a in options.get("areas", [])]
        if ("export" in options) == ("configure" in options) or ("cfg" in options and not options["cfg"]) or \
                any(a not in AREAS for a in areas):
            return _finish(interpreter, USAGE_ERROR, 87, quiet=False)
        if "export" in options:
            interpreter.commands.recorder("secedit", "read", text)
            if "cfg" not in options:
                return _finish(interpreter, USAGE_ERROR, 87, quiet=False)
            host.write_file(options["cfg"][0], policy_inf(host.data["security_policy"]), "Unicode")
            return _finish(interpreter, DONE, 0, quiet)
        interpreter.commands.recorder("secedit", "change", text)
        if "db" not in options or not options["db"]:
            return _finish(interpreter, USAGE_ERROR, 87, quiet=False)
        host.write_file(options["db"][0], "(security database)", "Binary")
        if "cfg" not in options:
            return _finish(interpreter, DONE, 0, quiet)
        inf = host.read_file(options["cfg"][0])
        if inf is None:
            return _finish(interpreter, f"\r\nAn extended error has occurred. Failed to open the template file "
                                        f"{options['cfg'][0]}.\r\n", 3, quiet=False)
        warned = _apply(host, parse_inf(inf)) if not areas or "securitypolicy" in areas else False
        return _finish(interpreter, WARNINGS if warned else DONE, 3 if warned else 0, quiet)
    return run


def _apply(host: HostState, values: dict[str, str]) -> bool:
    """Apply the INF's [System Access] keys; a value out of range is skipped with a warning, as secedit does."""
    policy = host.data["security_policy"]
    warned = False
    with host.lock:
        for key, value in values.items():
            name = next((k for k in POLICY_ORDER if k.lower() == key.lower()), None)
            if name is None:
                warned = True
                continue
            if name in RANGES:
                try:
                    number = int(value)
                except ValueError:
                    warned = True
                    continue
                low, high = RANGES[name]
                if not low <= number <= high:
                    warned = True
                    continue
                policy[name] = number
            else:
                policy[name] = value
    return warned


def _finish(interpreter, output: str, code: int, quiet: bool) -> list:
    interpreter.set_var("LASTEXITCODE", code)
    interpreter.last_ok = code == 0
    return [] if quiet else [line for line in output.split("\r\n")][:-1]


# ---- MSI -----------------------------------------------------------------------------------------
def msi_arguments(args: list[str]) -> tuple[str | None, str | None, dict[str, str]]:
    action = target = None
    properties: dict[str, str] = {}
    words = [w for a in args for w in (re.findall(r'"[^"]*"|\S+', a) if " " in a and not a.startswith('"') else [a])]
    index = 0
    while index < len(words):
        word = words[index].strip('"')
        lower = word.lower()
        if lower in ("/i", "/package", "/x", "/uninstall") and index + 1 < len(words):
            action, target = ("install" if lower in ("/i", "/package") else "uninstall"), words[index + 1].strip('"')
            index += 2
            continue
        if "=" in word and not word.startswith("/"):
            key, value = word.split("=", 1)
            properties[key.upper()] = value.strip('"')
        index += 1
    return action, target, properties


def run_msiexec(host: HostState, args: list[str]) -> int:
    action, target, properties = msi_arguments(args)
    if action is None or target is None:
        return 1639  # ERROR_INVALID_COMMAND_LINE
    share = host.data["share"]
    if action == "install":
        package = share.get(host.file_key(target))
        if package is None:
            return 1619  # ERROR_INSTALL_PACKAGE_OPEN_FAILED
        token = properties.get(package["EnrolmentProperty"])
        if token is not None and token not in package["ValidTokens"]:
            return 1603  # the agent's custom action refuses the token; the install rolls back
        _install(host, package, token, properties.get(package["TenantProperty"], ""))
        return 0
    code = target if target.startswith("{") else (share.get(host.file_key(target)) or {}).get("ProductCode")
    if code is None or code not in host.data["uninstall"]["native"]:
        return 1605  # ERROR_UNKNOWN_PRODUCT
    _uninstall(host, code)
    return 0


def _install(host: HostState, package: dict, token: str | None, tenant: str) -> None:
    with host.lock:
        host.data["uninstall"]["native"][package["ProductCode"]] = {
            "DisplayName": package["DisplayName"], "DisplayVersion": package["DisplayVersion"],
            "Publisher": package["Publisher"], "WindowsInstaller": 1, "InstallDate": "20261125",
            "UninstallString": f"MsiExec.exe /X{package['ProductCode']}"}
        host.data["services"][package["Service"].lower()] = {
            "Name": package["Service"], "DisplayName": package["ServiceDisplayName"], "Status": "Running",
            "StartType": "Automatic"}
        key = seeds.EDR_STATUS_KEY
        previous = host.data["registry"].get(key.lower(), {}).get("values", {})
        enrolled = 1 if token else previous.get("EnrollmentState", 0)
        values = {"EnrollmentState": enrolled, "TenantId": tenant or previous.get("TenantId", ""),
                  "Version": package["DisplayVersion"]}
        if enrolled:
            # like real agents, the enrolment id exists only once the agent has registered
            values["EnrollmentId"] = previous.get("EnrollmentId") or _enrolment_id(token or "")
        host.data["registry"][key.lower()] = {"Path": key, "values": values}


def _enrolment_id(token: str) -> str:
    import hashlib

    digest = hashlib.sha256(token.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _uninstall(host: HostState, code: str) -> None:
    with host.lock:
        host.data["uninstall"]["native"].pop(code, None)
        for package in host.data["share"].values():
            if package["ProductCode"] == code:
                host.data["services"].pop(package["Service"].lower(), None)
                host.data["registry"].pop(seeds.EDR_STATUS_KEY.lower(), None)


MSIEXEC_NAMES = ("msiexec", "msiexec.exe", "c:\\windows\\system32\\msiexec.exe")


def start_process(host: HostState):
    def run(inv: Invocation) -> list:
        path = to_str(inv.get("FilePath"))
        if path.lower() not in MSIEXEC_NAMES:
            raise inv.fail("This command cannot be run due to the error: The system cannot find the file specified.",
                           category="InvalidOperation", error_id="InvalidOperationException,Microsoft.PowerShell."
                           "Commands.StartProcessCommand", exception="InvalidOperationException")
        code = run_msiexec(host, [to_str(a) for a in as_list(inv.get("ArgumentList"))])
        if not inv.flag("PassThru"):
            return []
        return [PSObject({"Id": 4242, "ProcessName": "msiexec", "HasExited": bool(inv.flag("Wait")),
                          "ExitCode": code if inv.flag("Wait") else None, "__tostring": "System.Diagnostics.Process "
                          "(msiexec)"}, type_name="System.Diagnostics.Process")]
    return run


def msiexec_native(host: HostState):
    def run(interpreter, name: str, args: list[str], pipeline_input, text: str) -> list:
        # msiexec is a GUI program: PowerShell does not wait for it, and $LASTEXITCODE is not set
        interpreter.commands.recorder("msiexec", "change", text)
        run_msiexec(host, args)
        return []
    return run


EDRCTL = "c:\\program files\\labedr\\labedrctl.exe"


def edr_status(host: HostState):
    def run(interpreter, name: str, args: list[str], pipeline_input, text: str) -> list:
        interpreter.commands.recorder("labedrctl", "read", text)
        key = host.data["registry"].get(seeds.EDR_STATUS_KEY.lower())
        if key is None:
            raise _not_recognized(name)
        values = key["values"]
        service = host.data["services"].get(seeds.EDR_SERVICE.lower(), {})
        enrolled = values.get("EnrollmentState") == 1
        interpreter.set_var("LASTEXITCODE", 0 if enrolled else 3)
        interpreter.last_ok = enrolled
        return [f"Lab EDR Agent {values.get('Version', '')}", f"Enrolled: {'yes' if enrolled else 'no'}",
                f"Tenant: {values.get('TenantId', '')}", f"Service: {service.get('Status', 'Missing')}"]
    return run


def _not_recognized(name: str):
    from lab.windows.ps.values import PSRuntimeError

    return PSRuntimeError(f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or "
                          "operable program. Check the spelling of the name, or if a path was included, verify that "
                          "the path is correct and try again.", category="ObjectNotFound",
                          error_id="CommandNotFoundException", target=name, exception="CommandNotFoundException")


def register(table: CommandTable, host: HostState) -> None:
    table.add_native(("secedit", "secedit.exe", "c:\\windows\\system32\\secedit.exe"), secedit(host))
    table.add_native(MSIEXEC_NAMES, msiexec_native(host))
    table.add_native((EDRCTL,), edr_status(host))
    table.add(Cmdlet("Start-Process", start_process(host),
                     [Param("FilePath", position=0, aliases=("PSPath", "Path")),
                      Param("ArgumentList", position=1, aliases=("Args",)), Param("Wait", switch=True),
                      Param("PassThru", switch=True), Param("NoNewWindow", switch=True), Param("WindowStyle"),
                      Param("Verb"), Param("WorkingDirectory"), Param("RedirectStandardOutput"),
                      Param("RedirectStandardError")], kind="change", module="Microsoft.PowerShell.Management"),
              "saps", "start")
