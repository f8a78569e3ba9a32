"""One delivery to one firewall: read → plan → (check mode stops here) → backup → push → commit → verify.

A failure after the first command undoes the change (the driver's discard, then the inverse delta
back to the backed-up state) and says what happened and what the device holds now.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import hostkeys
from .drivers import driver

RECOVERY_TIMEOUT = 120.0  # generous: a slow device must not turn an undo into a second failure


DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts"


@dataclass(frozen=True)
class Device:
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    platform: str
    secret: str = field(default="", repr=False)
    conn_timeout: float = 15.0
    known_hosts: str = DEFAULT_KNOWN_HOSTS

    def params(self) -> dict:
        out = {"device_type": driver(self.platform).DEVICE_TYPE, "host": self.host, "port": self.port,
               "username": self.username, "password": self.password, "conn_timeout": self.conn_timeout,
               **hostkeys.netmiko_params(self.known_hosts)}
        return out | ({"secret": self.secret} if self.secret else {})


@dataclass
class Outcome:
    changed: bool
    commands: list[str]
    summary: list[str]
    before: str  # the managed section before, as text
    after: str  # the managed section intended
    backup: str = ""
    sent: int = 0  # config commands sent (0 in check mode and when nothing differs)
    findings: list[str] = field(default_factory=list)  # the ministry's own rules that defeat the policy


class PlanChanged(RuntimeError):
    """The device changed between approval and apply: the plan now differs from the approved one."""


def plan_hash(commands: list[str]) -> str:
    return hashlib.sha256("\n".join(commands).encode()).hexdigest()


class DeliveryError(RuntimeError):
    def __init__(self, message: str, backup: str = "", state: str = "unknown"):
        super().__init__(message)
        self.backup, self.state = backup, state  # state: before | intended | unknown


@contextmanager
def connected(device: Device):
    from netmiko import ConnectHandler  # only where a device is reached: planning code needs no netmiko

    hostkeys.check(device.host, device.port, device.known_hosts, device.conn_timeout)
    conn = ConnectHandler(**device.params())
    try:
        driver(device.platform).prepare(conn)
        yield conn
    finally:
        with contextlib.suppress(OSError):  # the device may have closed the session already
            conn.disconnect()


def plan_only(drv, running: str, intended: str):
    have, want = drv.current(running, intended), drv.target(intended, running)
    return have, want, drv.plan(have, want)


def deliver(device: Device, intended: str, *, check: bool, backup_dir: Path | None, name: str, ministry: str,
            timeout: float = 60.0, commit_timeout: float = 120.0, commit_wait: float = RECOVERY_TIMEOUT,
            guard=None, review=None, approved: list[str] | None = None) -> Outcome:
    """Bring the managed section of ``device`` to ``intended``; raises DeliveryError after undoing a failure.

    ``guard(after_text)`` may raise to refuse a change (anti-lockout) before anything is sent.
    ``review(running_text)`` returns findings about the rules the project does not own.
    ``commit_wait``: how long a commit that outlived ``commit_timeout`` may still take on the device.
    ``approved``: the commands a reviewer approved; a plan that differs now is refused before any change.
    """
    drv = driver(device.platform)
    with connected(device) as conn:
        running = drv.read(conn, timeout)
        have, want, plan = plan_only(drv, running, intended)
        outcome = Outcome(not plan.empty, plan.commands, plan.summary, drv.text(have), drv.text(want))
        outcome.findings = review(running) if review is not None else []
        if plan.empty or check:
            return outcome
        if approved is not None and plan.commands != approved:
            raise PlanChanged(_plan_change(approved, plan.commands))
        if guard is not None:
            guard(outcome.after)
        drv.begin(conn)  # may refuse (PAN-OS: somebody else's uncommitted changes): nothing sent yet
        outcome.backup = str(write_backup(backup_dir, ministry, name, running)) if backup_dir else ""
        phase = "push"
        try:
            drv.send(conn, plan.commands, timeout)
            outcome.sent = len(plan.commands)
            phase = "commit"
            drv.commit(conn, commit_timeout)
            phase = "verify"
            problem = verify(drv, drv.read(conn, timeout), intended)
        except Exception as err:  # any failure on the device: undo, then report both
            raise recover(device, running, intended, phase, err, outcome.backup, commit_wait) from None
    if problem:
        raise recover(device, running, intended, "verify", RuntimeError(problem), outcome.backup, commit_wait)
    return outcome


def verify(drv, running: str, intended: str) -> str:
    """'' when ``running`` holds the intended managed section, else what still differs."""
    _, _, plan = plan_only(drv, running, intended)
    return "" if plan.empty else "after the push the device still differs: " + "; ".join(plan.summary)


def recover(device: Device, before: str, intended: str, phase: str, err: Exception, backup: str,
            commit_wait: float) -> DeliveryError:
    """Leave the device as it was (or, when a slow commit completed meanwhile, as intended) and explain.

    After a failed commit or save the job may still run on the device: wait up to ``commit_wait`` for
    the intended config to appear before undoing anything, so the undo never races the commit.
    """
    drv = driver(device.platform)
    what = f"{phase} failed on {device.platform} ({type(err).__name__}: {_first_line(err)})"
    kept = f"; backup of the running config before the change: {backup}" if backup else ""
    try:
        with connected(device) as conn:
            now = drv.read(conn, RECOVERY_TIMEOUT)
            deadline = time.monotonic() + (commit_wait if phase == "commit" else 0)
            while not plan_only(drv, now, intended)[2].empty and time.monotonic() < deadline:
                time.sleep(1)
                now = drv.read(conn, RECOVERY_TIMEOUT)
            if phase == "commit" and plan_only(drv, now, intended)[2].empty:
                return DeliveryError(f"{what}; the device completed the change meanwhile and holds the "
                                     f"intended config (verified), nothing was rolled back{kept}", backup, "intended")
            drv.discard(conn)
            now = drv.read(conn, RECOVERY_TIMEOUT)
            pre = drv.current(before, intended)
            back = drv.plan(drv.current(now, intended), pre)
            if not back.empty:
                drv.begin(conn)
                drv.send(conn, back.commands, RECOVERY_TIMEOUT)
                drv.commit(conn, RECOVERY_TIMEOUT)
            now = drv.read(conn, RECOVERY_TIMEOUT)
        restored = drv.current(now, intended).comparable() == pre.comparable()
    except Exception as undo:  # the undo itself failed: say so plainly, the backup is the way back
        return DeliveryError(f"{what}; ROLLBACK FAILED ({type(undo).__name__}: {_first_line(undo)}): the device "
                             f"may hold a partial change{kept}", backup, "unknown")
    if not restored:
        return DeliveryError(f"{what}; rollback sent but the managed section still differs from before{kept}",
                             backup, "unknown")
    undone = (f"rolled back with {len(back.commands)} command(s)" if not back.empty
              else "no rollback command was needed (an uncommitted candidate was discarded)")
    return DeliveryError(f"{what}; {undone}: the managed section is as before the change (verified){kept}",
                         backup, "before")


def _plan_change(approved: list[str], now: list[str]) -> str:
    diff = difflib.unified_diff(approved, now, "approved plan", "plan now", lineterm="", n=1)
    return (f"the device changed after the plan was approved (approved plan sha256 {plan_hash(approved)[:12]}, "
            f"plan now {plan_hash(now)[:12]}); nothing was sent. Review the new plan and run again:\n"
            + "\n".join(diff))


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else "no detail"


def write_backup(root: Path, ministry: str, name: str, running: str) -> Path:
    """backups/<ministry>/<host>/<UTC time>.conf, readable by the owner only (it is a full config)."""
    folder = Path(root) / ministry / name
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    path = folder / f"{stamp}.conf"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(running if running.endswith("\n") else running + "\n")
    return path


def gather(device: Device, policy, timeout: float = 60.0) -> dict:
    """Read only: the running config's managed section and the advisory invariants checked on the whole of it."""
    from ..invariants import check_invariants
    from ..registry import parse

    with connected(device) as conn:
        running = driver(device.platform).read(conn, timeout)
    parsed = parse(device.platform, running, policy.zones)
    results = check_invariants(policy, parsed, device.platform)
    return {"managed_rules": [r.name for r in parsed.ruleset.rules],
            "unmanaged": list(parsed.unmanaged),
            "invariants": [str(r) for r in results],
            "broken": [str(r) for r in results if not r.ok]}
