"""FortiOS 7.2 configuration: the tree of ``config`` blocks, its schema and how ``show`` prints it.

A block holds settings (``set``), ordered table entries (``edit``) and nested blocks; an entry holds
settings and nested blocks. The few facts about FortiOS the simulator needs (which root blocks are
tables, which settings are quoted strings or references, the defaults that ``show`` omits and
``show full-configuration`` prints) are the tables at the top.

FortiOS text is read as the CLI reads it (``split_commands``): a quoted value may span lines (the
PEM certificates under ``config vpn certificate local``), a backslash escapes the next character,
and ``show`` quotes and escapes values the same way (``fmt_values``).
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import os
import re

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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
    "vpn certificate local": TABLE,
}
#: settings printed with quotes (FortiOS quotes strings and names, not numbers, addresses or enums)
STRING_SETTINGS = {
    "name", "member", "srcintf", "dstintf", "srcaddr", "dstaddr", "srcaddr6", "dstaddr6", "service",
    "schedule", "comment", "comments", "application-list", "ssl-ssh-profile", "interface", "alias",
    "associated-interface", "description", "hostname", "fqdn", "remote-gw-name", "category-name",
    "certificate", "private-key",
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
config vpn certificate local
    edit "Fortinet_Factory"
        set password ENC {factory_password}
        set private-key "{factory_key}"
        set certificate "{factory_certificate}"
        set range global
        set source factory
        set last-updated 1710288000
    next
    edit "Ministry-VPN"
        set password ENC {ministry_password}
        set comments "Ministry's own VPN certificate, not managed by eoffice-guard"
        set private-key "{ministry_key}"
        set certificate "{ministry_certificate}"
        set range global
        set source user
        set last-updated 1717200000
    next
end
"""


def _certificate(common_name: str) -> tuple[str, str, str]:
    """A fresh self-signed certificate, its private key encrypted as FortiOS keeps it, and the
    ``ENC`` form of the key's password: each device gets its own, as each FortiGate does."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fortinet"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.datetime(2024, 3, 13, tzinfo=datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
                   .sign(key, hashes.SHA256()))
    password = os.urandom(24)
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(password))
    enc = base64.b64encode(os.urandom(8) + password + os.urandom(16)).decode()
    return pem_key.decode().strip(), certificate.public_bytes(serialization.Encoding.PEM).decode().strip(), enc


def initial_config(serial: str) -> str:
    """The configuration of a FortiGate's first start."""
    factory_key, factory_certificate, factory_password = _certificate(serial)
    ministry_key, ministry_certificate, ministry_password = _certificate("vpn.ministry.example")
    return INITIAL_CONFIG.format(factory_key=factory_key, factory_certificate=factory_certificate,
                                 factory_password=factory_password, ministry_key=ministry_key,
                                 ministry_certificate=ministry_certificate,
                                 ministry_password=ministry_password)


def split_commands(text: str) -> tuple[list[list[str]], bool]:
    """The commands of ``text`` as word lists, read as the FortiOS CLI reads them, and whether a
    quoted value is still open at the end (the CLI then waits for its next line).

    Words are separated by blanks; ``"..."`` and ``'...'`` quote, across line ends too; a backslash
    takes the next character literally; a line whose first word starts with ``#`` is a comment.
    """
    commands: list[list[str]] = []
    words: list[str] = []
    word: list[str] | None = None
    quote = ""
    chars = iter(text)
    for char in chars:
        if char == "\\" or quote or char in "\"'" or char not in " \t\r\n#":
            word = [] if word is None else word
        if char == "\\":
            word.append(next(chars, ""))
        elif quote:
            if char == quote:
                quote = ""
            else:
                word.append(char)
        elif char in "\"'":
            quote = char
        elif char in " \t\r\n":
            if word is not None:
                words.append("".join(word))
                word = None
            if char == "\n" and words:
                commands.append(words)
                words = []
        elif char == "#" and not words and word is None:
            for rest in chars:
                if rest == "\n":
                    break
        else:
            word = [] if word is None else word
            word.append(char)
    if quote:
        return commands, True
    if word is not None:
        words.append("".join(word))
    if words:
        commands.append(words)
    return commands, False


class Node:
    """A config block or a table entry: settings, ordered entries, nested blocks."""

    def __init__(self) -> None:
        self.settings: dict[str, list[str]] = {}
        self.entries: dict[str, Node] = {}
        self.blocks: dict[str, Node] = {}


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fmt_values(name: str, values: list[str]) -> str:
    """Values as ``show`` prints them: strings and names quoted, anything else quoted only when it
    has to be; a quoted value keeps its line ends."""
    return " ".join(_quoted(v) if name in STRING_SETTINGS or not v or re.search(r"[\s\"'\\#]", v) else v
                    for v in values)


def _fmt_key(key: str) -> str:
    return key if key.isdigit() else _quoted(key)


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
