"""One lab endpoint service in the foreground: a static HTTP tree or the EDR enrolment server.

    python -m lab.endpoint_services.serve --address IP --port N static --root DIR
    python -m lab.endpoint_services.serve --address IP --port N enrolment --state FILE

The address is the lab network's gateway, which exists only while a container is attached to the
network: the socket is bound with IP_FREEBIND so that the service can start first.
"""

from __future__ import annotations

import argparse
import functools
import hmac
import http.server
import json
import os
import secrets
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

IP_FREEBIND = 15  # linux/in.h; not exported by the socket module


class LabServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
        super().server_bind()


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Files with Last-Modified and If-Modified-Since (freshclam relies on both), no listings."""

    def list_directory(self, path):
        self.send_error(404, "No listing")
        return None


class Registry:
    """Enrolled agents, kept in a JSON file so that a restart of the server forgets nobody."""

    def __init__(self, path: Path, token: str) -> None:
        self.path, self.token, self.lock = path, token, threading.Lock()
        self.hosts: dict[str, dict] = json.loads(path.read_text()) if path.exists() else {}

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.hosts, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.path)

    def enrol(self, hostname: str, token: str) -> str | None:
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return None
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.lock:
            agent_id = f"lab-{secrets.token_hex(8)}"
            self.hosts[agent_id] = {"hostname": hostname, "enrolled_at": now, "last_seen": now}
            self._save()
        return agent_id

    def heartbeat(self, agent_id: str) -> bool:
        with self.lock:
            if agent_id not in self.hosts:
                return False
            self.hosts[agent_id]["last_seen"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            self._save()
            return True

    def listing(self) -> list[dict]:
        with self.lock:
            return [{"agent_id": key, **value} for key, value in sorted(self.hosts.items())]


class EnrolmentHandler(http.server.BaseHTTPRequestHandler):
    registry: Registry

    def _reply(self, code: int, payload) -> None:
        body = json.dumps(payload, sort_keys=True).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> dict:
        try:
            data = json.loads(self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 65536)))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def do_GET(self) -> None:
        if self.path == "/api/hosts":
            self._reply(200, self.registry.listing())
        else:
            self._reply(404, {"error": "unknown path"})

    def do_POST(self) -> None:
        data = self._body()
        if self.path == "/api/enrol":
            agent_id = self.registry.enrol(str(data.get("hostname", ""))[:64], str(data.get("token", "")))
            if agent_id is None:
                self._reply(403, {"error": "wrong enrolment token"})
            else:
                self._reply(200, {"agent_id": agent_id})
        elif self.path == "/api/heartbeat":
            known = self.registry.heartbeat(str(data.get("agent_id", "")))
            self._reply(200 if known else 404, {"known": known})
        else:
            self._reply(404, {"error": "unknown path"})

    def log_message(self, fmt, *args) -> None:  # the request line never holds the token (it is in the body)
        super().log_message(fmt, *args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lab.endpoint_services.serve")
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, required=True)
    sub = parser.add_subparsers(dest="kind", required=True)
    static = sub.add_parser("static")
    static.add_argument("--root", type=Path, required=True)
    enrolment = sub.add_parser("enrolment")
    enrolment.add_argument("--state", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.kind == "static":
        handler = functools.partial(StaticHandler, directory=str(args.root))
    else:
        # The token comes from the environment, never from the command line (visible in ps).
        EnrolmentHandler.registry = Registry(args.state, os.environ["EOFFICE_LAB_EDR_TOKEN"])
        handler = EnrolmentHandler
    LabServer((args.address, args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
