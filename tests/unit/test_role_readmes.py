"""Role variables are declared once, in meta/argument_specs.yml, and each README is generated from it."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p.parent.parent for p in ROOT.glob("roles/*/meta/argument_specs.yml"))


def test_role_readmes_match_their_argument_specs():
    result = subprocess.run([sys.executable, "tools/role_readme.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_every_default_is_declared_in_the_argument_specs(role):
    defaults = yaml.safe_load((role / "defaults/main.yml").read_text()) or {}
    options = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    assert set(defaults) == set(options), "defaults and argument specs disagree"
    for name, spec in options.items():
        assert spec.get("description"), f"{name} has no description"
        assert spec.get("default") == defaults[name], f"{name}: the spec's default differs from defaults/main.yml"
