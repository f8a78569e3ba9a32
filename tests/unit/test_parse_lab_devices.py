"""Rendered files typed line by line into the lab's FortiOS, PAN-OS and ASA CLI models, read back from `show`.

The CLI models are the ones the lab's SSH simulators serve (see docs/lab.md); here they run in-process.
"""

from __future__ import annotations

import pytest
from conftest import policy_of

from eoffice_guard.ir import build_ir
from eoffice_guard.registry import parse, render
from lab.firewalls import asa, fortios, panos
from lab.firewalls.faults import Faults

DEVICES = {
    "fortios": (fortios.FortiBox, [], [], "show"),
    "panos": (panos.PanBox, ["configure"], ["commit", "exit", "set cli config-output-format set", "configure"],
              "show"),
    "asa": (asa.AsaBox, ["enable", "lab-asa-enable", "configure terminal"], [], "show running-config"),
}
REFUSALS = ("error", "invalid", "fail", "not a valid", "unknown", "^")


def typed(platform: str, text: str, tmp_path) -> str:
    cls, before, after, show = DEVICES[platform]
    box = cls(platform, tmp_path, Faults(tmp_path / "faults.json"))
    login = (getattr(box, "new_login", None) or box.new_session)("admin")  # the lab's API, before and after renaming
    commands = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", "!"))]
    for line in [*before, *commands]:
        answer = str(login.run(line) or "")
        assert not any(word in answer.lower() for word in REFUSALS), f"{platform} refused {line!r}: {answer}"
    for line in after:
        login.run(line)
    return str(login.run(show))


@pytest.mark.integration
@pytest.mark.parametrize("platform", sorted(DEVICES))
@pytest.mark.parametrize("name", ["lab", "example-ministry"])  # interfaces the lab devices have
def test_device_accepts_the_file_and_shows_the_same_rules(name, platform, tmp_path):
    policy = policy_of(name)
    rs = build_ir(policy)
    running = typed(platform, render(platform, rs), tmp_path)
    parsed = parse(platform, running, policy.zones)
    got = parsed.ruleset
    assert got.addresses == rs.addresses and got.services == rs.services
    names = [r.name for r in got.rules]
    want = [r for r in rs.rules if r.name in names]
    assert len(want) >= 9
    assert [(r.name, r.action, r.sources, r.destinations, r.services, r.applications, r.src_zones)
            for r in got.rules] == [(r.name, r.action, r.sources, r.destinations, r.services, r.applications,
                                     r.src_zones) for r in want]
    assert parsed.unmanaged, "the lab devices start with the ministry's own objects; they are reported"
    assert all("EO-" not in line.split()[1:3] for line in parsed.unmanaged if line.split())
