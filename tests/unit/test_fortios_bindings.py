"""FortiOS IP+MAC bindings: names unique by construction, compared by IP and every setting, never by a
name FortiOS cuts at 35 characters (issue: the firewall path under hostile input, defect 1)."""

from __future__ import annotations

import pytest
from conftest import TODAY

from eoffice_guard.compiler import compile_for
from eoffice_guard.delivery import fortios as drv
from eoffice_guard.delivery.session import plan_only, verify
from eoffice_guard.fortios import BINDING_NAME_MAX
from eoffice_guard.policy import validate_policy

OWNERS = ("Registry workstation, 2nd floor - desk A", "Registry workstation, 2nd floor - desk B")


@pytest.fixture
def intended(lab_raw) -> str:
    for binding, owner in zip(lab_raw["device_bindings"], OWNERS, strict=True):
        binding["owner"] = owner
    return compile_for(validate_policy(lab_raw, "lab", today=TODAY), "fortios").text


def _table(text: str) -> dict:
    return drv.read_tree(text)["firewall ipmacbinding table"]


def test_owners_that_start_alike_give_distinct_names(intended):
    names = [e.settings["name"][0][0] for k, e in _table(intended).items() if k]
    assert len(names) == 2 and len(set(names)) == 2, names
    assert all(len(n) <= BINDING_NAME_MAX for n in names)
    assert names[0].startswith("EO-10.20.1.15 Registry")


def test_a_device_holding_one_of_two_bindings_is_not_taken_as_done(intended):
    """What the name-keyed table left on the device: one entry under the shared cut name, the last IP."""
    head, rest = intended.split("config firewall ipmacbinding table\n")
    tail = rest.split("end\n", 1)[1]
    old = ('config firewall ipmacbinding table\n    edit 10001\n        set ip 10.20.1.16\n'
           '        set mac 00:1a:2b:3c:4d:5f\n        set name "EO-Registry workstation, 2nd floo"\n'
           '        set status enable\n    next\nend\n')
    running = head + old + tail
    _, _, plan = plan_only(drv, running, intended)
    assert any("set ip 10.20.1.15" in c for c in plan.commands), plan.commands
    assert "ip 10.20.1.15" in verify(drv, running, intended)


def test_verify_compares_every_setting_of_every_binding(intended):
    assert verify(drv, intended, intended) == ""
    other_mac = intended.replace("set mac 00:1a:2b:3c:4d:5e", "set mac 02:00:5e:00:53:99")
    assert "firewall ipmacbinding table ip 10.20.1.15" in verify(drv, other_mac, intended)


def test_a_binding_id_taken_on_the_device_is_not_edited_over(intended):
    """Entry 10001 holds the ministry's own binding: ours must get another id, not change theirs."""
    theirs = ("config firewall ipmacbinding table\n    edit 10001\n        set ip 10.20.9.9\n"
              "        set mac 00:11:22:33:44:55\n        set name \"Printer desk\"\n    next\nend\n")
    _, _, plan = plan_only(drv, "config system global\nend\n" + theirs, intended)
    edits = [c.strip() for c in plan.commands if c.strip().startswith("edit 100")]
    table = plan.commands.index("config firewall ipmacbinding table")
    assert "edit 10001" not in [c.strip() for c in plan.commands[table:table + 12]], plan.commands
    assert edits


def test_a_plan_is_the_same_in_every_process():
    """The approved plan is compared with the applied one, computed by another Python process: nothing in
    a plan may depend on the hash seed (the settings of shared entries were once a set)."""
    import subprocess
    import sys

    code = ("import sys; sys.path.insert(0, 'plugins/module_utils'); sys.path.insert(0, 'tests/unit');"
            "from conftest import policy_of; from eoffice_guard.compiler import compile_for;"
            "from eoffice_guard.delivery import fortios as d; from eoffice_guard.delivery.session import plan_only;"
            "t = compile_for(policy_of('lab'), 'fortios').text;"
            "print(plan_only(d, 'config system global\\nend\\n', t)[2].commands)")
    plans = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3, 4)}
    assert len(plans) == 1
