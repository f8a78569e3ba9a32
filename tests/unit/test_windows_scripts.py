"""Every PowerShell file the project sends parses cleanly with tree-sitter-powershell, is plain ASCII (it goes
over stdin, whose code page is not ours to choose), and reaches the host with its parameters as data."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell

from eoffice_guard.windows import client

SCRIPTS = sorted(client.HERE.glob("*.ps1"))
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def broken_nodes(node) -> list[str]:
    found = [f"{node.type} at line {node.start_point[0] + 1}"] if node.type == "ERROR" or node.is_missing else []
    for child in node.children:
        found += broken_nodes(child)
    return found


def test_the_scripts_are_found():
    assert {p.name for p in SCRIPTS} >= {"readers.ps1", "audit.ps1", "vpn_apply.ps1", "password_apply.ps1",
                                         "defender_apply.ps1", "edr_apply.ps1"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_parses_without_error_nodes(script: Path):
    tree = PARSER.parse(script.read_bytes())
    assert broken_nodes(tree.root_node) == []
    assert not tree.root_node.has_error


def test_the_parser_does_flag_a_broken_script():
    tree = PARSER.parse(b"foreach ($a in @(Get-NetAdapter) {\n  $a.Name\n")
    assert tree.root_node.has_error


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_is_ascii_and_prints_one_json_document(script: Path):
    text = script.read_text(encoding="ascii")
    if script.name != "readers.ps1":
        assert text.count("ConvertTo-Json -Depth 6 -Compress") == 1
        assert "ConvertFrom-EoParams -Encoded $ParamsB64" in text


def test_hostile_parameters_travel_as_base64_data_never_as_code():
    hostile = "x'; Remove-Item C:\\ -Recurse; '$(whoami)\"@\n'@"
    sent = client.payload("audit.ps1", {"winrm_port": 5986, "edr": {"service": hostile}}).decode("ascii")
    first = sent.splitlines()[0]
    match = re.fullmatch(r"\$ParamsB64 = '([A-Za-z0-9+/=]*)'", first)
    assert match, first
    assert json.loads(base64.b64decode(match.group(1)))["edr"]["service"] == hostile
    assert hostile not in sent and "whoami" not in sent
    tree = PARSER.parse(sent.encode("ascii"))
    assert not tree.root_node.has_error


def test_the_bootstrap_is_short_and_reads_the_script_from_stdin():
    boot = base64.b64decode(client.POWERSHELL[-1]).decode("utf-16-le")
    assert boot == client.BOOTSTRAP and "$input" in boot
    assert len(" ".join(["powershell.exe", *client.POWERSHELL])) < 8191
    assert not PARSER.parse(boot.encode()).root_node.has_error
