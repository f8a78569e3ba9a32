"""EO-ID-1 behaviour on the converged hosts: what users and attackers meet, not file contents."""

import itertools
import json
import shlex

import pytest
import testinfra

COMPLIANT = "Vivid-Lantern-48x"
ANOTHER_COMPLIANT = "Quiet-Harbour-93k"
_users = itertools.count()
# A PAM service with only the common stacks: what every Debian login service includes, without
# login's own 3-second fail delay.
PAM_SERVICE = "eoffice-verify"


@pytest.fixture(scope="module")
def host(host):
    """Talk to the container with `podman exec` directly: Ansible per command is far slower."""
    node = testinfra.get_host(f"podman://{host.backend.get_hostname()}")
    node.check_output(
        f"printf '@include common-auth\\n@include common-account\\n' > /etc/pam.d/{PAM_SERVICE}"
    )
    yield node
    node.run(f"rm -f /etc/pam.d/{PAM_SERVICE}")


@pytest.fixture
def user(host):
    """A fresh account with a known password, set without PAM so history starts empty."""
    name = f"eotest{next(_users)}"
    with host.sudo():
        host.run(f"userdel -r {name}")
        host.check_output(f"useradd -m {name}")
        host.check_output(f"echo {shlex.quote(f'{name}:Initial-Passw0rd-2026')} | chpasswd")
    yield name
    with host.sudo():
        host.run(f"userdel -r {name}")


def change_password(host, name, new):
    """passwd as root; pwquality and pwhistory enforce for root too (enforce_for_root)."""
    return host.run(f"printf '%s\\n%s\\n' {shlex.quote(new)} {shlex.quote(new)} | passwd {name}")


def authenticate(host, name, password):
    return host.run(f"echo {shlex.quote(password)} | pamtester {PAM_SERVICE} {name} authenticate")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt-Pa5s", "shorter than 14 characters"),  # 10 characters, 4 classes
        ("lowercaseonly2468", "less than 3 character classes"),
        ("Administrator1", "dictionary"),
        ("Paaaa-ssword-19x", "same characters consecutively"),
    ],
    ids=["ten-characters", "two-classes", "dictionary-word", "repeated-characters"],
)
def test_weak_password_is_refused_with_the_reason(host, user, password, reason):
    result = change_password(host, user, password)
    assert result.rc != 0
    assert reason in result.stdout + result.stderr


def test_compliant_password_is_accepted_and_works(host, user):
    assert change_password(host, user, COMPLIANT).rc == 0
    assert authenticate(host, user, COMPLIANT).rc == 0


def test_five_failures_lock_the_account(host, user):
    assert change_password(host, user, COMPLIANT).rc == 0
    for _ in range(5):
        assert authenticate(host, user, "not-the-password").rc != 0
    tally = host.check_output(f"faillock --user {user}")
    assert len([line for line in tally.splitlines() if line.rstrip().endswith(" V")]) == 5
    assert authenticate(host, user, COMPLIANT).rc != 0, "the right password must not open a locked account"
    host.check_output(f"faillock --user {user} --reset")
    assert authenticate(host, user, COMPLIANT).rc == 0


def test_four_failures_do_not_lock(host, user):
    assert change_password(host, user, COMPLIANT).rc == 0
    for _ in range(4):
        assert authenticate(host, user, "not-the-password").rc != 0
    assert authenticate(host, user, COMPLIANT).rc == 0


def test_old_password_is_refused_on_reuse(host, user):
    assert change_password(host, user, COMPLIANT).rc == 0
    assert change_password(host, user, ANOTHER_COMPLIANT).rc == 0
    result = change_password(host, user, COMPLIANT)
    assert result.rc != 0
    assert "has been already used" in result.stdout + result.stderr


def test_new_accounts_get_password_ageing(host, user):
    ageing = host.check_output(f"chage -l {user}")
    assert "Maximum number of days between password change\t\t: 90" in ageing
    assert "Minimum number of days between password change\t\t: 1" in ageing
    assert "Number of days of warning before password expires\t: 14" in ageing


def test_applied_controls_are_recorded(host):
    fact = json.loads(host.file("/etc/ansible/facts.d/eoffice.fact").content_string)
    assert fact["EO-ID-1"]["settings"]["pwquality"]["min_length"] == 14
    assert fact["EO-ID-1"]["settings"]["faillock"]["deny"] == 5


def account_management(host, name):
    """What a login asks after the password: is the account usable, or must the password change now?"""
    return host.run(f"pamtester {PAM_SERVICE} {name} acct_mgmt")


def test_existing_accounts_passwords_age_out_after_90_days(host):
    """alice existed before the role: her password changed 91 days ago is now expired; 89 days is fine."""
    host.check_output("chage -d $(date -d '-89 days' +%F) alice")
    assert account_management(host, "alice").rc == 0
    host.check_output("chage -d $(date -d '-91 days' +%F) alice")
    expired = account_management(host, "alice")
    assert expired.rc != 0
    assert "new one required" in expired.stdout + expired.stderr


def test_break_glass_and_non_human_accounts_are_left_alone(host):
    host.check_output("chage -d $(date -d '-400 days' +%F) breakglass")
    assert account_management(host, "breakglass").rc == 0, "the break-glass account must still work"
    for name in ("leaver", "svc-app"):
        assert "Maximum number of days between password change\t\t: 99999" in host.check_output(f"chage -l {name}")


def test_aged_accounts_are_listed_in_the_fact(host):
    fact = json.loads(host.file("/etc/ansible/facts.d/eoffice.fact").content_string)
    assert fact["EO-ID-1"]["settings"]["ageing_last_changed"] == ["alice"]
