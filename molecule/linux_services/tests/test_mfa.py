"""EO-ID-2 behaviour, through real SSH logins (paramiko, keyboard-interactive) and real sudo: no code,
a wrong code and a reused code are refused, the code pyotp computes from the user's own secret is
accepted; a user without a secret gets in before the deadline and not after it; the break-glass
account gets in; the run refuses to lock out the account it logs in with."""

from __future__ import annotations

import base64
import json
import shlex
import socket
import subprocess
import time

import paramiko
import pyotp
import pytest
from conftest import converge, fact, flat, hosts, podman_host

PASSWORD = "Enrolled-User-Passw0rd-26"  # lab-only test accounts
BREAK_GLASS = ("eo-breakglass", "Lab-Break-Glass-2026")  # prepare.yml
DEADLINE_SERVICE = "eoffice-mfa-deadline"


def address(name: str) -> str:
    networks = json.loads(subprocess.run(["podman", "inspect", "--format", "{{json .NetworkSettings.Networks}}", name],
                                         check=True, capture_output=True, text=True).stdout)
    return next(iter(networks.values()))["IPAddress"]


def host_key(name: str) -> paramiko.PKey:
    """The container's own host key, read from the container: the SSH client verifies who it talks to."""
    _kind, blob = podman_host(name).check_output("cat /etc/ssh/ssh_host_ed25519_key.pub").split()[:2]
    return paramiko.Ed25519Key(data=base64.b64decode(blob))


def login(name: str, user: str, password: str, code: str | None) -> paramiko.Transport | None:
    """A keyboard-interactive SSH login; the transport when accepted, None when refused."""
    transport = paramiko.Transport(socket.create_connection((address(name), 22), timeout=10))
    transport.start_client(timeout=10)
    if transport.get_remote_server_key() != host_key(name):
        transport.close()
        raise AssertionError(f"{name}: the SSH host key is not the container's")

    def answer(_title, _instructions, prompts):
        return [password if "password" in prompt.lower() else (code or "") for prompt, _echo in prompts]

    try:
        transport.auth_interactive(user, answer)
    except paramiko.AuthenticationException:
        transport.close()
        return None
    return transport


def logs_in(name: str, user: str, password: str, code: str | None = None) -> bool:
    transport = login(name, user, password, code)
    if transport:
        transport.close()
    return transport is not None


def sudo(transport: paramiko.Transport, *answers: str) -> tuple[int, str]:
    """`sudo -S` in the SSH session, its prompts answered from stdin (password, then the code)."""
    channel = transport.open_session()
    channel.exec_command("sudo -S -k -p '' id -u")
    channel.sendall("".join(f"{line}\n" for line in answers).encode())
    channel.shutdown_write()
    output = channel.makefile("r").read().decode()
    return channel.recv_exit_status(), output


class Codes:
    """Valid TOTP codes of one secret, each used once (the secret file disallows reuse)."""

    def __init__(self, secret: str) -> None:
        self.totp, self.used = pyotp.TOTP(secret), set()

    def fresh(self) -> str:
        while True:
            step = int(time.time()) // 30
            for candidate in (step, step + 1):  # the module accepts one step either side (window 3)
                if candidate not in self.used:
                    self.used.add(candidate)
                    return self.totp.at(candidate * 30)
            time.sleep(5)

    def wrong(self) -> str:
        valid = {self.totp.at((int(time.time()) // 30 + d) * 30) for d in (-1, 0, 1)}
        return next(c for c in ("000000", "123456", "654321") if c not in valid)


@pytest.fixture(scope="session")
def accounts():
    """On every host, alice enrols herself (google-authenticator, as herself, on the host) and bob has
    no secret yet. Returns alice's codes per host."""
    codes = {}
    for name in hosts():
        node = podman_host(name)
        for user in ("alice", "bob"):
            node.run(f"userdel -r {user}")
            node.check_output(f"useradd -m -s /bin/bash -G sudo {user}")
            node.check_output(f"echo {shlex.quote(f'{user}:{PASSWORD}')} | chpasswd")
        node.check_output("su - alice -c 'google-authenticator --time-based --disallow-reuse --force --window-size=3 "
                          "--no-rate-limit --emergency-codes=1 --qr-mode=NONE --quiet' </dev/null")
        codes[name] = Codes(node.check_output("head -n1 ~alice/.google_authenticator").strip())
    return codes


@pytest.fixture
def people(name, accounts):
    return accounts[name]


def test_ssh_without_a_code_is_refused(name, people):
    assert not logs_in(name, "alice", PASSWORD, None)


def test_ssh_with_a_wrong_code_is_refused(name, people):
    assert not logs_in(name, "alice", PASSWORD, people.wrong())


def test_ssh_with_the_users_code_is_accepted_once(name, people):
    code = people.fresh()
    assert logs_in(name, "alice", PASSWORD, code)
    assert not logs_in(name, "alice", PASSWORD, code), "a used code must not open a second session"


def test_ssh_with_the_right_code_but_a_wrong_password_is_refused(name, people):
    assert not logs_in(name, "alice", "not-the-password", people.fresh())


def test_sudo_needs_the_code_too(name, people):
    session = login(name, "alice", PASSWORD, people.fresh())
    assert session is not None
    try:
        assert sudo(session, PASSWORD, "")[0] != 0, "sudo without a code"
        assert sudo(session, PASSWORD, people.wrong())[0] != 0, "sudo with a wrong code"
        status, output = sudo(session, PASSWORD, people.fresh())
        assert status == 0 and output.strip().endswith("0"), output
    finally:
        session.close()


def test_the_break_glass_account_gets_in_without_a_code(name):
    assert logs_in(name, *BREAK_GLASS)


@pytest.fixture(scope="session")
def deadline_story(accounts):
    """Every host: bob (no secret) before the deadline; after the deadline switch fires (as the
    timer does at the deadline); after a run with the deadline in the past. One run for all hosts."""
    story = {name: {} for name in hosts()}
    for name in hosts():
        node = podman_host(name)
        story[name]["timer"] = node.run(f"systemctl is-enabled {DEADLINE_SERVICE}.timer").stdout.strip()
        story[name]["before"] = logs_in(name, "bob", PASSWORD)
        node.check_output(f"systemctl start {DEADLINE_SERVICE}.service")
        story[name]["switched"] = logs_in(name, "bob", PASSWORD)
    run = converge(",".join(hosts()), "--tags", "EO-ID-2", "-e", '{"eoffice": {"advisory_deadline": "2020-01-01"}}')
    for name in hosts():
        node = podman_host(name)
        story[name]["run"] = run
        story[name]["after"] = logs_in(name, "bob", PASSWORD)
        story[name]["timer_after"] = node.file(f"/etc/systemd/system/{DEADLINE_SERVICE}.timer").exists
        story[name]["fact"] = fact(node, "EO-ID-2")["settings"]
        story[name]["break_glass_after"] = logs_in(name, *BREAK_GLASS)
    return story


def test_before_the_deadline_a_user_without_a_secret_gets_in_and_is_reported(name, people, deadline_story):
    assert deadline_story[name]["timer"] == "enabled"
    assert deadline_story[name]["before"] is True


def test_at_the_deadline_the_host_itself_stops_admitting_users_without_a_secret(name, people, deadline_story):
    assert deadline_story[name]["switched"] is False


def test_a_run_after_the_deadline_keeps_them_out_and_reports_them(name, people, deadline_story):
    story = deadline_story[name]
    assert story["run"].returncode == 0, story["run"].stdout[-3000:]
    assert story["after"] is False
    assert story["break_glass_after"] is True
    assert story["timer_after"] is False
    assert story["fact"]["grace"] is False
    assert "bob" in story["fact"]["without_secret"] and "alice" in story["fact"]["with_secret"]
    assert logs_in(name, "alice", PASSWORD, people.fresh()), "an enrolled user still gets in"


def test_the_run_refuses_to_lock_out_its_own_ssh_account():
    """A run that would log in over SSH as a user who is not exempt stops before contacting a host."""
    run = converge(",".join(hosts()), "--tags", "EO-ID-2", "-e", "ansible_connection=ssh", "-e", "ansible_user=alice")
    assert run.returncode != 0
    assert "Refusing to enforce TOTP" in flat(run.stdout)
    assert "Add 'alice' to mfa_break_glass_accounts" in flat(run.stdout)
    assert "Gathering Facts" not in run.stdout


def test_a_break_glass_account_missing_on_the_host_stops_the_run_before_any_change():
    accounts = '{"mfa_break_glass_accounts": ["eo-breakglass", "eo-nobody"]}'
    run = converge(hosts()[0], "--tags", "EO-ID-2", "-e", accounts)
    assert run.returncode != 0
    assert f"mfa_break_glass_accounts[1] 'eo-nobody' does not exist on {hosts()[0]}" in flat(run.stdout)
    assert "Install the TOTP PAM module" not in run.stdout
