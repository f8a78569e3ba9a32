"""Each Windows module's documentation (what `ansible-doc` shows) lists exactly the arguments its action plugin
accepts, with the same types and defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eoffice_guard.windows.specs import SPECS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def docs() -> dict:
    env = os.environ | {"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    out = subprocess.run([str(Path(sys.executable).parent / "ansible-doc"), "-M", "plugins/modules", "--json",
                          *SPECS], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("module", sorted(SPECS))
def test_documented_options_match_the_argument_spec(docs, module):
    documented, spec = docs[module]["doc"]["options"], SPECS[module]
    assert set(documented) == set(spec)
    for name, option in spec.items():
        assert documented[name].get("type", "str") == option["type"], name
        assert documented[name].get("default") == option.get("default"), name
        assert bool(documented[name].get("required")) == bool(option.get("required")), name


def test_every_module_has_examples_and_return_values(docs):
    for module in SPECS:
        assert docs[module]["doc"]["short_description"] and docs[module]["doc"]["description"], module
        assert f"{module}:" in docs[module]["examples"], module
        assert docs[module]["return"], module
