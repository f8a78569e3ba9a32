"""Cisco ASA 9.18 configuration: the running-config model and the syntax of the lines it holds.

The running configuration is a list of top-level lines, each with its sub-mode children (an
``object network`` and its ``subnet``), plus one ordered list of entries per access list. It is
printed in the order a real ASA prints (hostname, interfaces, objects, object-groups, access lists,
access-groups, routes) and re-read from that text at start. Port numbers are shown by their ASA
names (``eq 443`` becomes ``eq https``) exactly as an ASA rewrites them.
"""

from __future__ import annotations

import ipaddress

PORT_NAMES = {
    "21": "ftp", "22": "ssh", "23": "telnet", "25": "smtp", "49": "tacacs", "53": "domain",
    "80": "www", "110": "pop3", "123": "ntp", "143": "imap4", "389": "ldap", "443": "https",
    "500": "isakmp", "636": "ldaps", "1723": "pptp", "3389": "3389",
}
PROTOCOLS = {"ip", "tcp", "udp", "icmp", "icmp6", "esp", "ah", "gre", "sctp", "ipsec", "pptp"}
ICMP_TYPES = {"echo", "echo-reply", "unreachable", "time-exceeded", "parameter-problem",
              "source-quench", "redirect", "traceroute"}
PORT_OPERATORS = {"eq": 1, "lt": 1, "gt": 1, "neq": 1, "range": 2}
#: the section a top-level line is printed in (lower first)
RANKS = {"hostname": 0, "interface": 1, "object": 2, "object-group": 3, "access-list": 4,
         "access-group": 6, "route": 7}

INITIAL_CONFIG = """\
hostname asa
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 192.0.2.2 255.255.255.0
interface GigabitEthernet0/1
 nameif inside
 security-level 100
 ip address 10.20.0.1 255.255.0.0
interface GigabitEthernet0/2
 nameif dmz
 security-level 50
 ip address 10.10.5.1 255.255.255.240
object network Ministry-Printers
 subnet 10.20.200.0 255.255.255.0
 description owned by the ministry, not by eoffice-guard
access-list Ministry-In extended permit tcp any any eq 443
access-list Ministry-In extended permit udp any any eq 53
access-group Ministry-In in interface inside
route outside 0.0.0.0 0.0.0.0 192.0.2.1 1
"""


class Syntax(Exception):
    """Invalid input; ``word`` is the index of the word the ``^`` marker points at."""

    def __init__(self, word: int, message: str = ""):
        super().__init__(message)
        self.word = word


class Block:
    """A top-level line and its sub-mode children, in the order they were entered."""

    def __init__(self, text: str):
        self.text = text
        self.children: list[str] = []

    @property
    def rank(self) -> int:
        return RANKS.get(self.text.split()[0], 5)


class AsaConfig:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.acls: dict[str, list[str]] = {}

    def find(self, text: str) -> Block | None:
        return next((b for b in self.blocks if b.text == text), None)

    def find_object(self, kind: str, name: str) -> Block | None:
        """``object network X`` or ``object-group network X`` (whatever a service group's protocol)."""
        for block in self.blocks:
            words = block.text.split()
            if words[0] == kind and len(words) >= 3 and words[2] == name:
                return block
        return None

    def object_users(self, name: str) -> list[str]:
        lines = [f"access-list {acl} {ace}" for acl, aces in self.acls.items() for ace in aces]
        lines += [child for block in self.blocks for child in block.children]
        return [line for line in lines if name in line.split()]

    def render(self, section: list[str] | None = None) -> list[str]:
        """Running-config lines, optionally only those whose first words are ``section``."""
        out: list[str] = []
        blocks = sorted(self.blocks, key=lambda b: b.rank)
        acl_rank = RANKS["access-list"]
        acl_done = False
        for block in [*blocks, None]:
            if not acl_done and (block is None or block.rank > acl_rank):
                out += [f"access-list {n} {ace}" for n, aces in self.acls.items() for ace in aces
                        if _selected(f"access-list {n} {ace}", section)]
                acl_done = True
            if block is None or not _selected(block.text, section):
                continue
            out.append(block.text)
            out += [f" {child}" for child in block.children]
            if block.rank <= 1 and section is None:
                out.append("!")
        return out


def _selected(text: str, section: list[str] | None) -> bool:
    return section is None or text.split()[: len(section)] == section


# -- syntax -----------------------------------------------------------------------------------
def ip(words: list[str], i: int) -> str:
    """An IPv4 or IPv6 address, in the ASA's canonical spelling."""
    try:
        return str(ipaddress.ip_address(words[i]))
    except (IndexError, ValueError):
        raise Syntax(i) from None


def prefix6(words: list[str], i: int) -> str | None:
    """``fd00:20::/48``: ASA writes IPv6 networks as a prefix, not address and mask."""
    word = words[i] if i < len(words) else ""
    if ":" not in word or "/" not in word:
        return None
    try:
        return str(ipaddress.IPv6Network(word, strict=False))
    except ValueError:
        raise Syntax(i) from None


def network(words: list[str], i: int) -> tuple[str, int]:
    """``ADDRESS MASK`` (IPv4) or ``PREFIX/LEN`` (IPv6) -> normalised text and the index after it."""
    six = prefix6(words, i)
    if six is not None:
        return six, i + 1
    return f"{ip(words, i)} {mask(words, i + 1)}", i + 2


def mask(words: list[str], i: int) -> str:
    try:
        ipaddress.IPv4Network(f"0.0.0.0/{words[i]}")
    except (IndexError, ValueError):
        raise Syntax(i) from None
    return words[i]


def port(words: list[str], i: int) -> str:
    if i >= len(words):
        raise Syntax(i)
    word = words[i]
    if word.isdigit() and 0 < int(word) < 65536:
        return PORT_NAMES.get(word, word)
    if word in PORT_NAMES.values():
        return word
    raise Syntax(i)


def port_match(words: list[str], i: int) -> tuple[list[str], int]:
    """``eq P`` / ``range A B`` ... -> normalised words and the index after them."""
    operator = words[i] if i < len(words) else ""
    if operator not in PORT_OPERATORS:
        raise Syntax(i)
    ports = [port(words, i + 1 + k) for k in range(PORT_OPERATORS[operator])]
    return [operator, *ports], i + 1 + len(ports)


def address(words: list[str], i: int, config: AsaConfig) -> tuple[list[str], int]:
    """An ACE's source or destination -> normalised words and the index after them."""
    word = words[i] if i < len(words) else ""
    if word in ("any", "any4", "any6"):
        return [word], i + 1
    if word == "host":
        return ["host", ip(words, i + 1)], i + 2
    if word in ("object", "object-group"):
        name = words[i + 1] if i + 1 < len(words) else ""
        if not name:
            raise Syntax(i + 1)
        if config.find_object(word, name) is None:
            raise Syntax(i + 1, f"ERROR: {'object' if word == 'object' else 'specified object group'} "
                                f"({name}) does not exist")
        return [word, name], i + 2
    if word == "interface":
        return ["interface", words[i + 1]], i + 2
    text, end = network(words, i)
    return text.split(), end


def _is_service_group(words: list[str], i: int, config: AsaConfig) -> bool:
    """``object-group X`` after an address is a port group when X is a service group."""
    if i + 1 >= len(words) or words[i] != "object-group":
        return False
    group = config.find_object("object-group", words[i + 1])
    return group is not None and group.text.split()[1] == "service"


def ace(words: list[str], config: AsaConfig) -> str:
    """Check ``extended permit|deny ...`` (``words`` start at ``extended``) and normalise it."""
    if len(words) < 2 or words[1] not in ("permit", "deny"):
        raise Syntax(min(len(words), 1))
    out, i = words[:2], 2
    proto = words[i] if i < len(words) else ""
    if proto in ("object", "object-group"):
        out += [proto, words[i + 1]] if i + 1 < len(words) else []
        if config.find_object(proto, words[i + 1] if i + 1 < len(words) else "") is None:
            raise Syntax(i + 1)
        i += 2
    elif proto in PROTOCOLS or proto.isdigit():
        out.append(proto)
        i += 1
    else:
        raise Syntax(i)
    for _ in range(2):
        part, i = address(words, i, config)
        out += part
        if proto in ("tcp", "udp") and i < len(words) and words[i] in PORT_OPERATORS:
            part, i = port_match(words, i)
            out += part
        elif proto in ("tcp", "udp") and _is_service_group(words, i, config):
            out += words[i:i + 2]
            i += 2
    while i < len(words):
        option = words[i]
        if option == "log":
            out.append("log")
            i += 1
            if i < len(words) and words[i] in ("disable", "default", "notifications", "warnings",
                                               "informational", "debugging", "errors", "critical"):
                out.append(words[i])
                i += 1
        elif option == "inactive" or (option in ICMP_TYPES and proto in ("icmp", "icmp6")
                                      and out[-1] not in ICMP_TYPES):
            out.append(option)
            i += 1
        elif option == "time-range" and i + 1 < len(words):
            out += words[i:i + 2]
            i += 2
        else:
            raise Syntax(i)
    return " ".join(out)


def child_line(kind: str, words: list[str], config: AsaConfig) -> tuple[str, str]:
    """Check one sub-mode line -> (normalised line, key of what it replaces or '' to accumulate)."""
    head = words[0]
    if head == "description":
        return " ".join(words), "description"
    if kind == "object network":
        if head == "host":
            return f"host {ip(words, 1)}", "address"
        if head == "subnet":
            text, end = network(words, 1)
            if end != len(words):
                raise Syntax(end)
            return f"subnet {text}", "address"
        if head == "range":
            return f"range {ip(words, 1)} {ip(words, 2)}", "address"
        if head == "fqdn" and len(words) >= 2:
            return " ".join(words), "address"
    elif kind == "object service" and head == "service" and len(words) >= 2:
        if words[1] not in PROTOCOLS:
            raise Syntax(1)
        out, i = ["service", words[1]], 2
        while i < len(words) and words[i] in ("source", "destination"):
            direction = words[i]
            part, i = port_match(words, i + 1)
            out += [direction, *part]
        if i != len(words):
            raise Syntax(i)
        return " ".join(out), "service"
    elif kind.startswith("object-group") and head == "group-object" and len(words) == 2:
        if config.find_object("object-group", words[1]) is None:
            raise Syntax(1)
        return " ".join(words), ""
    elif kind == "object-group network" and head == "network-object" and len(words) >= 2:
        if words[1] == "object":
            if len(words) != 3 or config.find_object("object", words[2]) is None:
                raise Syntax(2)
            return " ".join(words), ""
        if words[1] == "host":
            return f"network-object host {ip(words, 2)}", ""
        text, end = network(words, 1)
        if end != len(words):
            raise Syntax(end)
        return f"network-object {text}", ""
    elif kind == "object-group service" and head == "port-object" and len(words) >= 3:
        part, end = port_match(words, 1)
        if end != len(words):
            raise Syntax(end)
        return " ".join(["port-object", *part]), ""
    elif (kind, head) in (("object-group service", "service-object"), ("object-group protocol",
                                                                        "protocol-object")):
        return " ".join(words), ""
    elif kind == "interface" and head in ("nameif", "security-level", "ip", "shutdown", "speed", "duplex"):
        return " ".join(words), " ".join(words[:2]) if head == "ip" else head
    raise Syntax(0)


def add_child(block: Block, line: str, key: str) -> None:
    """Replace what ``key`` names (one address per object), else add once, keeping the order."""
    if key:
        for n, child in enumerate(block.children):
            if _child_key(child, key):
                block.children[n] = line
                return
    if line not in block.children:
        block.children.append(line)


def _child_key(child: str, key: str) -> bool:
    if key == "address":
        return child.split()[0] in ("host", "subnet", "range", "fqdn")
    return child == key or child.startswith(key + " ")
