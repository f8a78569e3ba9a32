"""Checks of the policy file's YAML text that the loaded value can no longer show.

YAML 1.1 (what Ansible reads) turns ``0443`` into 291 (octal) and ``1:23`` into 83 (base 60); the value a
validator sees is a plausible port. Aliases can make a 2 KB file expand to millions of values. Both are
found here on the composed node tree, with the key path of the entry, before anything is built from it.
"""

from __future__ import annotations

import re

import yaml

from .schema import TooManyValues, walk

INT_TAG = "tag:yaml.org,2002:int"
PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")


def check_source(text: str, top: str = "eoffice") -> list[tuple[str, str]]:
    """(key path, message) for every integer not written in plain decimal under ``top``, or an alias bomb."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []  # Ansible's loader reports syntax errors with their line; nothing more to say here
    if not isinstance(root, yaml.MappingNode):
        return []
    found: list[tuple[str, str]] = []
    for _, node in (pair for pair in root.value if isinstance(pair[0], yaml.ScalarNode) and pair[0].value == top):
        try:
            for scalar, path in walk(node, top, _node_children):
                if isinstance(scalar, yaml.ScalarNode) and scalar.tag == INT_TAG and scalar.style is None \
                        and not PLAIN_INT.fullmatch(scalar.value):
                    found.append((path, f"{scalar.value!r} (line {scalar.start_mark.line + 1}) is not a plain "
                                        "decimal number: YAML 1.1 reads a leading zero as octal and ':' as base 60; "
                                        "write it without a leading zero (e.g. 443)"))
        except TooManyValues as err:
            return [(top, str(err))]
    return sorted(found)


def _node_children(node, path: str) -> list:
    if isinstance(node, yaml.MappingNode):
        return [(value, f"{path}.{key.value}") for key, value in node.value if isinstance(key, yaml.ScalarNode)]
    if isinstance(node, yaml.SequenceNode):
        return [(value, f"{path}[{i}]") for i, value in enumerate(node.value)]
    return []
