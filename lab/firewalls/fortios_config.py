"""FortiOS 7.2 configuration: the tree of ``config`` blocks, its schema and how ``show`` prints it.

A block holds settings (``set``), ordered table entries (``edit``) and nested blocks; an entry holds
settings and nested blocks. The few facts about FortiOS the simulator needs (which root blocks are
tables, which settings are quoted strings or references, the defaults that ``show`` omits and
``show full-configuration`` prints) are the tables at the top.
"""

from __future__ import annotations

import ipaddress
import re

from lab.firewalls.cli import CommandError

VERSION = "v7.2.8,build1639,240313 (GA.M)"
TABLE, SINGLE = "table", "single"
ROOT_BLOCKS = {
    "system global": SINGLE, "system console": SINGLE, "system interface": TABLE,
    "system admin": TABLE, "router static": TABLE,
    "firewall address": TABLE, "firewall address6": TABLE, "firewall addrgrp": TABLE,
    "firewall service custom": TABLE, "firewall service group": TABLE, "firewall policy": TABLE,
    "firewall ipmacbinding setting": SINGLE, "firewall ipmacbinding table": TABLE,
    "application list": TABLE, "vpn ipsec phase1-interface": TABLE, "vpn ipsec phase2-interface": TABLE,
}
#: settings printed with quotes (FortiOS quotes strings and names, not numbers, addresses or enums)
STRING_SETTINGS = {
    "name", "member", "srcintf", "dstintf", "srcaddr", "dstaddr", "srcaddr6", "dstaddr6", "service",
    "schedule", "comment", "comments", "application-list", "ssl-ssh-profile", "interface", "alias",
    "associated-interface", "description", "hostname", "fqdn", "remote-gw-name", "category-name",
}
#: settings whose values must name existing entries of these tables (or a built-in word)
REFERENCES = {
    ("firewall policy", "srcaddr"): ("firewall address", "firewall addrgrp"),
    ("firewall policy", "dstaddr"): ("firewall address", "firewall addrgrp"),
    ("firewall policy", "service"): ("firewall service custom", "firewall service group"),
    ("firewall policy", "srcintf"): ("system interface",),
    ("firewall policy", "dstintf"): ("system interface",),
    ("firewall policy", "application-list"): ("application list",),
    ("firewall addrgrp", "member"): ("firewall address", "firewall addrgrp"),
    ("firewall service group", "member"): ("firewall service custom", "firewall service group"),
}
BUILT_IN_NAMES = {"any"}
DEFAULTS = {
    "system console": {"mode": ["line"], "baudrate": ["9600"], "output": ["more"], "login": ["enable"]},
    "firewall ipmacbinding setting": {"bindthroughfw": ["disable"], "bindtofw": ["disable"],
                                      "undefinedhost": ["block"]},
    "firewall policy": {"status": ["enable"], "action": ["deny"], "logtraffic": ["utm"]},
    "firewall address": {"type": ["ipmask"]},
}
WITH_UUID = {"firewall address", "firewall addrgrp", "firewall policy", "firewall address6"}

INITIAL_CONFIG = """\
config system global
    set hostname "FGT"
end
config system console
    set output standard
end
config system interface
    edit "port1"
        set alias "outside"
    next
    edit "port2"
        set alias "inside"
    next
    edit "port3"
        set alias "servers"
    next
end
config firewall address
    edit "all"
    next
    edit "Ministry-Printers"
        set subnet 10.20.200.0 255.255.255.0
        set comment "owned by the ministry, not by eoffice-guard"
    next
end
config firewall service custom
    edit "ALL"
        set protocol IP
    next
    edit "HTTPS"
        set tcp-portrange 443
    next
    edit "DNS"
        set tcp-portrange 53
        set udp-portrange 53
    next
end
config firewall policy
    edit 1
        set name "Ministry-Internet"
        set srcintf "port2"
        set dstintf "port1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set schedule "always"
        set service "HTTPS" "DNS"
        set nat enable
    next
end
"""


class Node:
    """A config block or a table entry: settings, ordered entries, nested blocks."""

    def __init__(self) -> None:
        self.settings: dict[str, list[str]] = {}
        self.entries: dict[str, Node] = {}
        self.blocks: dict[str, Node] = {}


def fmt_values(name: str, values: list[str]) -> str:
    if name in STRING_SETTINGS:
        return " ".join(f'"{v}"' for v in values)
    return " ".join(f'"{v}"' if " " in v else v for v in values)


def _fmt_key(key: str) -> str:
    return key if key.isdigit() else f'"{key}"'


def shown(path: str, settings: dict[str, list[str]], full: bool) -> dict[str, list[str]]:
    """Settings to print: without defaults for ``show``, merged with them for full-configuration."""
    defaults = DEFAULTS.get(path, {})
    if full:
        return {**defaults, **settings}
    return {k: v for k, v in settings.items() if defaults.get(k) != v}


def render_block(path: str, node: Node, indent: int = 0, full: bool = False,
                 only: str | None = None, root_path: str = "") -> list[str]:
    """``config PATH`` … ``end`` as FortiOS prints it (``only``: just that entry of a table)."""
    pad = " " * indent
    table_path = root_path or path
    lines = [f"{pad}config {path}"]
    if ROOT_BLOCKS.get(table_path) != TABLE or node.settings:
        lines += render_body(table_path, node, indent + 4, full)
    for key, entry in node.entries.items():
        if only is not None and key != only:
            continue
        lines.append(f"{pad}    edit {_fmt_key(key)}")
        lines += render_body(table_path, entry, indent + 8, full)
        lines.append(f"{pad}    next")
    lines.append(f"{pad}end")
    return lines


def render_body(path: str, node: Node, indent: int, full: bool) -> list[str]:
    """Settings, then nested blocks, of one block or entry."""
    pad = " " * indent
    lines = [f"{pad}set {k} {fmt_values(k, v)}" for k, v in shown(path, node.settings, full).items()]
    for name, block in node.blocks.items():
        lines += render_block(name, block, indent, full, root_path=f"{path} {name}")
    return lines


#: settings FortiOS stores as "address mask" whatever form was typed
NETMASK_SETTINGS = {("firewall address", "subnet"), ("system interface", "ip"), ("router static", "dst")}
#: settings holding one IPv4 address, or one MAC address
ADDRESS_SETTINGS = {("firewall ipmacbinding table", "ip"), ("router static", "gateway")}
MAC_SETTINGS = {("firewall ipmacbinding table", "mac")}
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def _invalid(what: str, value: str) -> CommandError:
    return CommandError(f"invalid {what}\nvalue parse error before '{value}'\nCommand fail. Return code -8")


def normalise(path: str, name: str, values: list[str]) -> list[str]:
    """Check the typed values FortiOS checks, and store them the way FortiOS prints them."""
    if (path, name) in NETMASK_SETTINGS:
        try:
            network = ipaddress.IPv4Network("/".join(values), strict=False)
            address = ipaddress.IPv4Address(values[0].split("/")[0])
        except ValueError:
            raise _invalid("ip address", values[0]) from None
        if len(values) > 2:
            raise _invalid("ip address", values[2])
        return [str(address), str(network.netmask)]
    if (path, name) in ADDRESS_SETTINGS:
        if len(values) != 1:
            raise _invalid("ip address", values[-1])
        try:
            return [str(ipaddress.IPv4Address(values[0]))]
        except ValueError:
            raise _invalid("ip address", values[0]) from None
    if (path, name) in MAC_SETTINGS:
        if len(values) != 1 or not MAC.match(values[0].lower()):
            raise _invalid("mac address", values[-1])
        return [values[0].lower()]
    return values
