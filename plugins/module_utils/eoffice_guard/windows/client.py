"""One WinRM session per host and run: connection settings from a Windows inventory, PowerShell files sent
over pywinrm, one JSON document back, and every failure as one line that names the host.

Credentials live only in ``Target.password`` (hidden from ``repr``) and in pywinrm's session; every
message leaving this module is passed through ``Target.scrub`` as a second line of defence.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
READERS = "readers.ps1"
# Sent as -EncodedCommand; the script itself goes on stdin, as Ansible does, because a long
# -EncodedCommand breaks the 8191-character command line of cmd.exe behind WinRS.
BOOTSTRAP = "$s = $input | Out-String; & ([scriptblock]::Create($s))"
POWERSHELL = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand",
              base64.b64encode(BOOTSTRAP.encode("utf-16-le")).decode("ascii")]
SCHEMES = ("https", "http")
TRANSPORTS = ("ntlm", "basic", "kerberos", "credssp", "certificate")
VALIDATION = ("validate", "ignore")
# Ansible's winrm connection reads each setting from the first of these variables that is set.
ALIASES = {"ansible_host": ("ansible_host", "ansible_winrm_host"),
           "ansible_user": ("ansible_user", "ansible_winrm_user"),
           "ansible_password": ("ansible_password", "ansible_winrm_pass", "ansible_winrm_password", "ansible_pass"),
           "ansible_port": ("ansible_port", "ansible_winrm_port")}
CLIXML_ERROR = re.compile(r'<S S="Error">(.*?)</S>', re.S)


class WinRMError(RuntimeError):
    """A one-line, credential-free failure that already names the host."""


def truthy_validation(value) -> str:
    text = str(value if value is not None else "validate").strip().lower()
    if text not in VALIDATION:
        raise ValueError(f"ansible_winrm_server_cert_validation must be one of {', '.join(VALIDATION)}, not {text!r}")
    return text


@dataclass(frozen=True)
class Target:
    """How to reach one Windows host, read from the inventory variables Ansible's winrm connection uses."""

    name: str
    host: str
    username: str
    password: str = field(repr=False)
    port: int = 5986
    scheme: str = "https"
    transport: str = "ntlm"
    cert_validation: str = "validate"
    ca_trust_path: str | None = None
    operation_timeout: int = 20
    read_timeout: int = 30
    command_timeout: float = 300.0

    @classmethod
    def from_hostvars(cls, name: str, hv: dict, command_timeout: float = 300.0) -> Target:
        """A ministry's existing inventory works unchanged: the same variables and defaults as Ansible's winrm."""
        def get(key, default=None):
            for name in ALIASES.get(key, (key,)):
                if hv.get(name) not in (None, ""):
                    return hv[name]
            return default

        port = int(get("ansible_port", 5986))
        scheme = str(get("ansible_winrm_scheme", "http" if port == 5985 else "https")).lower()
        transport = get("ansible_winrm_transport", "ntlm")
        transport = (transport[0] if isinstance(transport, list | tuple) else str(transport).split(",")[0]).strip()
        missing = [k for k in ("ansible_user", "ansible_password") if get(k) is None]
        if missing:
            raise WinRMError(f"{name}: nothing was sent: the inventory gives no {' or '.join(missing)}")
        target = cls(name=name, host=str(get("ansible_host", name)), username=str(get("ansible_user")),
                     password=str(get("ansible_password")), port=port, scheme=scheme, transport=transport.lower(),
                     cert_validation=truthy_validation(get("ansible_winrm_server_cert_validation")),
                     ca_trust_path=get("ansible_winrm_ca_trust_path"),
                     operation_timeout=int(get("ansible_winrm_operation_timeout_sec", 20)),
                     read_timeout=int(get("ansible_winrm_read_timeout_sec", 30)),
                     command_timeout=float(command_timeout))
        target.check()
        return target

    def check(self) -> None:
        if self.scheme not in SCHEMES:
            raise WinRMError(f"{self.name}: nothing was sent: ansible_winrm_scheme must be https or http, "
                             f"not {self.scheme!r}")
        if self.transport not in TRANSPORTS:
            raise WinRMError(f"{self.name}: nothing was sent: ansible_winrm_transport {self.transport!r} is not one of "
                             f"{', '.join(TRANSPORTS)}")
        if self.scheme == "http" and self.transport in ("basic", "certificate"):
            raise WinRMError(f"{self.name}: nothing was sent: {self.transport} over plain HTTP would send the "
                             "credentials unencrypted; use https or ntlm/kerberos/credssp (message encryption)")

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}/wsman"

    def scrub(self, text: str) -> str:
        """Remove the password from a message, however a library chose to quote it."""
        for secret in {self.password, repr(self.password)[1:-1]}:
            if secret and len(secret) >= 3:
                text = text.replace(secret, "********")
        return text


def script_text(name: str) -> str:
    return (HERE / name).read_text(encoding="ascii")


def payload(script: str, params: dict) -> bytes:
    """The stdin of one invocation: the parameters as base64 JSON (no value is ever interpolated into code),
    the shared readers, then the script."""
    encoded = base64.b64encode(json.dumps(params, sort_keys=True).encode("utf-8")).decode("ascii")
    text = f"$ParamsB64 = '{encoded}'\n{script_text(READERS)}\n{script_text(script)}\n"
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")


def first_error_line(stderr: bytes) -> str:
    """PowerShell's error stream as one line (over WinRM it arrives as CLIXML)."""
    text = stderr.decode("utf-8", "replace")
    if text.startswith("#< CLIXML"):
        parts = [p.replace("_x000D__x000A_", " ") for p in CLIXML_ERROR.findall(text)]
        text = " ".join(parts)
    return " ".join(text.split())[:400] or "no error text"


class Session:
    """One pywinrm Protocol and one remote shell for one host; ``run`` sends one PowerShell invocation."""

    def __init__(self, target: Target):
        self.target = target
        self.invocations = 0
        self._protocol = None
        self._shell = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _open(self):
        if self._shell is not None:
            return self._shell
        import winrm  # only where a host is reached: planning code and its tests need no pywinrm

        t = self.target
        kwargs = {"endpoint": t.url, "transport": t.transport, "username": t.username, "password": t.password,
                  "server_cert_validation": t.cert_validation, "operation_timeout_sec": t.operation_timeout,
                  "read_timeout_sec": max(t.read_timeout, t.operation_timeout + 10),
                  "message_encryption": "always" if t.scheme == "http" else "auto"}
        if t.ca_trust_path:
            kwargs["ca_trust_path"] = t.ca_trust_path
        self._protocol = winrm.Protocol(**kwargs)
        self._shell = self._guard("open a remote shell", lambda: self._protocol.open_shell(codepage=65001))
        return self._shell

    def run(self, script: str, params: dict, what: str) -> dict:
        """Run one .ps1 (with the readers in front) and return the JSON document it prints."""
        data = payload(script, params)
        shell = self._open()
        self.invocations += 1

        def invoke():
            command = self._protocol.run_command(shell, "powershell.exe", POWERSHELL)
            try:
                self._protocol.send_command_input(shell, command, data, end=True)
                return self._receive(shell, command)
            finally:
                self._cleanup(shell, command)

        stdout, stderr, code = self._guard(what, invoke)
        if code != 0:
            raise WinRMError(f"{self.target.name}: {what} failed in PowerShell (exit {code}): "
                             f"{self.target.scrub(first_error_line(stderr))}")
        try:
            return json.loads(stdout.decode("utf-8-sig"))
        except ValueError:
            raise WinRMError(f"{self.target.name}: {what} printed no JSON document "
                             f"({len(stdout)} bytes of output)") from None

    def _receive(self, shell, command) -> tuple[bytes, bytes, int]:
        """pywinrm waits forever on a command that keeps answering OperationTimeout; this stops at a deadline."""
        from winrm.exceptions import WinRMOperationTimeoutError

        deadline = time.monotonic() + self.target.command_timeout
        out, err = [], []
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no result within {self.target.command_timeout:g} s")
            try:
                stdout, stderr, code, done = self._protocol.get_command_output_raw(shell, command)
            except WinRMOperationTimeoutError:
                continue
            out.append(stdout)
            err.append(stderr)
            if done:
                return b"".join(out), b"".join(err), code

    def _cleanup(self, shell, command) -> None:
        with contextlib.suppress(Exception):  # the command's answer is already in hand or already lost
            self._protocol.cleanup_command(shell, command)

    def _guard(self, what: str, call):
        try:
            return call()
        except WinRMError:
            raise
        except Exception as err:  # every transport failure becomes one line naming the host
            raise WinRMError(describe(self.target, what, err)) from None

    def close(self) -> None:
        if self._shell is not None:
            with contextlib.suppress(Exception):  # the host may have gone; the shell times out there
                self._protocol.close_shell(self._shell)
            self._shell = None


def describe(target: Target, what: str, err: BaseException) -> str:
    """One line naming the host, what was attempted and why it failed; never the password."""
    from winrm.exceptions import AuthenticationError, InvalidCredentialsError, WinRMTransportError, WSManFaultError
    from winrm.exceptions import WinRMError as PyWinRMError

    name = type(err).__name__
    if isinstance(err, InvalidCredentialsError):
        why = f"the host refused the credentials of {target.username!r} (HTTP 401)"
    elif isinstance(err, WinRMTransportError):
        why = f"HTTP {err.code} from the WinRM service"
    elif isinstance(err, TimeoutError) or "Timeout" in name:
        why = f"timed out ({name}: {str(err).splitlines()[0] if str(err) else 'no answer'})"
    elif "SSLError" in name or "CERTIFICATE" in str(err).upper():
        why = (f"the TLS certificate of {target.url} is not trusted (set ansible_winrm_ca_trust_path to the "
               "issuing CA's PEM)")
    elif "ConnectionError" in name or isinstance(err, ConnectionError):
        why = f"cannot connect to {target.url}"
    elif isinstance(err, WSManFaultError):  # the SOAP fault of an HTTP 500 answer
        why = f"HTTP {err.code} with a WS-Management fault: {err.reason or err}"
    elif isinstance(err, AuthenticationError):
        why = f"the host refused the logon ({err})"
    elif isinstance(err, PyWinRMError):
        why = f"WinRM error: {err}"
    else:
        why = f"{name}: {err}"
    line = " ".join(f"{target.name}: {what}: {why}".split())
    return target.scrub(line)[:600]
