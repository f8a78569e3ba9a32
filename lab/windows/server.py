"""The WinRM listener of a lab Windows endpoint: HTTP (NTLM with message encryption) and HTTPS
(Basic or NTLM), on loopback, answering the WS-Management operations pywinrm sends.

Authentication is per TCP connection, as with Windows' HTTP.sys: NTLM (offered as ``Negotiate``,
accepted by ``pyspnego``) takes two round trips on one kept-alive connection, after which its
requests need no header; on plain HTTP every SOAP body must then be sealed with the NTLM session
(``multipart/encrypted``, MS-WSMV 2.2.9.1.1). A wrong password is a 401, as from Windows.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import ssl
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import spnego
import spnego.channel_bindings
import spnego.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from spnego._ntlm_raw.messages import Authenticate, AvId, NTClientChallengeV2

from lab.windows import runner, wsman
from lab.windows.faults import WinFaults
from lab.windows.host import USER, HostState

BOUNDARY = b"--Encrypted Boundary"
ENCRYPTED_TYPE = ('multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";'
                  'boundary="Encrypted Boundary"')
LOG = logging.getLogger("lab.windows")


MAX_SHELLS_PER_USER = 30  # WinRM's default MaxShellsPerUser


@dataclass
class Command:
    command_line: str
    #: WINRS_SKIP_CMD_SHELL false: the line goes through cmd.exe and its 8191-character limit
    through_cmd: bool = True
    stdin: bytearray = field(default_factory=bytearray)
    stdin_closed: bool = False
    thread: threading.Thread | None = None
    outcome: runner.Outcome | None = None
    done: threading.Event = field(default_factory=threading.Event)
    delivered: bool = False


@dataclass
class Shell:
    codepage: int = 437
    owner: str = ""
    commands: dict[str, Command] = field(default_factory=dict)


class WinRMService:
    """What both listeners share: the host, its shells, faults, counters and logs."""

    def __init__(self, name: str, directory: Path, host: HostState, faults: WinFaults, username: str, password: str):
        self.name = name
        self.directory = directory
        self.host = host
        self.faults = faults
        self.username = username
        self.password = password
        self.shells: dict[str, Shell] = {}
        self.lock = threading.Lock()
        self.stats = self._load_stats()
        self._fault_stamp = faults.stamp()
        self._requests_since_fault = 0
        self.invocation = self.stats.get("powershell_invocations", 0) + self.stats.get("other_commands", 0)

    # ---- counters and logs ---------------------------------------------------------------------
    def _load_stats(self) -> dict:
        path = self.directory / "stats.json"
        return json.loads(path.read_text()) if path.exists() else {"http_requests": 0, "powershell_invocations": 0,
                                                                     "other_commands": 0, "shells": 0}

    def _save_stats(self) -> None:
        tmp = self.directory / "stats.tmp"
        tmp.write_text(json.dumps(self.stats, sort_keys=True) + "\n")
        tmp.replace(self.directory / "stats.json")

    def count_request(self) -> bool:
        """Count a WS-Man request; True when the ``http_500_on`` fault says this one fails."""
        with self.lock:
            self.stats["http_requests"] += 1
            self._save_stats()
            stamp = self.faults.stamp()
            if stamp != self._fault_stamp:
                self._fault_stamp, self._requests_since_fault = stamp, 0
            self._requests_since_fault += 1
            target = self.faults.current().http_500_on
            return target is not None and self._requests_since_fault == target

    def record(self, outcome: runner.Outcome, command_line: str) -> None:
        with self.lock:
            self.invocation += 1
            self.stats["powershell_invocations" if outcome.powershell else "other_commands"] += 1
            self._save_stats()
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            lines = [json.dumps({"invocation": self.invocation, "time": stamp, "command": name, "kind": kind,
                                 "text": text}) for name, kind, text in outcome.commands]
            if not lines:
                lines = [json.dumps({"invocation": self.invocation, "time": stamp, "command": "(none)",
                                     "kind": "read", "text": command_line[:200]})]
            with open(self.directory / "commands.jsonl", "a") as log:
                log.write("\n".join(lines) + "\n")
        for name, kind, _ in outcome.commands:
            LOG.info("invocation %d: %s %s", self.invocation, kind, name)

    # ---- shells and commands ---------------------------------------------------------------------
    def create_shell(self, request: wsman.Request, owner: str) -> str | None:
        """A new shell's id, or None when the user already has as many shells as WinRM allows."""
        shell_id = str(uuid.uuid4()).upper()
        codepage = int(request.options.get("WINRS_CODEPAGE", "437") or 437)
        with self.lock:
            if sum(1 for s in self.shells.values() if s.owner.lower() == owner.lower()) >= MAX_SHELLS_PER_USER:
                return None
            self.shells[shell_id] = Shell(codepage=codepage, owner=owner)
            self.stats["shells"] += 1
        return shell_id

    def start(self, shell: Shell, command_id: str) -> None:
        command = shell.commands[command_id]
        if command.thread is not None:
            return

        def work() -> None:
            try:
                command.outcome = runner.run(self.host, self.faults.current, command.command_line,
                                             bytes(command.stdin), shell.codepage, command.through_cmd)
            except Exception:
                LOG.exception("command failed inside the simulator")
                command.outcome = runner.Outcome(stderr=b"internal simulator error\r\n", exit_code=1)
            self.record(command.outcome, command.command_line)
            command.done.set()

        command.thread = threading.Thread(target=work, daemon=True)
        command.thread.start()


def _stdin_chunk(request: wsman.Request) -> tuple[str | None, bytes, bool]:
    stream = request.body.find("rsp:Send/rsp:Stream", wsman.NS) if request.body is not None else None
    if stream is None:
        return None, b"", False
    data = base64.b64decode(stream.text or "")
    return stream.get("CommandId"), data, stream.get("End", "false").lower() == "true"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms to each answer
    disable_nagle_algorithm = True
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    service: WinRMService
    scheme: str
    channel_bindings: spnego.channel_bindings.GssChannelBindings | None = None

    def setup(self) -> None:
        super().setup()
        self.ntlm = None
        self.user: str | None = None
        self.sealed = False
        peer = self.client_address
        self._connection = (self.server.server_address[1], peer[0], peer[1])
        self.service.host.connections.append(self._connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if self._connection in self.service.host.connections:
                self.service.host.connections.remove(self._connection)

    def log_message(self, format: str, *args) -> None:
        LOG.debug("%s %s", self.address_string(), format % args)

    # ---- HTTP plumbing -------------------------------------------------------------------------
    def _send(self, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        for key, value in headers or []:
            self.send_header(key, value)
        if body and self.sealed and self.ntlm is not None:
            body = self._seal(body)
            self.send_header("Content-Type", ENCRYPTED_TYPE)
        elif body:
            self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _challenge(self, token: bytes | None = None) -> None:
        headers = [("WWW-Authenticate", "Negotiate" + (" " + base64.b64encode(token).decode() if token else ""))]
        if self.scheme == "https" and token is None:
            headers.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        self.sealed = False
        self._send(401, b"", headers)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        if self.path.split("?")[0].lower() != "/wsman":
            self._send(404)
            return
        if not self.service.host.management_reachable():
            # the management adapter is disabled: the host is off the network
            self.close_connection = True
            self.connection.close()
            return
        if not self._authenticate():
            return
        if not data:
            self._send(200)
            return
        try:
            message = self._open(data)
        except (ValueError, spnego.exceptions.SpnegoError):
            self.sealed = False
            self._send(400)
            return
        if message is None:
            self.sealed = False
            self._send(401, b"", [("WWW-Authenticate", "Negotiate")])
            return
        try:
            self._dispatch(message)
        except Exception:  # a simulator bug answers as a Windows internal error, and is logged
            LOG.exception("request failed inside the simulator")
            self._send(500, wsman.internal_error("", self.service.host.data["computer"]["Name"]))

    # ---- authentication ------------------------------------------------------------------------
    def _authenticate(self) -> bool:
        faults = self.service.faults.current()
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if faults.refuse_auth:
            self.user = None
            self._challenge()
            return False
        if scheme.lower() == "basic":
            return self._basic(token)
        if scheme.lower() in ("negotiate", "ntlm"):
            return self._ntlm(token)
        if self.user is not None:
            return True
        self._challenge()
        return False

    def _basic(self, token: str) -> bool:
        if self.scheme != "https":
            self._challenge()  # Basic is only accepted over HTTPS (AllowUnencrypted is false)
            return False
        try:
            user, _, password = base64.b64decode(token).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
        if user.split("\\")[-1].lower() == self.service.username.lower() and password == self.service.password:
            self.user = user
            self.sealed = False
            return True
        LOG.info("Basic logon refused for %r", user)
        self.user = None
        self._challenge()
        return False

    def _ntlm(self, token: str) -> bool:
        try:
            raw = base64.b64decode(token)
            if raw.startswith(b"NTLMSSP\x00\x01"):
                self.ntlm = spnego.server(protocol="ntlm")
                self.user = None
            if self.ntlm is None:
                raise spnego.exceptions.InvalidTokenError(context_msg="no NTLM negotiation on this connection")
            if raw.startswith(b"NTLMSSP\x00\x03") and self.channel_bindings and _sends_bindings(raw):
                # Extended Protection, "Relaxed" as WinRM's default: a client that sends a channel
                # binding must name this certificate; one that sends none is still accepted
                answer = self.ntlm.step(raw, channel_bindings=self.channel_bindings)
            else:
                answer = self.ntlm.step(raw)
        except (binascii.Error, spnego.exceptions.SpnegoError, ValueError) as error:
            LOG.info("NTLM logon refused: %s", error)
            self.ntlm, self.user = None, None
            self._challenge()
            return False
        if not self.ntlm.complete:
            self._challenge(answer)
            return False
        self.user = str(self.ntlm.client_principal)
        self.sealed = self.scheme == "http"
        return True

    # ---- message sealing (MS-WSMV 2.2.9.1.1) ---------------------------------------------------
    def _open(self, data: bytes) -> bytes | None:
        content_type = self.headers.get("Content-Type", "")
        if "multipart/encrypted" in content_type:
            if self.ntlm is None:
                raise ValueError("encrypted body without an NTLM session")
            self.sealed = True
            parts = [p for p in data.split(BOUNDARY + b"\r\n") if p]
            header, payload = parts[0], parts[1]
            expected = int(header.split(b"Length=")[1].split(b"\r\n")[0])
            if payload.endswith(BOUNDARY + b"--\r\n"):
                payload = payload[: -len(BOUNDARY + b"--\r\n")]
            payload = payload.replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
            signature_length = struct.unpack("<i", payload[:4])[0]
            signature = payload[4:4 + signature_length]
            message = self.ntlm.unwrap(signature + payload[4 + signature_length:]).data
            if len(message) != expected:
                raise ValueError("encrypted length does not match")
            return message
        if self.scheme == "http":
            return None  # Windows refuses unencrypted messages on HTTP
        self.sealed = False
        return data

    def _seal(self, body: bytes) -> bytes:
        wrapped = self.ntlm.wrap(body, encrypt=True).data
        signature, sealed = wrapped[:16], wrapped[16:]
        return (BOUNDARY + b"\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n"
                b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + str(len(body)).encode() +
                b"\r\n" + BOUNDARY + b"\r\n\tContent-Type: application/octet-stream\r\n" +
                struct.pack("<i", len(signature)) + signature + sealed + BOUNDARY + b"--\r\n")

    # ---- WS-Management ---------------------------------------------------------------------------
    def _dispatch(self, data: bytes) -> None:
        machine = self.service.host.data["computer"]["Name"]
        try:
            request = wsman.parse_request(data)
        except wsman.BadMessage:
            self._send(400)
            return
        if self.service.count_request():
            self._send(500, wsman.internal_error(request.message_id, machine))
            return
        operation = wsman.ACTIONS.get(request.action)
        if operation is None or request.resource_uri.lower() != wsman.CMD_URI:
            self._send(500, wsman.action_not_supported(request, machine))
            return
        if operation == "create":
            owner = self.user or USER
            shell_id = self.service.create_shell(request, owner)
            if shell_id is None:
                self._send(500, wsman.too_many_shells(request, machine, MAX_SHELLS_PER_USER))
                return
            address = f"{self.scheme}://{self.headers.get('Host', '127.0.0.1')}/wsman"
            self._send(200, wsman.create_response(request, shell_id, address, owner, self.client_address[0]))
            return
        shell = self.service.shells.get(request.shell_id or "")
        if shell is None:
            self._send(500, wsman.shell_not_found(request, machine))
            return
        getattr(self, "_op_" + operation)(request, shell, machine)

    def _op_delete(self, request: wsman.Request, shell: Shell, machine: str) -> None:
        self.service.shells.pop(request.shell_id or "", None)
        self._send(200, wsman.delete_response(request))

    def _op_command(self, request: wsman.Request, shell: Shell, machine: str) -> None:
        line = request.body.find("rsp:CommandLine", wsman.NS) if request.body is not None else None
        command = (line.findtext("rsp:Command", "", wsman.NS) or "").strip() if line is not None else ""
        arguments = [a.text or "" for a in line.findall("rsp:Arguments", wsman.NS)] if line is not None else []
        command_id = str(uuid.uuid4()).upper()
        skip_cmd = request.options.get("WINRS_SKIP_CMD_SHELL", "FALSE").upper() == "TRUE"
        shell.commands[command_id] = Command(" ".join([command, *arguments]).strip(), through_cmd=not skip_cmd)
        self._send(200, wsman.command_response(request, command_id))

    def _op_send(self, request: wsman.Request, shell: Shell, machine: str) -> None:
        command_id, chunk, end = _stdin_chunk(request)
        command = shell.commands.get(command_id or "")
        if command is None:
            self._send(500, wsman.shell_not_found(request, machine))
            return
        command.stdin.extend(chunk)
        command.stdin_closed = command.stdin_closed or end
        self._send(200, wsman.send_response(request))

    def _op_receive(self, request: wsman.Request, shell: Shell, machine: str) -> None:
        stream = request.body.find("rsp:Receive/rsp:DesiredStream", wsman.NS) if request.body is not None else None
        command_id = stream.get("CommandId") if stream is not None else None
        command = shell.commands.get(command_id or "")
        if command is None:
            self._send(500, wsman.shell_not_found(request, machine))
            return
        self.service.start(shell, command_id)
        if not command.done.wait(timeout=max(0.5, min(request.operation_timeout, 60.0))):
            self._send(500, wsman.timed_out(request, machine))
            return
        outcome = command.outcome
        if command.delivered:
            self._send(200, wsman.receive_response(request, command_id, b"", b"", outcome.exit_code))
            return
        command.delivered = True
        self._send(200, wsman.receive_response(request, command_id, outcome.stdout, outcome.stderr,
                                               outcome.exit_code))

    def _op_signal(self, request: wsman.Request, shell: Shell, machine: str) -> None:
        signal = request.body.find("rsp:Signal", wsman.NS) if request.body is not None else None
        command_id = signal.get("CommandId") if signal is not None else None
        shell.commands.pop(command_id or "", None)
        self._send(200, wsman.signal_response(request))


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_listener(service: WinRMService, port: int, scheme: str, cert: tuple[Path, Path] | None = None) -> Listener:
    attributes = {"service": service, "scheme": scheme}
    if scheme == "https":
        attributes["channel_bindings"] = _tls_server_end_point(cert[0])
    handler = type(f"{scheme.title()}Handler", (Handler,), attributes)
    listener = Listener(("127.0.0.1", port), handler)
    if scheme == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(cert[0]), str(cert[1]))
        listener.socket = context.wrap_socket(listener.socket, server_side=True)
    service.host.listen_ports.append(port)
    return listener


def _sends_bindings(authenticate: bytes) -> bool:
    """Whether an NTLMv2 AUTHENTICATE message carries a (non-empty) channel binding."""
    try:
        message = Authenticate.unpack(authenticate)
        response = message.nt_challenge_response or b""
        if len(response) <= 24:
            return False
        pairs = NTClientChallengeV2.unpack(response[16:]).av_pairs
    except (ValueError, struct.error, KeyError):
        return False
    return pairs.get(AvId.channel_bindings, b"\0" * 16) != b"\0" * 16


def _tls_server_end_point(cert_path: Path) -> spnego.channel_bindings.GssChannelBindings:
    """RFC 5929 ``tls-server-end-point``: the certificate's hash with its signature's algorithm."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    algorithm = cert.signature_hash_algorithm
    if algorithm is None or algorithm.name in ("md5", "sha1"):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(cert.public_bytes(serialization.Encoding.DER))
    return spnego.channel_bindings.GssChannelBindings(application_data=b"tls-server-end-point:" + digest.finalize())


def serve(service: WinRMService, http_port: int | None, https_port: int | None, cert: tuple[Path, Path]) -> None:
    """Serve both listeners until the process is terminated."""
    os.environ["NTLM_USER_FILE"] = str(service.directory / "ntlm-users")
    (service.directory / "ntlm-users").write_text(
        f":{service.username}:{service.password}\n.:{service.username}:{service.password}\n"
        f"{service.host.data['computer']['Name']}:{service.username}:{service.password}\n")
    (service.directory / "ntlm-users").chmod(0o600)
    listeners = []
    if http_port:
        listeners.append(make_listener(service, http_port, "http"))
    if https_port:
        listeners.append(make_listener(service, https_port, "https", cert))
    threads = [threading.Thread(target=listener.serve_forever, daemon=True) for listener in listeners]
    for thread in threads:
        thread.start()
    LOG.info("listening on %s", ", ".join(f"{listener.RequestHandlerClass.scheme}:{listener.server_address[1]}"
                                          for listener in listeners))
    while True:
        time.sleep(3600)
