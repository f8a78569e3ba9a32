"""Shared fixtures: the project's real policies, loaded as Ansible would see the `eoffice` value."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

import pytest
import yaml

from eoffice_guard.policy import validate_policy

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 11, 23)  # fixed, so approvals and goldens do not age with the calendar
POLICY_FILES = {
    "lab": "inventories/lab/group_vars/all/eoffice.yml",
    "example-ministry": "inventories/example-ministry/group_vars/all/eoffice.yml",
    "sample-large": "tests/data/sample-large.yml",
}


SRC_LAB = POLICY_FILES["lab"]


def load_raw(name: str) -> dict:
    return yaml.safe_load((ROOT / POLICY_FILES[name]).read_text())["eoffice"]


@pytest.fixture
def lab_raw() -> dict:
    return copy.deepcopy(load_raw("lab"))


def policy_of(name: str):
    return validate_policy(load_raw(name), POLICY_FILES[name], today=TODAY)
