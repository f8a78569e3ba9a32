"""Each fault of the lab WinRM endpoint becomes one line that names the host and says what was and was not done;
no partial state is reported compliant; the password (a canary) never appears, whichever way it fails."""

from __future__ import annotations

import pytest

from eoffice_guard.windows.client import WinRMError
from eoffice_guard.windows.runner import run
from tests.integration.win_support import LAB_EDR, endpoint, hostvars, module_args

pytestmark = pytest.mark.integration
CANARY = "Canary-i12cl-7Hq!x"


def failure(module: str, vars_: dict, **args) -> str:
    with pytest.raises(WinRMError) as err:
        run(module, module_args(module, **args) if module != "win_endpoint_audit" else
            {"edr_profile": LAB_EDR, "command_timeout": 60} | args, "pc7", vars_, check=False)
    text = str(err.value)
    assert text.startswith("pc7: ") and "\n" not in text, text
    assert err.value.__cause__ is None  # no chained exception text
    assert err.value.__context__ is None or err.value.__suppress_context__
    return text


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text


def test_wrong_credentials_and_refused_logins_are_one_line_401(tmp_path):
    with endpoint(tmp_path, "i12cl-auth") as ep:
        text = failure("win_endpoint_audit", hostvars(ep, password=CANARY))
        assert "refused the credentials of 'eoadmin' (HTTP 401)" in text and text.endswith("nothing was changed")
        assert_no_secret(text, CANARY)
        ep.set_faults(refuse_auth=True)
        text = failure("win_password_policy", hostvars(ep))
        assert "HTTP 401" in text
        assert_no_secret(text, ep.password)
        assert ep.changes() == []


def test_http_500_on_the_change_says_nothing_was_confirmed_and_reads_again(tmp_path):
    with endpoint(tmp_path, "i12cl-h500") as ep:
        requests_for_a_read = 5  # create shell, command, send, receive, signal
        ep.set_faults(http_500_on=requests_for_a_read + 1)  # the apply script's Command request
        text = failure("win_password_policy", hostvars(ep))
        assert "EO-ID-1: applying" in text and "HTTP 500" in text
        assert "read again, the host is not compliant: still wrong: MinimumPasswordLength is 7" in text
        assert ep.changes() == []
        assert_no_secret(text, ep.password)


def test_a_slow_host_times_out_with_its_name(tmp_path):
    with endpoint(tmp_path, "i12cl-slow", slow_command=30) as ep:
        vars_ = hostvars(ep) | {"ansible_winrm_operation_timeout_sec": 1, "ansible_winrm_read_timeout_sec": 5}
        text = failure("win_endpoint_audit", vars_, command_timeout=3)
        assert "reading the host's state: timed out" in text and text.endswith("nothing was changed")
        assert_no_secret(text, ep.password)


def test_an_adapter_that_refuses_to_disable_is_named_and_the_rest_is_done(tmp_path):
    with endpoint(tmp_path, "i12cl-stuck", stuck_adapter="wg-home") as ep:
        text = failure("win_vpn_adapters", hostvars(ep))
        assert text.startswith("pc7: EO-VPN-1 is not compliant: done: disable adapter Ethernet 2")
        assert "not done: disable adapter wg-home: The network adapter cannot be disabled" in text
        assert "adapter wg-home (Wintun / WireGuard) is Up" in text.split("still wrong: ")[1]
        assert {a["Name"]: a["Status"] for a in ep.state()["adapters"]}["wg-home"] == "Up"


def test_no_listener_and_an_untrusted_certificate_fail_before_anything_is_sent(tmp_path):
    with endpoint(tmp_path, "i12cl-tls") as ep:
        untrusted = hostvars(ep, password=CANARY)
        untrusted.pop("ansible_winrm_ca_trust_path")
        text = failure("win_endpoint_audit", untrusted)
        assert "is not trusted" in text and "ansible_winrm_ca_trust_path" in text
        assert text.endswith("nothing was changed")
        assert_no_secret(text, CANARY)
        assert ep.stats().get("powershell_invocations", 0) == 0
    text = failure("win_endpoint_audit", hostvars(ep, password=CANARY))  # the endpoint is stopped now
    assert "cannot connect to https://127.0.0.1:" in text
    assert_no_secret(text, CANARY)
