"""Files, registry, CIM, Defender and services cmdlets against the host model.

Output properties and error texts follow Microsoft's documentation of each cmdlet
(Get-ItemProperty, Get-Content, Set-Content, Out-File, Remove-Item, New-TemporaryFile, Test-Path,
Get-CimInstance, Get-MpComputerStatus, Get-MpPreference, Set-MpPreference, Update-MpSignature,
Get-Service, Start-Service, Stop-Service, Set-Service).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from lab.windows.host import TEMP, UNINSTALL, UNINSTALL_WOW, HostState
from lab.windows.ps import methods
from lab.windows.ps.commands import Cmdlet, CommandTable, Invocation, Param
from lab.windows.ps.values import PSObject, Switch, as_list, like_pattern, to_bool, to_str

_TEMP_NAMES = itertools.count(0x3A7F)


def _p(name, position=None, switch=False, aliases=()) -> Param:
    return Param(name, switch=switch, position=position, aliases=tuple(aliases))


def _path_missing(inv: Invocation, path: str, command_class: str) -> None:
    inv.error(f"Cannot find path '{path}' because it does not exist.", category="ObjectNotFound",
              error_id=f"PathNotFound,Microsoft.PowerShell.Commands.{command_class}", target=path,
              exception="System.Management.Automation.ItemNotFoundException")


# ---- files ---------------------------------------------------------------------------------------
def get_content(host: HostState):
    def run(inv: Invocation) -> list:
        out = []
        for path in as_list(inv.get("Path") or inv.get("LiteralPath")):
            text = host.read_file(to_str(path))
            if text is None:
                _path_missing(inv, to_str(path), "GetContentCommand")
                continue
            if inv.flag("Raw"):
                out.append(text)
            else:
                lines = text.replace("\r\n", "\n").split("\n")
                out.extend(lines[:-1] if lines and lines[-1] == "" else lines)
        return out
    return run


def _text_of(values: list, no_newline: bool = False) -> str:
    lines = [to_str(v) for v in values]
    return "".join(lines) if no_newline else "".join(line + "\r\n" for line in lines)


def set_content(host: HostState, append: bool):
    def run(inv: Invocation) -> list:
        values = as_list(inv.get("Value")) if inv.has("Value") else list(inv.input or [])
        text = _text_of(values, inv.flag("NoNewline"))
        for path in as_list(inv.get("Path") or inv.get("LiteralPath")):
            previous = host.read_file(to_str(path)) if append else None
            host.write_file(to_str(path), (previous or "") + text, to_str(inv.get("Encoding", "Default")))
        return []
    return run


def out_file(host: HostState):
    def run(inv: Invocation) -> list:
        from lab.windows.ps.builtins import format_for_host

        values = as_list(inv.get("InputObject")) if inv.has("InputObject") else list(inv.input or [])
        text = _text_of(format_for_host(values), inv.flag("NoNewline"))
        path = to_str(inv.get("FilePath") or inv.get("LiteralPath"))
        previous = host.read_file(path) if inv.flag("Append") else None
        host.write_file(path, (previous or "") + text, to_str(inv.get("Encoding", "Unicode")))
        return []
    return run


def remove_item(host: HostState):
    def run(inv: Invocation) -> list:
        for path in as_list(inv.get("Path") or inv.get("LiteralPath")):
            if not host.delete_file(to_str(path)):
                _path_missing(inv, to_str(path), "RemoveItemCommand")
        return []
    return run


def new_temporary_file(host: HostState):
    def run(inv: Invocation) -> list:
        name = f"tmp{next(_TEMP_NAMES):X}.tmp"
        path = f"{TEMP}\\{name}"
        host.write_file(path, "", "Default")
        return [PSObject({"Name": name, "FullName": path, "DirectoryName": TEMP, "Length": 0, "Extension": ".tmp",
                          "__tostring": path}, type_name="System.IO.FileInfo")]
    return run


def test_path(host: HostState):
    def run(inv: Invocation) -> list:
        out = []
        for path in as_list(inv.get("Path") or inv.get("LiteralPath")):
            text = to_str(path)
            if text.lower().startswith(("hklm:", "registry::")):
                out.append(host.registry_container_exists(host.registry_key(text)))
            else:
                out.append(host.file_exists(text))
        return out
    return run


# ---- registry ------------------------------------------------------------------------------------
def _registry_items(host: HostState, path: str) -> list[tuple[str, dict]] | None:
    key = host.registry_key(path)
    keys = host.registry_keys()
    if "*" in key or "?" in key:
        import re

        pattern = re.compile(like_pattern(key).pattern, re.I | re.S)
        return [v for k, v in sorted(keys.items()) if pattern.match(k)]
    if key in keys:
        return [keys[key]]
    return [] if key in (UNINSTALL, UNINSTALL_WOW) else None


def _registry_object(display: str, values: dict) -> PSObject:
    parent, child = display.rsplit("\\", 1)
    obj = PSObject(dict(values), type_name="System.Management.Automation.PSCustomObject")
    obj["PSPath"] = "Microsoft.PowerShell.Core\\Registry::" + display
    obj["PSParentPath"] = "Microsoft.PowerShell.Core\\Registry::" + parent
    obj["PSChildName"] = child
    obj["PSDrive"] = "HKLM"
    obj["PSProvider"] = "Microsoft.PowerShell.Core\\Registry"
    return obj


def _key_object(display: str, values: dict) -> PSObject:
    """A ``Microsoft.Win32.RegistryKey`` as ``Get-ChildItem HKLM:\\...`` returns it."""
    parent, child = display.rsplit("\\", 1)
    return PSObject({"Name": display, "PSPath": "Microsoft.PowerShell.Core\\Registry::" + display,
                     "PSParentPath": "Microsoft.PowerShell.Core\\Registry::" + parent, "PSChildName": child,
                     "PSDrive": "HKLM", "PSProvider": "Microsoft.PowerShell.Core\\Registry",
                     "Property": list(values), "SubKeyCount": 0, "ValueCount": len(values),
                     "__tostring": display, "__methods": {
                         "getvalue": lambda name, default=None: values.get(to_str(name), default),
                         "getvaluenames": lambda: list(values)}},
                    type_name="Microsoft.Win32.RegistryKey")


def get_child_item(host: HostState):
    def run(inv: Invocation) -> list:
        out = []
        for path in as_list(inv.get("Path") or inv.get("LiteralPath") or "."):
            text = to_str(path)
            if not text.lower().startswith(("hklm:", "registry::", "microsoft.powershell.core\\registry::")):
                folder = host.file_key(text).rstrip("\\") + "\\"
                files = [f for k, f in sorted(host.data["files"].items()) if k.startswith(folder)
                         and "\\" not in k[len(folder):]]
                if not files and not host.file_exists(text):
                    _path_missing(inv, text, "GetChildItemCommand")
                out.extend(PSObject({"Name": f["Path"].rsplit("\\", 1)[-1], "FullName": f["Path"],
                                     "Length": len(f["text"]), "__tostring": f["Path"].rsplit("\\", 1)[-1]},
                                    type_name="System.IO.FileInfo") for f in files)
                continue
            key = host.registry_key(text)
            if not host.registry_container_exists(key):
                _path_missing(inv, text, "GetChildItemCommand")
                continue
            depth = key.count("\\") + 1
            out.extend(_key_object(display, values) for k, (display, values) in sorted(host.registry_keys().items())
                       if k.startswith(key + "\\") and k.count("\\") == depth)
        return out
    return run


def get_item_property(host: HostState, value_only: bool = False):
    def run(inv: Invocation) -> list:
        out = []
        names = [to_str(n) for n in as_list(inv.get("Name"))]
        paths = as_list(inv.get("Path") or inv.get("LiteralPath"))
        if not paths and inv.input:  # Get-ChildItem ... | Get-ItemProperty: bound by PSPath
            paths = [methods.get_member(item, "PSPath") for item in inv.input]
        for path in paths:
            items = _registry_items(host, to_str(path))
            if items is None:
                _path_missing(inv, to_str(path), "GetItemPropertyCommand" if not value_only
                              else "GetItemPropertyValueCommand")
                continue
            for display, values in items:
                obj = _registry_object(display, values)
                if not names:
                    out.append(obj)
                    continue
                missing = [n for n in names if n not in PSObject(values)]
                if missing:
                    inv.error(f"Property {missing[0]} does not exist at path {display}.", category="InvalidArgument",
                              error_id="System.Management.Automation.PSArgumentException,Microsoft.PowerShell."
                                       "Commands.GetItemPropertyCommand", target=missing[0],
                              exception="System.Management.Automation.PSArgumentException")
                    continue
                if value_only:
                    out.extend(obj[n] for n in names)
                else:
                    picked = PSObject({n: obj[n] for n in names})
                    for extra in ("PSPath", "PSParentPath", "PSChildName", "PSDrive", "PSProvider"):
                        picked[extra] = obj[extra]
                    out.append(picked)
        return out
    return run


# ---- CIM -----------------------------------------------------------------------------------------
def get_cim_instance(host: HostState):
    def run(inv: Invocation) -> list:
        name = to_str(inv.get("ClassName")).lower()
        computer = host.data["computer"]
        if name == "win32_computersystem":
            return [PSObject({"Name": computer["Name"], "Domain": computer["Domain"],
                              "PartOfDomain": computer["PartOfDomain"],
                              "Workgroup": None if computer["PartOfDomain"] else computer["Domain"],
                              "Manufacturer": computer["Manufacturer"], "Model": computer["Model"],
                              "DomainRole": 1 if computer["PartOfDomain"] else 0},
                             type_name="Microsoft.Management.Infrastructure.CimInstance#root/cimv2/"
                                       "Win32_ComputerSystem")]
        if name == "win32_operatingsystem":
            return [PSObject({"Caption": "Microsoft Windows 10 Enterprise", "Version": "10.0.19045",
                              "BuildNumber": "19045", "CSName": computer["Name"], "OSArchitecture": "64-bit"},
                             type_name="Microsoft.Management.Infrastructure.CimInstance#root/cimv2/"
                                       "Win32_OperatingSystem")]
        inv.error("Invalid class ", category="MetadataError", error_id="HRESULT 0x80041010",
                  target=to_str(inv.get("ClassName")), exception="Microsoft.Management.Infrastructure.CimException")
        return []
    return run


# ---- Defender ------------------------------------------------------------------------------------
def _defender_running(host: HostState, inv: Invocation) -> bool:
    service = host.data["services"].get("windefend")
    if service is None or service["Status"] != "Running":
        inv.error("Operation failed with the following error: 0x800106ba", category="NotSpecified",
                  error_id="HRESULT 0x800106ba", exception="Microsoft.Management.Infrastructure.CimException")
        return False
    return True


def _signature_time(defender: dict) -> datetime:
    return datetime.strptime(defender["AntivirusSignatureLastUpdated"], "%Y-%m-%dT%H:%M:%S")


def get_mp_computer_status(host: HostState):
    def run(inv: Invocation) -> list:
        if not _defender_running(host, inv):
            return []
        defender = host.data["defender"]
        updated = _signature_time(defender)
        age = max(0, (methods.now() - updated).days)
        return [PSObject({
            "AMEngineVersion": "1.1.24090.11", "AMProductVersion": "4.18.24090.11", "AMRunningMode": "Normal",
            "AMServiceEnabled": defender["AMServiceEnabled"], "AMServiceVersion": "4.18.24090.11",
            "AntispywareEnabled": defender["AntispywareEnabled"],
            "AntispywareSignatureAge": age, "AntispywareSignatureLastUpdated": updated,
            "AntispywareSignatureVersion": defender["AntivirusSignatureVersion"],
            "AntivirusEnabled": defender["AntivirusEnabled"], "AntivirusSignatureAge": age,
            "AntivirusSignatureLastUpdated": updated,
            "AntivirusSignatureVersion": defender["AntivirusSignatureVersion"],
            "BehaviorMonitorEnabled": defender["RealTimeProtectionEnabled"], "ComputerID": "",
            "ComputerState": 0, "DefenderSignaturesOutOfDate": age > 7, "FullScanAge": 4294967295,
            "IoavProtectionEnabled": defender["RealTimeProtectionEnabled"], "IsTamperProtected": False,
            "NISEnabled": defender["RealTimeProtectionEnabled"], "NISSignatureAge": age,
            "NISSignatureLastUpdated": updated, "NISSignatureVersion": defender["AntivirusSignatureVersion"],
            "OnAccessProtectionEnabled": defender["RealTimeProtectionEnabled"],
            "RealTimeProtectionEnabled": defender["RealTimeProtectionEnabled"],
        }, type_name="Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Defender/"
                     "MSFT_MpComputerStatus")]
    return run


def get_mp_preference(host: HostState):
    def run(inv: Invocation) -> list:
        if not _defender_running(host, inv):
            return []
        defender = host.data["defender"]
        return [PSObject({"DisableRealtimeMonitoring": not defender["RealTimeProtectionEnabled"],
                          "SignatureDefinitionUpdateFileSharesSources":
                              defender["SignatureDefinitionUpdateFileSharesSources"] or None,
                          "SignatureFallbackOrder": "MicrosoftUpdateServer|MMPC"},
                         type_name="Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Defender/"
                                   "MSFT_MpPreference")]
    return run


def set_mp_preference(host: HostState):
    def run(inv: Invocation) -> list:
        if not _defender_running(host, inv):
            return []
        defender = host.data["defender"]
        with host.lock:
            if inv.has("DisableRealtimeMonitoring"):
                defender["RealTimeProtectionEnabled"] = not to_bool(inv.get("DisableRealtimeMonitoring"))
            if inv.has("SignatureDefinitionUpdateFileSharesSources"):
                defender["SignatureDefinitionUpdateFileSharesSources"] = to_str(
                    inv.get("SignatureDefinitionUpdateFileSharesSources"))
        return []
    return run


UPDATE_SOURCES = ("InternalDefinitionUpdateServer", "MicrosoftUpdateServer", "MMPC", "FileShares")


def update_mp_signature(host: HostState):
    def run(inv: Invocation) -> list:
        if not _defender_running(host, inv):
            return []
        defender = host.data["defender"]
        requested = to_str(inv.get("UpdateSource", "MicrosoftUpdateServer"))
        source_name = next((s for s in UPDATE_SOURCES if s.lower() == requested.lower()), None)
        if source_name is None:
            raise inv.fail(f"Cannot bind parameter 'UpdateSource'. Cannot convert value \"{requested}\" to type "
                           "\"Microsoft.PowerShell.Cmdletization.GeneratedTypes.MpSignatureUpdateSource\". Error: "
                           f"\"Unable to match the identifier name {requested} to a valid enumerator name. Specify "
                           "one of the following enumerator names and try again:\r\n"
                           f"{', '.join(UPDATE_SOURCES)}\"", category="InvalidArgument",
                           error_id="CannotConvertArgumentNoMessage,Update-MpSignature",
                           exception="ParameterBindingException")
        source = defender["sources"].get(source_name, {"reachable": False})
        if source_name == "FileShares" and not defender["SignatureDefinitionUpdateFileSharesSources"]:
            source = {"reachable": False}
        if not source.get("reachable"):
            inv.error("Virus and spyware definitions update was completed with errors.", category="NotSpecified",
                      error_id="HRESULT 0x8024402c", exception="Microsoft.Management.Infrastructure.CimException")
            return []
        published = (methods.now() - timedelta(hours=source["age_hours"])).replace(microsecond=0)
        with host.lock:
            if published > _signature_time(defender):
                defender["AntivirusSignatureLastUpdated"] = published.strftime("%Y-%m-%dT%H:%M:%S")
                defender["AntivirusSignatureVersion"] = source["version"]
        return []
    return run


# ---- services ------------------------------------------------------------------------------------
def _service_object(service: dict) -> PSObject:
    return PSObject({"Name": service["Name"], "DisplayName": service["DisplayName"], "Status": service["Status"],
                     "StartType": service["StartType"], "ServiceName": service["Name"],
                     "CanStop": service["Status"] == "Running", "ServiceType": "Win32OwnProcess",
                     "__tostring": service["Name"]}, type_name="System.ServiceProcess.ServiceController")


def _services(host: HostState, inv: Invocation, command_class: str) -> list[dict]:
    if inv.has("InputObject") or inv.input:
        names = {to_str(methods.get_member(o, "Name")).lower() for o in as_list(inv.get("InputObject") or inv.input)}
        return [s for s in host.data["services"].values() if s["Name"].lower() in names]
    if not inv.has("Name") and not inv.has("DisplayName"):
        return sorted(host.data["services"].values(), key=lambda s: s["Name"].lower())
    chosen = []
    prop = "Name" if inv.has("Name") else "DisplayName"
    import re

    for pattern in as_list(inv.get(prop)):
        regex = re.compile(like_pattern(to_str(pattern)).pattern, re.I | re.S)
        found = [s for s in host.data["services"].values() if regex.match(s[prop])]
        if not found and "*" not in to_str(pattern):
            label = "service name" if prop == "Name" else "display name"
            inv.error(f"Cannot find any service with {label} '{to_str(pattern)}'.", category="ObjectNotFound",
                      error_id=f"NoServiceFoundForGiven{prop},Microsoft.PowerShell.Commands.{command_class}",
                      target=to_str(pattern), exception="Microsoft.PowerShell.Commands.ServiceCommandException")
        chosen.extend(s for s in found if s not in chosen)
    return chosen


def get_service(host: HostState):
    def run(inv: Invocation) -> list:
        return [_service_object(s) for s in _services(host, inv, "GetServiceCommand")]
    return run


def start_stop_service(host: HostState, start: bool):
    def run(inv: Invocation) -> list:
        out = []
        for service in _services(host, inv, "StartServiceCommand" if start else "StopServiceCommand"):
            if start and service["StartType"] == "Disabled":
                inv.error(f"Service '{service['DisplayName']} ({service['Name']})' cannot be started due to the "
                          f"following error: Cannot start service {service['Name']} on computer '.'.",
                          category="OpenError", error_id="CouldNotStartService,Microsoft.PowerShell.Commands."
                                                         "StartServiceCommand", target=service["Name"],
                          exception="Microsoft.PowerShell.Commands.ServiceCommandException")
                continue
            with host.lock:
                service["Status"] = "Running" if start else "Stopped"
            if inv.flag("PassThru"):
                out.append(_service_object(service))
        return out
    return run


START_TYPES = ("Automatic", "Manual", "Disabled", "Boot", "System")


def set_service(host: HostState):
    def run(inv: Invocation) -> list:
        start_type = inv.get("StartupType")
        if start_type is not None:
            match = next((t for t in START_TYPES if t.lower() == to_str(start_type).lower()), None)
            if match is None:
                raise inv.fail(f"Cannot bind parameter 'StartupType'. Cannot convert value \"{to_str(start_type)}\" "
                               "to type \"System.ServiceProcess.ServiceStartMode\". Error: \"Unable to match the "
                               f"identifier name {to_str(start_type)} to a valid enumerator name. Specify one of the "
                               f"following enumerator names and try again:\r\n{', '.join(START_TYPES)}\"",
                               category="InvalidArgument", error_id="CannotConvertArgumentNoMessage,Microsoft."
                               "PowerShell.Commands.SetServiceCommand", exception="ParameterBindingException")
            start_type = match
        for service in _services(host, inv, "SetServiceCommand"):
            with host.lock:
                if start_type is not None:
                    service["StartType"] = start_type
                if inv.has("Status"):
                    service["Status"] = "Running" if to_str(inv.get("Status")).lower() == "running" else "Stopped"
        return []
    return run


def register(table: CommandTable, host: HostState) -> None:
    path = [_p("Path", 0), _p("LiteralPath", aliases=("PSPath", "LP"))]
    mgmt = "Microsoft.PowerShell.Management"
    table.add(Cmdlet("Get-Content", get_content(host), [*path, _p("Raw", switch=True), _p("Encoding"),
                                                           _p("TotalCount", aliases=("First", "Head")),
                                                           _p("ReadCount")], module=mgmt), "gc", "cat", "type")
    content_params = [*path, _p("Value", 1), _p("Encoding"), _p("Force", switch=True), _p("NoNewline", switch=True)]
    table.add(Cmdlet("Set-Content", set_content(host, False), content_params, kind="file", module=mgmt,
                     should_process=True), "sc")
    table.add(Cmdlet("Add-Content", set_content(host, True), content_params, kind="file", module=mgmt,
                     should_process=True), "ac")
    table.add(Cmdlet("Out-File", out_file(host), [_p("FilePath", 0, aliases=("Path",)), _p("LiteralPath"),
                                                   _p("Encoding", 1), _p("InputObject"), _p("Append", switch=True),
                                                   _p("Force", switch=True), _p("NoNewline", switch=True),
                                                   _p("NoClobber", switch=True), _p("Width")], kind="file",
                     should_process=True))
    table.add(Cmdlet("Remove-Item", remove_item(host), [*path, _p("Force", switch=True), _p("Recurse", switch=True)],
                     kind="file", should_process=True, module=mgmt), "del", "rm", "ri", "erase")
    table.add(Cmdlet("New-TemporaryFile", new_temporary_file(host), [], kind="file", should_process=True))
    table.add(Cmdlet("Test-Path", test_path(host), [*path, _p("PathType"), _p("IsValid", switch=True)], module=mgmt))
    table.add(Cmdlet("Get-ItemProperty", get_item_property(host), [*path, _p("Name", 1)], module=mgmt), "gp")
    table.add(Cmdlet("Get-ChildItem", get_child_item(host), [*path, _p("Filter", 1), _p("Recurse", switch=True),
                                                             _p("Force", switch=True), _p("Name", switch=True)],
                     module=mgmt), "gci", "ls", "dir")
    table.add(Cmdlet("Get-ItemPropertyValue", get_item_property(host, value_only=True), [*path, _p("Name", 1)],
                     module=mgmt), "gpv")
    table.add(Cmdlet("Get-CimInstance", get_cim_instance(host),
                     [_p("ClassName", 0, aliases=("Class",)), _p("Namespace"), _p("Filter"), _p("CimSession"),
                      _p("ComputerName")], module="CimCmdlets"))
    table.add(Cmdlet("Get-MpComputerStatus", get_mp_computer_status(host),
                     [_p("CimSession"), _p("ThrottleLimit"), _p("AsJob", switch=True)], module="Defender"))
    table.add(Cmdlet("Get-MpPreference", get_mp_preference(host), [_p("CimSession")], module="Defender"))
    table.add(Cmdlet("Set-MpPreference", set_mp_preference(host),
                     [_p("DisableRealtimeMonitoring", aliases=("drtm",)),
                      _p("SignatureDefinitionUpdateFileSharesSources", aliases=("sdufss",)),
                      _p("Force", switch=True), _p("CimSession")], kind="change", module="Defender"))
    table.add(Cmdlet("Update-MpSignature", update_mp_signature(host), [_p("UpdateSource"), _p("AsJob", switch=True),
                                                                       _p("CimSession")], kind="change",
                     module="Defender"))
    svc = [_p("Name", 0, aliases=("ServiceName",)), _p("DisplayName"), _p("InputObject"), _p("PassThru", switch=True)]
    table.add(Cmdlet("Get-Service", get_service(host), [*svc[:3], _p("ComputerName"),
                                                         _p("DependentServices", switch=True)], module=mgmt), "gsv")
    table.add(Cmdlet("Start-Service", start_stop_service(host, True), svc, kind="change", should_process=True,
                     module=mgmt), "sasv")
    table.add(Cmdlet("Stop-Service", start_stop_service(host, False), [*svc, _p("Force", switch=True),
                                                                        _p("NoWait", switch=True)],
                     kind="change", should_process=True, module=mgmt), "spsv")
    table.add(Cmdlet("Set-Service", set_service(host), [*svc[:3], _p("StartupType", aliases=("StartMode", "ST")),
                                                         _p("Status"), _p("Description"), _p("PassThru", switch=True)],
                     kind="change", should_process=True, module=mgmt))


__all__ = ["Switch", "register"]
