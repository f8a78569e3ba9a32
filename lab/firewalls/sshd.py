"""The SSH side of a lab firewall: paramiko server, authentication and the terminal line discipline.

Each login gets a thread that reads keystrokes, echoes them as a device's terminal does, hands whole
lines to the vendor login and writes back its output and prompt. Fault injection that concerns
the connection itself (refused logins, dropped connections, rejected commands) is applied here so
that every vendor behaves the same way under a fault.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from pathlib import Path

import paramiko
from paramiko.kex_group14 import KexGroup14SHA256

from lab.firewalls.cli import Box, LoggedOut, Login

log = logging.getLogger("lab.firewalls")
#: values typed after these words never reach the log
SECRET_VALUES = re.compile(r"(?i)\b((?:password|passwd|secret|psksecret|pre-shared-key|key)\s+)(\S+)")


def load_host_key(path: Path) -> paramiko.PKey:
    """The device's host key, generated on first start and kept, so clients see a stable key."""
    if not path.exists():
        key = paramiko.ECDSAKey.generate()
        key.write_private_key_file(str(path))
        path.chmod(0o600)
    return paramiko.ECDSAKey.from_private_key_file(str(path))


def enable_group_exchange(path: Path) -> None:
    """Offer diffie-hellman-group-exchange: netmiko's FortiOS driver allows only that kind of kex.

    paramiko serves group exchange only from a moduli file; the RFC 3526 2048-bit group, which
    paramiko itself ships for group14, is a proper safe prime for it.
    """
    if not path.exists():
        modulus = KexGroup14SHA256.P
        path.write_text(f"20260101000000 2 6 100 2047 2 {modulus:X}\n")
    paramiko.Transport.load_server_moduli(str(path))


class Authenticator(paramiko.ServerInterface):
    """Password and keyboard-interactive logins against the device's single lab account."""

    def __init__(self, box: Box, username: str, password: str):
        self.box = box
        self.username = username
        self.password = password
        self.user = ""
        self.shell_requested = threading.Event()

    def _accepts(self, username: str, password: str) -> bool:
        if self.box.faults.current().refuse_logins:
            log.info("login refused for %s (fault refuse_logins)", username)
            return False
        ok = username == self.username and password == self.password
        log.info("login %s for %s", "accepted" if ok else "failed", username)
        if ok:
            self.user = username
        return ok

    def get_allowed_auths(self, username: str) -> str:
        return "password,keyboard-interactive"

    def check_auth_password(self, username: str, password: str) -> int:
        return paramiko.AUTH_SUCCESSFUL if self._accepts(username, password) else paramiko.AUTH_FAILED

    def check_auth_interactive(self, username: str, submethods: str):
        query = paramiko.InteractiveQuery("", "")
        query.add_prompt("Password: ", False)
        self._pending_user = username
        return query

    def check_auth_interactive_response(self, responses: list[str]) -> int:
        password = responses[0] if responses else ""
        ok = self._accepts(getattr(self, "_pending_user", ""), password)
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":  # the SSH channel type
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, *args) -> bool:
        return True

    def check_channel_window_change_request(self, *args) -> bool:
        return True

    def check_channel_shell_request(self, channel) -> bool:
        self.shell_requested.set()
        return True


class Terminal:
    """Line discipline for one login: echo, line assembly, faults, output with CRLF line ends."""

    def __init__(self, channel: paramiko.Channel, login: Login):
        self.channel = channel
        self.login = login
        self.line = ""
        self.last_was_cr = False

    def write(self, text: str) -> None:
        if text:
            self.channel.sendall(text.replace("\r\n", "\n").replace("\n", "\r\n").encode())

    def run(self) -> None:
        self.write(self.login.banner())
        self.write(self.login.prompt())
        while True:
            data = self.channel.recv(65536)
            if not data:
                return
            if not self.feed(data.decode("utf-8", "ignore")):
                return

    def feed(self, text: str) -> bool:
        """Process typed characters; False when the login has ended."""
        typed = ""
        for char in text:
            if char in "\r\n":
                if char == "\n" and self.last_was_cr:
                    self.last_was_cr = False
                    continue
                self.last_was_cr = char == "\r"
                self.write(self.login.echo(typed, self.line) + "\n")
                typed = ""
                line, self.line = self.line, ""
                if not self.enter(line):
                    return False
                continue
            self.last_was_cr = False
            if char in "\x08\x7f":
                self.line = self.line[:-1]
            elif char.isprintable():
                self.line += char
                typed += char
        if typed:
            self.write(self.login.echo(typed, self.line))
        return True

    def enter(self, line: str) -> bool:
        """Run one line, with the connection-level faults; False when the login has ended."""
        login = self.login
        faults = login.box.faults.current()
        hidden = login.hidden_input
        shown = "(hidden input)" if hidden or login.continuing else SECRET_VALUES.sub(r"\1*****", line)
        if not hidden and login.is_config_command(line):
            login.config_commands += 1
            if faults.drop_after is not None and login.config_commands > faults.drop_after:
                log.info("dropping connection before %r (fault drop_after=%s)", shown, faults.drop_after)
                self.channel.get_transport().close()
                return False
        log.info("%s: %s", login.username, shown)
        if not hidden and faults.reject and line.strip() and re.search(faults.reject, line):
            log.info("rejected %r (fault reject=%r)", shown, faults.reject)
            output = login.reject(line)
        else:
            try:
                output = login.execute(line)
            except LoggedOut as end:
                self.write(str(end))
                return False
        if output and not output.endswith("\n"):
            output += "\n"
        self.write(output + login.prompt())
        return True


def serve_login(transport: paramiko.Transport, box: Box, username: str, password: str) -> None:
    """Run one SSH connection to its end."""
    auth = Authenticator(box, username, password)
    try:
        transport.start_server(server=auth)
        channel = transport.accept(30)
        if channel is None or not auth.shell_requested.wait(30):
            return
        Terminal(channel, box.new_login(auth.user)).run()
    except (EOFError, OSError, paramiko.SSHException) as error:
        log.info("connection ended: %s", error)
    except Exception:
        log.exception("simulator fault (a bug, not an injected fault)")
    finally:
        transport.close()


def serve_forever(box: Box, port: int, username: str, password: str, host_key: paramiko.PKey) -> None:
    """Accept connections on 127.0.0.1:port until the process is killed."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(32)
    log.info("%s (%s) listening on 127.0.0.1:%d", box.name, box.platform, port)
    while True:
        client, peer = listener.accept()
        # Echo, output and prompt are small writes: without this, Nagle's algorithm meets the
        # client's delayed ACK and every command costs 40 ms more than on a real box.
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        log.info("connection from %s:%d", *peer)
        transport = paramiko.Transport(client)
        transport.add_server_key(host_key)
        threading.Thread(target=serve_login, args=(transport, box, username, password), daemon=True).start()
