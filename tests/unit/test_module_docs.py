"""Every module's DOCUMENTATION, EXAMPLES and RETURN are YAML that ansible-doc can read (a plain
scalar with ': ' in it silently broke one once)."""

from __future__ import annotations

import ast

import pytest
import yaml
from conftest import ROOT

MODULES = sorted((ROOT / "plugins/modules").glob("*.py"))


def _blocks(path):
    tree = ast.parse(path.read_text())
    return {node.targets[0].id: node.value.value for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN")}


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_documentation_blocks_are_yaml(path):
    blocks = _blocks(path)
    assert "DOCUMENTATION" in blocks, f"{path.name} has no DOCUMENTATION"
    doc = yaml.safe_load(blocks["DOCUMENTATION"])
    assert doc["module"] == path.stem and doc["short_description"]
    assert all(isinstance(d, str) for d in doc.get("description", [])), "a description item is not text"
    for name in ("EXAMPLES", "RETURN"):
        if name in blocks:
            yaml.safe_load(blocks[name])
