"""Generated policies, valid and hostile, through validate → compile → parse on every platform.

Zero unhandled exceptions: a policy is refused (every refusal names the file and a key path) or it
compiles, reads back and, for nftables, passes ``nft -c``.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess

import pytest
from conftest import TODAY, random_policies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eoffice_guard.compiler import compile_for
from eoffice_guard.policy import PolicyError, validate_policy
from eoffice_guard.registry import parse

SRC = "inventories/generated/group_vars/all/eoffice.yml"
EXAMPLES = int(os.environ.get("EOFFICE_PROPERTY_EXAMPLES", "150"))  # more for a longer hunt
HOSTILE = st.one_of(
    st.sampled_from([
        "{{ lookup('pipe', 'id') }}", "{% if 1 %}x{% endif %}", "{# c #}", "a\nb", "line\u2028sep", "nel\u0085",
        "para\u2029", "tab\tx", 'quote"d', "back\\slash", "x" * 300, "\U0001F600" * 40, " lead", "trail ",
        "two  spaces", "", "eth1\n", "eth1:0", "ethernet-0123456789", "0.0.0.0/2", "0.0.0.0/0",
        "fd00:50::%eth0/64", "255.255.255.255", "224.0.0.1", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff",
        "01:00:5e:00:00:01", "10.20.0.0/33", "TCP-443", "x-1", "lan0-1", "2026-02-30", "yes",
    ]),
    st.sampled_from([True, False, None, 0, -1, 65536, 1.5, 291, 83, [], {}, ["a"], {"a": 1}]),
    st.text(min_size=0, max_size=20),
)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


@st.composite
def hostile_policies(draw):
    data = copy.deepcopy(draw(random_policies()))
    for _ in range(draw(st.integers(0, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        target = data
        for key in path[:-1]:
            target = target[key]
        if draw(st.booleans()) and isinstance(target, dict) and isinstance(path[-1], str):
            target[draw(HOSTILE.filter(lambda v: isinstance(v, str)))] = target.pop(path[-1])  # a hostile key
        else:
            target[path[-1]] = draw(HOSTILE)
    return data


def _nft_check(text: str, tmp_path) -> None:
    conf = tmp_path / "rendered.nft"
    conf.write_text(text)
    result = subprocess.run(["nft", "-c", "-f", str(conf)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("nft") is None, reason="nft is not installed")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(hostile_policies())
def test_generated_policies_are_refused_with_a_key_path_or_compile_everywhere(tmp_path, data):
    try:
        policy = validate_policy(data, SRC, today=TODAY)
    except PolicyError as err:
        assert err.errors, "a refusal without a reason"
        for path, message in err.errors:
            assert path.startswith("eoffice") and message, (path, message)
        assert all(line.startswith(f"{SRC}: eoffice") for line in str(err).splitlines()), str(err)
        return
    for platform in policy.platforms:
        compiled = compile_for(policy, platform)
        parse(platform, compiled.text, policy.zones)
        if platform == "nftables":
            _nft_check(compiled.text, tmp_path)
