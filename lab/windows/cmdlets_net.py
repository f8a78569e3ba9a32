"""NetAdapter, NetTCPIP and VpnClient cmdlets against the host model, with the output properties and
errors of Microsoft's documentation (Get-NetAdapter, Disable-NetAdapter, Enable-NetAdapter,
Get-NetIPAddress, Get-NetTCPConnection, Get-VpnConnection, Remove-VpnConnection)."""

from __future__ import annotations

import re

from lab.windows.host import HostState
from lab.windows.ps.commands import Cmdlet, CommandTable, Invocation, Param
from lab.windows.ps.values import PSObject, as_list, like_pattern, to_int, to_str

CIM = "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/"


def _matches(value: str, patterns) -> bool:
    return any(re.compile(like_pattern(to_str(p)).pattern, re.I | re.S).match(value) for p in as_list(patterns))


def _adapter_object(adapter: dict) -> PSObject:
    return PSObject({
        "Name": adapter["Name"], "InterfaceDescription": adapter["InterfaceDescription"],
        "ifIndex": adapter["ifIndex"], "Status": adapter["Status"], "MacAddress": adapter["MacAddress"],
        "LinkSpeed": adapter.get("LinkSpeed", ""), "InterfaceIndex": adapter["ifIndex"],
        "InterfaceAlias": adapter["Name"], "ifAlias": adapter["Name"], "ifDesc": adapter["InterfaceDescription"],
        "DriverDescription": adapter["DriverDescription"], "AdminStatus": adapter["AdminStatus"],
        "MediaConnectionState": "Connected" if adapter["Status"] == "Up" else "Disconnected",
        "HardwareInterface": adapter["HardwareInterface"], "Virtual": not adapter["HardwareInterface"],
        "Hidden": bool(adapter.get("hidden")), "InterfaceOperationalStatus": 1 if adapter["Status"] == "Up" else 2,
        "__tostring": "MSFT_NetAdapter (CreationClassName = \"MSFT_NetAdapter\", DeviceID = \"{" +
                      str(adapter["ifIndex"]) + "}\", SystemCreationClassName = \"CIM_NetworkPort\", "
                      "SystemName = \"LAB\")",
    }, type_name=CIM + "MSFT_NetAdapter")


def _not_found(inv: Invocation, cim_class: str, prop: str, value) -> None:
    inv.error(f"No {cim_class} objects found with property '{prop}' equal to '{to_str(value)}'.  Verify the value "
              "of the property and retry.", category="ObjectNotFound",
              error_id=f"CmdletizationQuery_NotFound_{prop}", target=to_str(value),
              exception="Microsoft.PowerShell.Cmdletization.Cim.CimJobException")


def _select_adapters(host: HostState, inv: Invocation) -> list[dict]:
    # hidden adapters (the WAN Miniports) only with -IncludeHidden, as Microsoft documents it
    selected = [a for a in host.adapters if inv.flag("IncludeHidden") or not a.get("hidden")]
    for prop, key in (("Name", "Name"), ("InterfaceDescription", "InterfaceDescription")):
        if inv.has(prop):
            chosen = []
            for pattern in as_list(inv.get(prop)):
                found = [a for a in selected if _matches(a[key], [pattern])]
                if not found and "*" not in to_str(pattern):
                    _not_found(inv, "MSFT_NetAdapter", prop, pattern)
                chosen.extend(a for a in found if a not in chosen)
            selected = chosen
    if inv.has("InterfaceIndex"):
        wanted = {to_int(i) for i in as_list(inv.get("InterfaceIndex"))}
        selected = [a for a in selected if a["ifIndex"] in wanted]
    if inv.flag("Physical"):
        selected = [a for a in selected if a["HardwareInterface"]]
    return selected


def get_net_adapter(host: HostState):
    def run(inv: Invocation) -> list:
        return [_adapter_object(a) for a in sorted(_select_adapters(host, inv), key=lambda a: a["Name"].lower())]
    return run


def _target_adapters(host: HostState, inv: Invocation) -> list[dict]:
    if inv.has("InputObject") or inv.input:
        names = {to_str(o.get("Name")).lower() for o in as_list(inv.get("InputObject") or inv.input)
                 if isinstance(o, PSObject)}
        return [a for a in host.adapters if a["Name"].lower() in names]  # objects carry hidden ones too
    return _select_adapters(host, inv)


def set_adapter_state(host: HostState, enable: bool, faults):
    def run(inv: Invocation) -> list:
        out = []
        for adapter in _target_adapters(host, inv):
            if not enable and adapter["Name"] == faults().stuck_adapter:
                inv.error("The network adapter cannot be disabled: the device driver refused the request.",
                          category="NotSpecified", error_id="Windows System Error 1167",
                          target=adapter["Name"], exception="Microsoft.Management.Infrastructure.CimException")
                continue
            with host.lock:
                if enable and adapter["Status"] == "Disabled":
                    adapter["Status"] = adapter.pop("status_when_enabled", "Up")
                elif not enable and adapter["Status"] != "Disabled":
                    adapter["status_when_enabled"] = adapter["Status"]
                    adapter["Status"] = "Disabled"
                adapter["AdminStatus"] = "Up" if enable else "Down"
            if inv.flag("PassThru"):
                out.append(_adapter_object(adapter))
        return out
    return run


def _ip_objects(host: HostState) -> list[PSObject]:
    rows = [("127.0.0.1", 1, "Loopback Pseudo-Interface 1", 8, "WellKnown")]
    rows += [(a["ipv4"], a["ifIndex"], a["Name"], 24, "Manual") for a in host.adapters
             if a.get("ipv4") and a["Status"] != "Disabled"]
    return [PSObject({"IPAddress": ip, "InterfaceIndex": index, "InterfaceAlias": alias, "AddressFamily": "IPv4",
                      "Type": "Unicast", "PrefixLength": prefix, "PrefixOrigin": origin, "SuffixOrigin": origin,
                      "AddressState": "Preferred", "__tostring": f"MSFT_NetIPAddress (Name = \"{ip}\")"},
                     type_name=CIM + "MSFT_NetIPAddress") for ip, index, alias, prefix, origin in rows]


def get_net_ip_address(host: HostState):
    def run(inv: Invocation) -> list:
        objects = _ip_objects(host)
        for prop in ("IPAddress", "InterfaceIndex", "InterfaceAlias", "AddressFamily"):
            if inv.has(prop):
                wanted = as_list(inv.get(prop))
                kept = [o for o in objects if _matches(to_str(o[prop]), wanted)]
                if not kept:
                    _not_found(inv, "MSFT_NetIPAddress", prop, inv.get(prop))
                objects = kept
        return objects
    return run


def get_net_tcp_connection(host: HostState):
    def run(inv: Invocation) -> list:
        management = host.management_adapter()
        local = management["ipv4"] if management else "127.0.0.1"
        rows = [("0.0.0.0", port, "0.0.0.0", 0, "Listen") for port in host.listen_ports]
        rows += [(local, port, remote, remote_port, "Established")
                 for port, remote, remote_port in list(host.connections)]
        objects = [PSObject({"LocalAddress": a, "LocalPort": p, "RemoteAddress": ra, "RemotePort": rp, "State": s,
                             "AppliedSetting": "Internet" if s == "Established" else "", "OwningProcess": 4},
                            type_name=CIM + "MSFT_NetTCPConnection") for a, p, ra, rp, s in rows]
        for prop in ("LocalPort", "State", "LocalAddress", "RemoteAddress", "RemotePort"):
            if inv.has(prop):
                wanted = as_list(inv.get(prop))
                objects = [o for o in objects if _matches(to_str(o[prop]), wanted)]
                if not objects:
                    _not_found(inv, "MSFT_NetTCPConnection", prop, inv.get(prop))
                    return []
        return objects
    return run


def _vpn_object(profile: dict) -> PSObject:
    return PSObject({
        "Name": profile["Name"], "ServerAddress": profile["ServerAddress"],
        "AllUserConnection": profile["AllUserConnection"], "Guid": "{" + f"{abs(hash(profile['Name'])) % 10**8:08d}"
                                                                          "-0000-4000-8000-00000000c0de}",
        "TunnelType": profile["TunnelType"], "AuthenticationMethod": list(profile["AuthenticationMethod"]),
        "EncryptionLevel": profile["EncryptionLevel"], "L2tpIPsecAuth": profile.get("L2tpIPsecAuth", ""),
        "UseWinlogonCredential": False, "EapConfigXmlStream": None,
        "ConnectionStatus": profile["ConnectionStatus"], "NapState": "NotConnected",
        "RememberCredential": profile["RememberCredential"],
        "SplitTunneling": profile["SplitTunneling"], "DnsSuffix": "", "IdleDisconnectSeconds": 0,
    }, type_name="Microsoft.Management.Infrastructure.CimInstance#root/Microsoft/Windows/RemoteAccess/Client/"
                 "VpnConnection")


def _vpn_scope(host: HostState, inv: Invocation) -> list[dict]:
    all_users = inv.flag("AllUserConnection")
    return [p for p in host.data["vpn_connections"] if p["AllUserConnection"] == all_users]


def _vpn_missing(inv: Invocation, name) -> None:
    inv.error(f"VPN connection {to_str(name)} cannot be found.", category="ObjectNotFound",
              error_id="VPN 623", target=to_str(name), exception="Microsoft.Management.Infrastructure.CimException")


def get_vpn_connection(host: HostState):
    def run(inv: Invocation) -> list:
        profiles = _vpn_scope(host, inv)
        if inv.has("Name"):
            chosen = []
            for name in as_list(inv.get("Name")):
                found = [p for p in profiles if _matches(p["Name"], [name])]
                if not found:
                    _vpn_missing(inv, name)
                chosen.extend(found)
            profiles = chosen
        return [_vpn_object(p) for p in profiles]
    return run


def remove_vpn_connection(host: HostState):
    def run(inv: Invocation) -> list:
        confirmed = inv.flag("Force") or (inv.has("Confirm") and not inv.flag("Confirm"))
        for name in as_list(inv.get("Name")):
            profile = next((p for p in _vpn_scope(host, inv) if p["Name"].lower() == to_str(name).lower()), None)
            if profile is None:
                _vpn_missing(inv, name)
                continue
            if not confirmed:
                raise inv.fail("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.",
                               category="InvalidOperation", error_id="System.Management.Automation.PSInvalidOperation"
                               "Exception", exception="PSInvalidOperationException")
            if profile["ConnectionStatus"] == "Connected":
                inv.error(f"The VPN connection {profile['Name']} cannot be removed while it is connected.",
                          category="InvalidOperation", error_id="VPN 602",
                          exception="Microsoft.Management.Infrastructure.CimException")
                continue
            with host.lock:
                host.data["vpn_connections"].remove(profile)
        return []
    return run


def _p(name, position=None, switch=False, aliases=()) -> Param:
    return Param(name, switch=switch, position=position, aliases=tuple(aliases))


def register(table: CommandTable, host: HostState, faults) -> None:
    adapter_select = [_p("Name", 0, aliases=("ifAlias", "InterfaceAlias")), _p("InterfaceDescription",
                      aliases=("ifDesc",)), _p("InterfaceIndex", aliases=("ifIndex",)),
                      _p("IncludeHidden", switch=True), _p("Physical", switch=True), _p("CimSession"),
                      _p("ThrottleLimit"), _p("AsJob", switch=True)]
    module = "NetAdapter"
    table.add(Cmdlet("Get-NetAdapter", get_net_adapter(host), adapter_select, module=module))
    change = [*adapter_select[:4], _p("InputObject"), _p("PassThru", switch=True), _p("NoRestart", switch=True),
              _p("CimSession"), _p("AsJob", switch=True)]
    table.add(Cmdlet("Disable-NetAdapter", set_adapter_state(host, False, faults), change, kind="change",
                     should_process=True, module=module, confirm_high=True))
    table.add(Cmdlet("Enable-NetAdapter", set_adapter_state(host, True, faults), change, kind="change",
                     should_process=True, module=module))
    table.add(Cmdlet("Get-NetIPAddress", get_net_ip_address(host),
                     [_p("IPAddress", 0), _p("InterfaceIndex", aliases=("ifIndex",)),
                      _p("InterfaceAlias", aliases=("ifAlias",)), _p("AddressFamily"), _p("Type"),
                      _p("PrefixOrigin"), _p("CimSession")], module="NetTCPIP"))
    table.add(Cmdlet("Get-NetTCPConnection", get_net_tcp_connection(host),
                     [_p("LocalAddress", 0), _p("LocalPort", 1), _p("RemoteAddress"), _p("RemotePort"),
                      _p("State"), _p("OwningProcess"), _p("CimSession")], module="NetTCPIP"))
    table.add(Cmdlet("Get-VpnConnection", get_vpn_connection(host),
                     [_p("Name", 0, aliases=("ConnectionName",)), _p("AllUserConnection", switch=True),
                      _p("CimSession"), _p("ThrottleLimit"), _p("AsJob", switch=True)], module="VpnClient"))
    table.add(Cmdlet("Remove-VpnConnection", remove_vpn_connection(host),
                     [_p("Name", 0, aliases=("ConnectionName",)), _p("AllUserConnection", switch=True),
                      _p("Force", switch=True), _p("PassThru", switch=True), _p("CimSession"), _p("ThrottleLimit"),
                      _p("AsJob", switch=True)], kind="change", should_process=True,
                     module="VpnClient"))
