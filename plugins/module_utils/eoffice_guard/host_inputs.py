"""Checks of the endpoint roles' own inputs (vpn_ban, host_firewall), run on the controller first.

Each problem is (variable path, message); the caller names the file the variable comes from.
"""

from __future__ import annotations

import datetime
import ipaddress
import re

from .policy import Policy

REGEX_LISTS = ("vpn_ban_approved_adapters", "vpn_ban_tunnel_names")


def host_problems(policy: Policy, hostvars: dict, server: bool) -> list[tuple[str, str, str]]:
    """(variable, key path, message) for every bad role input of one host."""
    out = []
    for var in REGEX_LISTS:
        for i, pattern in enumerate(_list(hostvars.get(var))):
            if msg := _regex_error(pattern):
                out.append((var, f"{var}[{i}]", f"{pattern!r} is not a valid regular expression ({msg})"))
    for i, vpn in enumerate(_list(hostvars.get("vpn_ban_approved_vpns"))):
        path = f"vpn_ban_approved_vpns[{i}]"
        if not isinstance(vpn, dict) or not vpn.get("name"):
            out.append(("vpn_ban_approved_vpns", path, "must be a mapping with name, protocols and expires"))
            continue
        if not vpn.get("expires"):
            out.append(("vpn_ban_approved_vpns", f"{path}.expires",
                        f"approved VPN {vpn['name']!r} has no expiry date; every approval expires (YYYY-MM-DD)"))
        elif not _is_date(vpn["expires"]):
            out.append(("vpn_ban_approved_vpns", f"{path}.expires", f"{vpn['expires']!r} is not a date (YYYY-MM-DD)"))
        for j, pattern in enumerate(_list(vpn.get("adapters"))):
            if msg := _regex_error(pattern):
                out.append(("vpn_ban_approved_vpns", f"{path}.adapters[{j}]",
                            f"{pattern!r} is not a valid regular expression ({msg})"))
    known = {v.name for v in policy.approved_vpns}
    for i, name in enumerate(_list(hostvars.get("vpn_ban_terminates"))):
        if name not in known:
            out.append(("vpn_ban_terminates", f"vpn_ban_terminates[{i}]",
                        f"{name!r} is not in the policy's approved_vpns ({', '.join(sorted(known)) or 'none'})"))
    if server:
        out += _server_addresses(policy, hostvars.get("eoffice_host_addresses"))
    return out


def _server_addresses(policy: Policy, addresses) -> list[tuple[str, str, str]]:
    var = "eoffice_host_addresses"
    network = policy.network(policy.eoffice_servers.network)
    if not _list(addresses):
        return [(var, var, "an e-Office server needs its addresses (in the policy's e-Office network "
                           f"{network.name}) for its host firewall")]
    out = []
    for i, text in enumerate(_list(addresses)):
        try:
            address = ipaddress.ip_address(str(text))
        except ValueError:
            out.append((var, f"{var}[{i}]", f"{text!r} is not an IP address"))
            continue
        if not network.contains(address):
            out.append((var, f"{var}[{i}]", f"{address} is not in the policy's e-Office network {network.name} "
                                            f"({', '.join(str(p) for p in network.prefixes)})"))
    return out


def _list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else ([] if value is None else [value])


def _regex_error(pattern) -> str:
    try:
        re.compile(str(pattern))
    except re.error as err:
        return str(err)
    return ""


def _is_date(value) -> bool:
    if isinstance(value, datetime.date):
        return True
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True
