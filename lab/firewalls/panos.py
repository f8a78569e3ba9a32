"""PAN-OS 10.2 as netmiko's ``paloalto_panos`` driver and an operator see it.

The configuration is a generic hierarchy built from ``set`` paths: containers, named entries (the
word after ``address``, ``rules``, ``zone``... names an entry, and entries keep their order), plain
leaves and member lists. Changes go to one candidate configuration shared by every login, as on a
real firewall; ``commit`` validates references, copies it to the running configuration and saves
that. A restart loads the running configuration and forgets an uncommitted candidate.

``show`` prints the hierarchical (brace) format, as PAN-OS does by default; a login that sends
``set cli config-output-format set`` gets ``set`` commands instead, until it logs out or sends
``set cli config-output-format default``.
"""

from __future__ import annotations

import copy
import ipaddress
import re
import shlex
import time
from typing import ClassVar

from lab.firewalls.cli import Box, CommandError, LoggedOut, Login

#: words whose next word names an entry of an ordered list
ENTRY_LISTS = {
    "address", "address-group", "service", "service-group", "application-group", "application-filter",
    "rules", "tag", "zone", "schedule", "external-list", "ethernet", "virtual-router", "static-route",
    "profile-group", "units", "entry", "ike-gateway", "ipsec-tunnel",
}
#: leaves holding member lists; ``set`` adds members, ``delete`` removes them
MEMBER_LISTS = {
    "from", "to", "source", "destination", "service", "application", "static", "member", "members",
    "tag", "source-user", "category", "hip-profiles", "layer3", "interface", "source-hip",
    "destination-hip",
}
ROOTS = {
    "address", "address-group", "service", "service-group", "application-group", "application-filter",
    "rulebase", "tag", "zone", "deviceconfig", "network", "profiles", "profile-group", "schedule",
    "external-list", "mgt-config", "shared", "log-settings",
}
ENTRY_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._ /-]{0,62}$")
ACTIONS = {"allow", "deny", "drop", "reset-client", "reset-server", "reset-both"}
BUILT_IN_SERVICES = {"any", "application-default", "service-http", "service-https"}
#: values of ``set cli config-output-format`` the lab models (the device also has json and xml)
OUTPUT_FORMATS = {"default", "set"}

INITIAL_CONFIG = """\
set deviceconfig system hostname fw
set zone trust network layer3 ethernet1/2
set zone untrust network layer3 ethernet1/1
set zone servers network layer3 ethernet1/3
set address Ministry-Printers ip-netmask 10.20.200.0/24
set address Ministry-Printers description "owned by the ministry, not by eoffice-guard"
set address "HQ printers" ip-netmask 10.20.201.0/24
set address "HQ printers" description "Ministry's own printers"
set rulebase security rules "Allow Internet" from trust
set rulebase security rules "Allow Internet" to untrust
set rulebase security rules "Allow Internet" source "HQ printers"
set rulebase security rules "Allow Internet" destination any
set rulebase security rules "Allow Internet" application [ ssl web-browsing ]
set rulebase security rules "Allow Internet" service application-default
set rulebase security rules "Allow Internet" action allow
set rulebase security rules Ministry-Internet from trust
set rulebase security rules Ministry-Internet to untrust
set rulebase security rules Ministry-Internet source any
set rulebase security rules Ministry-Internet destination any
set rulebase security rules Ministry-Internet application [ ssl web-browsing dns ]
set rulebase security rules Ministry-Internet service application-default
set rulebase security rules Ministry-Internet action allow
"""

Tree = dict


def invalid() -> CommandError:
    return CommandError("Invalid syntax.")


def tokens_of(line: str) -> list[str]:
    """Split like the PAN-OS CLI: quotes group words, ``[`` and ``]`` stand alone."""
    try:
        words = shlex.split(line)
    except ValueError:
        raise invalid() from None
    out: list[str] = []
    for word in words:
        out += [w for w in re.split(r"(\[|\])", word) if w] if " " not in word else [word]
    return out


def parse_path(words: list[str]) -> tuple[list[str], str | list[str] | None]:
    """Split ``set`` words into the path of a node and the value of its last leaf (None: a node)."""
    if not words or words[0] not in ROOTS:
        raise invalid()
    path: list[str] = []
    naming = False
    for i, word in enumerate(words):
        if word in "[]":
            raise invalid()
        if naming:
            if not ENTRY_NAME.match(word):
                raise invalid()
            path.append(word)
            naming = False
            continue
        rest = words[i + 1:]
        if word in ENTRY_LISTS and (i == 0 or word not in MEMBER_LISTS):
            path.append(word)
            naming = True
            continue
        if rest and rest[0] == "[":
            if "]" not in rest or rest.index("]") != len(rest) - 1:
                raise invalid()
            return [*path, word], rest[1:-1]
        if len(rest) == 1:
            return [*path, word], rest[0]
        if not rest:
            return [*path, word], None
        path.append(word)
    if naming:
        raise invalid()
    return path, None


def check_value(key: str, value: str | list[str]) -> None:
    """The few leaf types the lab checks when they are set, as PAN-OS does."""
    values = value if isinstance(value, list) else [value]
    for item in values:
        if key == "ip-netmask":
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise CommandError(f"{item} is an invalid ipv4/v6 address/netmask.") from None
        if key == "port" and not re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", item):
            raise invalid()
        if key == "action" and item not in ACTIONS:
            raise invalid()


def apply_set(tree: Tree, words: list[str]) -> None:
    path, value = parse_path(words)
    node = tree
    for part in path[:-1] if value is not None else path:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise invalid()
    if value is None:
        return
    key = path[-1]
    check_value(key, value)
    if isinstance(node.get(key), dict):
        raise invalid()
    if key in MEMBER_LISTS:
        members = node.get(key, [])
        members = members if isinstance(members, list) else [members]
        node[key] = members + [m for m in (value if isinstance(value, list) else [value]) if m not in members]
    else:
        node[key] = value


#: objects a rule or group refers to by name: which kinds of entry, referred to from where
REFERABLE = {"address": ("source", "destination", "static"), "address-group": ("source", "destination", "static"),
             "service": ("service", "members"), "service-group": ("service", "members")}


def apply_delete(tree: Tree, words: list[str]) -> None:
    """Delete a node, an entry or members, refusing what is not there or still referred to."""
    path, value = parse_path(words)
    parent = _lookup(tree, path[:-1])
    key = path[-1]
    if not isinstance(parent, dict) or key not in parent:
        raise CommandError("Delete failed. Object doesn't exist.")
    if value is None or not isinstance(parent[key], list):
        _refuse_if_referenced(tree, path)
        del parent[key]
        return
    gone = value if isinstance(value, list) else [value]
    if not set(gone) <= set(parent[key]):
        raise CommandError("Delete failed. Object doesn't exist.")
    parent[key] = [m for m in parent[key] if m not in gone]
    if not parent[key]:
        del parent[key]


def _refuse_if_referenced(tree: Tree, path: list[str]) -> None:
    if len(path) != 2 or path[0] not in REFERABLE:
        return
    fields = REFERABLE[path[0]]
    users = [(["rulebase", "security", "rules", rule], body)
             for rule, body in tree.get("rulebase", {}).get("security", {}).get("rules", {}).items()]
    users += [([group, name], body) for group in ("address-group", "service-group")
              for name, body in tree.get(group, {}).items()]
    found = [" -> ".join([*where, field]) for where, body in users for field in fields
             if path[1] in body.get(field, []) and where[:2] != path]
    if found:
        raise CommandError("\n".join([f"{path[0]} -> {path[1]}  cannot be deleted because of references from:",
                                       *found]))


def move_entry(tree: Tree, words: list[str]) -> None:
    where = next((i for i, w in enumerate(words) if w in ("before", "after", "top", "bottom")), None)
    if where is None:
        raise invalid()
    path, value = parse_path(words[:where])
    relative = words[where + 1:]
    if value is not None or len(path) < 2 or len(relative) != (words[where] in ("before", "after")):
        raise invalid()
    parent = _lookup(tree, path[:-1])
    name = path[-1]
    if not isinstance(parent, dict) or name not in parent or (relative and relative[0] not in parent):
        raise CommandError("Move failed. Entry not found.")
    moving = parent.pop(name)
    order = list(parent.items())
    index = {"top": 0, "bottom": len(order)}.get(words[where])
    if index is None:
        index = [k for k, _ in order].index(relative[0]) + (words[where] == "after")
    order.insert(index, (name, moving))
    parent.clear()
    parent.update(order)


def _lookup(tree: Tree, path: list[str]):
    node = tree
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _quote(word: str) -> str:
    return f'"{word}"' if re.search(r"[\s\"'\[\]]", word) or not word else word


def _shown(value: str | list[str]) -> str:
    """A leaf's value: one member bare, several as ``[ a b ]``."""
    if not isinstance(value, list):
        return _quote(value)
    return _quote(value[0]) if len(value) == 1 else "[ " + " ".join(map(_quote, value)) + " ]"


#: where each top-level word of the lab's model sits in the device's full hierarchy
DEVICE_LEVEL = {"deviceconfig", "network"}
TOP_LEVEL = {"mgt-config", "shared"}


def full_hierarchy(tree: Tree) -> Tree:
    """The whole configuration as PAN-OS prints it: device settings under ``devices``, policy and
    objects under the single virtual system ``vsys1``."""
    top = {k: v for k, v in tree.items() if k in TOP_LEVEL}
    device = {k: v for k, v in tree.items() if k in DEVICE_LEVEL}
    vsys = {k: v for k, v in tree.items() if k not in TOP_LEVEL | DEVICE_LEVEL}
    device["vsys"] = {"vsys1": vsys}
    return {"config": {**top, "devices": {"localhost.localdomain": device}}}


def brace_lines(node: Tree, indent: int = 0) -> list[str]:
    """The hierarchical format: ``name {`` ... ``}`` blocks, ``leaf value;`` and ``list [ a b ];``."""
    pad = "  " * indent
    lines = []
    for key, value in node.items():
        if isinstance(value, dict):
            lines += ([f"{pad}{_quote(key)} {{", *brace_lines(value, indent + 1), f"{pad}}}"] if value
                      else [f"{pad}{_quote(key)};"])
        else:
            lines.append(f"{pad}{_quote(key)} {_shown(value)};")
    return lines


def set_lines(node: Tree, prefix: list[str]) -> list[str]:
    """The ``set`` commands that rebuild ``node`` (the format of ``set cli config-output-format set``)."""
    lines = []
    for key, value in node.items():
        path = [*prefix, _quote(key)]
        if isinstance(value, dict):
            lines += set_lines(value, path) if value else ["set " + " ".join(path)]
        else:
            lines.append(f"set {' '.join(path)} {_shown(value)}")
    return lines


def validation_errors(tree: Tree) -> list[str]:
    """References a commit would refuse: unknown zones, addresses, services or group members."""
    addresses = set(tree.get("address", {})) | set(tree.get("address-group", {}))
    services = set(tree.get("service", {})) | set(tree.get("service-group", {})) | BUILT_IN_SERVICES
    zones = set(tree.get("zone", {})) | {"any"}
    errors = []
    for group, body in tree.get("address-group", {}).items():
        for member in body.get("static", []):
            if member not in addresses:
                errors.append(f"address-group -> {group} -> static '{member}' is not a valid reference")
    for rule, body in tree.get("rulebase", {}).get("security", {}).get("rules", {}).items():
        checks = {"from": zones, "to": zones, "service": services,
                  "source": addresses | {"any"}, "destination": addresses | {"any"}}
        for key, known in checks.items():
            for member in body.get(key, []):
                if member not in known and not (key in ("source", "destination") and _is_address(member)):
                    errors.append(f"rulebase -> security -> rules -> {rule} -> {key} '{member}' "
                                  "is not a valid reference")
    return errors


def _is_address(word: str) -> bool:
    try:
        ipaddress.ip_network(word, strict=False)
        return True
    except ValueError:
        return False


class PanBox(Box):
    platform = "panos"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.running: Tree = {}
        self.commit_jobs = 0
        text = self.read_saved()
        for line in (text if text is not None else INITIAL_CONFIG).splitlines():
            if line.startswith("set "):
                apply_set(self.running, tokens_of(line)[1:])
        self.candidate: Tree = copy.deepcopy(self.running)
        if text is None:
            self.save()

    def save(self) -> None:
        self.write_saved("\n".join(set_lines(self.running, [])) + "\n")

    def hostname(self) -> str:
        return self.running.get("deviceconfig", {}).get("system", {}).get("hostname", "fw")

    def new_login(self, username: str) -> PanLogin:
        return PanLogin(self, username)

    def commit(self, force: bool) -> str:
        if self.candidate == self.running and not force:
            return "There are no changes to commit."
        self.commit_jobs += 1
        snapshot = copy.deepcopy(self.candidate)
        self.slow_commit()
        head = f"Commit job {self.commit_jobs} is in progress. Use Ctrl+C to return to command prompt"
        progress = "." * 30 + "55%" + "." * 10 + "75%" + "." * 5 + "98%" + "." * 8 + "100%"
        errors = validation_errors(snapshot)
        if errors:
            report = ["Validation Error:", *(" " + e for e in errors), "Commit failed"]
            return "\n".join([head, progress, *report])
        self.running = snapshot
        self.save()
        return "\n".join([head, progress, "Configuration committed successfully"])


class PanLogin(Login):
    pipes: ClassVar[dict[str, bool]] = {"match": True, "except": False}

    def __init__(self, box: PanBox, username: str):
        super().__init__(box, username)
        self.box: PanBox = box
        self.configuring = False
        self.scripting = False
        #: ``set cli config-output-format``: "default" (braces) or "set"; each login starts in default
        self.output_format = "default"

    def banner(self) -> str:
        return (f"Last login: {time.strftime('%a %b %d %H:%M:%S %Y')} from 127.0.0.1\n\n"
                "Number of failed attempts since last successful login: 0\n\n\n")

    def prompt(self) -> str:
        base = f"{self.username}@{self.box.hostname()}"
        return f"\n[edit]\n{base}# " if self.configuring else f"{base}> "

    def echo(self, typed: str, line: str) -> str:
        """Until ``set cli scripting-mode on`` the CLI repaints prompt and line as keys arrive."""
        if self.scripting:
            return typed
        return "\r" + self.prompt().split("\n")[-1] + line

    def is_config_command(self, line: str) -> bool:
        return self.configuring and line.split()[:1] not in ([], ["exit"], ["quit"])

    def reject(self, line: str) -> str:
        return "Invalid syntax."

    def run(self, line: str) -> str:
        try:
            words = tokens_of(line)
            if not words:
                return ""
            return self.config(words) if self.configuring else self.operational(words)
        except CommandError as error:
            return str(error)

    def operational(self, words: list[str]) -> str:
        if words == ["configure"]:
            self.configuring = True
            return "Entering configuration mode"
        if words[0] in ("exit", "quit"):
            raise LoggedOut("")
        if words[:2] == ["set", "cli"] and len(words) == 4:
            if words[2] == "scripting-mode":
                self.scripting = words[3] == "on"
            if words[2] == "config-output-format":
                if words[3] not in OUTPUT_FORMATS:
                    raise invalid()
                self.output_format = words[3]
            return ""
        if words[:3] == ["show", "system", "info"]:
            return self.system_info()
        if words[:2] == ["show", "config"] and len(words) >= 3 and words[2] in ("running", "candidate"):
            tree = self.box.running if words[2] == "running" else self.box.candidate
            return self.show(tree, words[3:])
        raise CommandError(f"Unknown command: {words[0]}" if words[0] not in ("show", "set") else
                           "Invalid syntax.")

    def config(self, words: list[str]) -> str:
        verb, rest = words[0], words[1:]
        box = self.box
        if verb in ("exit", "quit"):
            self.configuring = False
            return "Exiting configuration mode"
        if verb == "set":
            apply_set(box.candidate, rest)
        elif verb == "delete":
            apply_delete(box.candidate, rest)
        elif verb == "move":
            move_entry(box.candidate, rest)
        elif verb == "rename":
            self.rename(rest)
        elif verb == "show":
            return self.show(box.candidate, rest)
        elif verb == "commit":
            return box.commit(force="force" in rest)
        elif words[:2] == ["revert", "config"]:
            box.candidate = copy.deepcopy(box.running)
        elif words[:2] == ["check", "pending-changes"]:
            return "yes" if box.candidate != box.running else "no"
        elif verb == "run" and rest:
            return self.operational(rest)
        else:
            raise invalid()
        return ""

    def rename(self, words: list[str]) -> None:
        if len(words) < 4 or words[-2] != "to":
            raise invalid()
        path, value = parse_path(words[:-2])
        parent = _lookup(self.box.candidate, path[:-1])
        if value is not None or not isinstance(parent, dict) or path[-1] not in parent:
            raise invalid()
        renamed = {(words[-1] if k == path[-1] else k): v for k, v in parent.items()}
        parent.clear()
        parent.update(renamed)

    def show(self, tree: Tree, path: list[str]) -> str:
        """A node in this login's output format (the whole configuration when ``path`` is empty)."""
        node = _lookup(tree, path)
        if node is None:
            return ""
        if self.output_format == "set":
            if not isinstance(node, dict):
                return "\n".join(set_lines({path[-1]: node}, path[:-1]))
            return "\n".join(set_lines(node, path))
        if not path:
            return "\n".join(brace_lines(full_hierarchy(tree)))
        return "\n".join(brace_lines({path[-1]: node}))

    def system_info(self) -> str:
        return "\n".join([
            f"hostname: {self.box.hostname()}",
            "ip-address: 127.0.0.1",
            "netmask: 255.0.0.0",
            "model: PA-VM",
            f"serial: 0070LAB{self.box.serial_number() % 10**6:06d}",
            "family: vm",
            "sw-version: 10.2.9",
            "app-version: 8800-8500",
            "vpn-disable-mode: off",
            "multi-vsys: off",
            "operational-mode: normal",
        ])
