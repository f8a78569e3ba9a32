"""The delta planner without a device: moves, ASA access-list edits, the anti-lockout guard."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eoffice_guard.compiler import compile_for
from eoffice_guard.delivery import asa, fortios, panos
from eoffice_guard.delivery.lockout import Lockout, management_guard
from eoffice_guard.delivery.planning import Move, moves
from eoffice_guard.policy import validate_policy

LAB_POLICY = Path(__file__).resolve().parents[2] / "inventories/lab/group_vars/all/eoffice.yml"


@pytest.fixture(scope="module")
def policy():
    return validate_policy(yaml.safe_load(LAB_POLICY.read_text())["eoffice"], "lab")


def test_new_managed_rules_move_above_the_ministry_rules():
    assert moves(["Ministry", "EO-A", "EO-B"], ["EO-A", "EO-B"]) == [Move("EO-A", "before", "Ministry"),
                                                                     Move("EO-B", "after", "EO-A")]


def test_rules_already_in_order_do_not_move():
    assert moves(["EO-A", "EO-B", "Ministry"], ["EO-A", "EO-B"]) == []


def test_one_rule_out_of_place_is_the_only_move():
    assert moves(["EO-B", "EO-A", "EO-C", "Ministry"], ["EO-A", "EO-B", "EO-C"]) == [Move("EO-A", "before", "EO-B")]


def test_an_ace_is_inserted_at_its_line_and_a_removed_one_deleted():
    old = ["remark EO-R1 x", "extended permit ip any any", "extended deny ip any any log"]
    new = ["remark EO-R1 x", "extended permit tcp any any eq 22", "extended deny ip any any log"]
    assert asa._acl_delta("EO-IN-inside", old, new) == [
        "no access-list EO-IN-inside extended permit ip any any",
        "access-list EO-IN-inside line 2 extended permit tcp any any eq 22"]


def test_a_remark_that_cannot_be_placed_rewrites_the_list_from_there():
    old = ["remark EO-R1 x", "extended permit ip any any"]
    new = ["remark EO-R0 y", "extended deny ip any any", "remark EO-R1 x", "extended permit ip any any"]
    delta = asa._acl_delta("EO-IN-inside", old, new)
    assert delta[:2] == ["no access-list EO-IN-inside extended permit ip any any",
                         "no access-list EO-IN-inside remark EO-R1 x"]
    assert delta[2:] == [f"access-list EO-IN-inside {line}" for line in new]


@pytest.mark.parametrize("driver", [fortios, panos, asa], ids=lambda d: d.PLATFORM)
def test_the_intended_config_against_itself_is_no_delta(policy, driver):
    text = compile_for(policy, driver.PLATFORM).text
    assert driver.plan(driver.current(text, text), driver.target(text, text)).empty


def test_a_change_that_drops_management_is_refused(policy):
    text = compile_for(policy, "panos").text
    without_management = "\n".join(line for line in text.splitlines() if "EO-R1-MGMT" not in line)
    with pytest.raises(Lockout, match=r"management would be locked out.*nothing was sent"):
        management_guard(policy, "panos")(without_management)


def test_the_reviewed_rules_pass_the_guard(policy):
    management_guard(policy, "panos")(compile_for(policy, "panos").text)
