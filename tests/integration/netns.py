"""Network namespaces joined by veth pairs, with listeners and probes that run inside them.

Everything lives in namespaces this module creates (named ``eog-<run tag>-<role>``, so parallel runs
do not clash); none is linked to the host's own network, so no packet leaves the machine.

Run as a script inside a namespace this file is the listener (``serve``: TCP accept, UDP echo) or the
prober (``probe``: TCP connects and UDP probes, concurrently, read as JSON from stdin). It imports
only the standard library for that reason.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

PASS, BLOCKED = "pass", "blocked"
#: protocols without ports, probed with raw IP packets that the far end echoes
RAW_PROTOCOLS = {"esp": 50, "ah": 51, "gre": 47}
# zero header words (a plain GRE version 0, or an ESP/AH start), then whether it is a request or an echo;
# a listener echoes requests only, or two listeners would echo each other's echoes for ever
RAW_REQUEST, RAW_ECHO = bytes(8) + b"eoffice-guard?", bytes(8) + b"eoffice-guard!"
PROBE_WORKERS = 64  # probes of one namespace in flight at once: blocked ones wait out their timeout


class NetnsError(RuntimeError):
    pass


def run(*cmd: str, stdin: str | None = None) -> str:
    """Run a command; its stderr becomes the error message when it fails."""
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode:
        raise NetnsError(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def family_flag(address: str) -> str:
    return "-6" if ":" in address else "-4"


@dataclass(frozen=True)
class Probe:
    """One real packet exchange: a TCP connect, a UDP datagram or a raw ESP/AH/GRE packet."""

    protocol: str  # tcp, udp or a key of RAW_PROTOCOLS
    src: str
    dst: str
    port: int | None
    timeout: float


class Namespaces:
    """The namespaces, links and processes of one run; ``close`` removes all of them."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex[:8]
        self.names: list[str] = []
        self.servers: list[subprocess.Popen] = []

    def add(self, role: str) -> str:
        name = f"eog-{self.tag}-{role}"
        run("ip", "netns", "add", name)
        self.names.append(name)
        self.ip(name, "link", "set", "lo", "up")
        return name

    def ip(self, ns: str, *args: str) -> str:
        return run("ip", "-n", ns, *args)

    def exec(self, ns: str, *cmd: str, stdin: str | None = None) -> str:
        return run("ip", "netns", "exec", ns, *cmd, stdin=stdin)

    def veth(self, ns_a: str, dev_a: str, ns_b: str, dev_b: str, mac_b: str | None = None) -> None:
        """A veth pair created straight into both namespaces (no name ever exists on the host)."""
        self.ip(ns_a, "link", "add", dev_a, "type", "veth", "peer", "name", dev_b, "netns", ns_b)
        if mac_b:
            self.set_mac(ns_b, dev_b, mac_b)
        self.ip(ns_a, "link", "set", "dev", dev_a, "up")
        self.ip(ns_b, "link", "set", "dev", dev_b, "up")

    def bridge(self, ns: str, dev: str, mac: str, ports: list[str]) -> None:
        self.ip(ns, "link", "add", dev, "address", mac, "type", "bridge")
        for port in ports:
            self.ip(ns, "link", "set", "dev", port, "master", dev)
        self.ip(ns, "link", "set", "dev", dev, "up")

    def set_mac(self, ns: str, dev: str, mac: str) -> None:
        self.ip(ns, "link", "set", "dev", dev, "address", mac)

    def address(self, ns: str, dev: str, cidr: str) -> None:
        # nodad: an IPv6 address is usable at once instead of after duplicate detection
        self.ip(ns, "addr", "add", cidr, "dev", dev, *(["nodad"] if ":" in cidr else []))

    def route(self, ns: str, destination: str, via: str) -> None:
        self.ip(ns, family_flag(via), "route", "add", destination, "via", via)

    def sysctl(self, ns: str, key: str, value: str) -> None:
        self.exec(ns, "sysctl", "-qw", f"{key}={value}")

    def serve(self, ns: str, addresses: list[str], tcp: list[int], udp: list[int]) -> None:
        """Start a listener in ``ns``: TCP on every port (all addresses); UDP and raw ESP, AH and GRE
        echo on each address."""
        spec = json.dumps({"addresses": addresses, "tcp": tcp, "udp": udp})
        proc = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, __file__, "serve", spec],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.servers.append(proc)
        if proc.stdout.readline().strip() != "ready":
            proc.kill()
            raise NetnsError(f"listener in {ns} did not start: {proc.stderr.read().strip()}")

    def probe(self, ns: str, probes: list[Probe]) -> list[str]:
        """PASS or BLOCKED (or an error text) for each probe, sent from ``ns``."""
        out = self.exec(ns, sys.executable, __file__, "probe",
                        stdin=json.dumps([p.__dict__ for p in probes]))
        return json.loads(out)

    def close(self) -> None:
        for proc in self.servers:
            proc.kill()
            proc.wait()
        self.servers.clear()
        for name in reversed(self.names):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
        self.names.clear()


# -- inside a namespace ---------------------------------------------------------------------------
def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def serve(spec: dict) -> None:
    sel = selectors.DefaultSelector()
    for port in spec["tcp"]:
        listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # IPv4 too, as mapped addresses
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("::", port))
        listener.listen(256)
        listener.setblocking(False)
        sel.register(listener, selectors.EVENT_READ, "tcp")
    for address in spec["addresses"]:
        for port in spec["udp"]:
            # one socket per address: the echo leaves from the address the probe was sent to
            echo = socket.socket(_family(address), socket.SOCK_DGRAM)
            echo.bind((address, port))
            echo.setblocking(False)
            sel.register(echo, selectors.EVENT_READ, "udp")
        for number in RAW_PROTOCOLS.values():
            raw = socket.socket(_family(address), socket.SOCK_RAW, number)
            raw.bind((address, 0))  # receives what is sent to this address only, replies from it
            raw.setblocking(False)
            sel.register(raw, selectors.EVENT_READ, "raw")
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            try:
                if key.data == "tcp":
                    key.fileobj.accept()[0].close()
                elif key.data == "udp":
                    data, peer = key.fileobj.recvfrom(2048)
                    key.fileobj.sendto(data, peer)
                else:
                    data, peer = key.fileobj.recvfrom(2048)
                    payload = _raw_payload(key.fileobj, data)
                    if payload.startswith(RAW_REQUEST):
                        key.fileobj.sendto(RAW_ECHO + payload[len(RAW_REQUEST):], (peer[0], 0))
            except (BlockingIOError, ConnectionError):
                continue


def _raw_payload(sock: socket.socket, data: bytes) -> bytes:
    """An IPv4 raw socket reads the IP header too; IPv6 ones read the payload only."""
    return data[(data[0] & 0x0F) * 4:] if sock.family == socket.AF_INET else data


def probe_raw(p: dict) -> str:
    """Send one raw packet with a unique marker; PASS when the far end's echo of it comes back."""
    nonce = os.urandom(16)
    with socket.socket(_family(p["dst"]), socket.SOCK_RAW, RAW_PROTOCOLS[p["protocol"]]) as s:
        s.bind((p["src"], 0))
        s.sendto(RAW_REQUEST + nonce, (p["dst"], 0))
        deadline = time.monotonic() + p["timeout"]
        while (left := deadline - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                data, peer = s.recvfrom(2048)
            except TimeoutError:
                break
            if peer[0] == p["dst"] and _raw_payload(s, data) == RAW_ECHO + nonce:
                return PASS
    return BLOCKED


def probe_one(p: dict) -> str:
    try:
        return _probe_one(p)
    except PermissionError:
        return BLOCKED  # the sender's own output chain dropped it: the kernel says EPERM at once


def _probe_one(p: dict) -> str:
    if p["protocol"] in RAW_PROTOCOLS:
        return probe_raw(p)
    kind = socket.SOCK_STREAM if p["protocol"] == "tcp" else socket.SOCK_DGRAM
    with socket.socket(_family(p["dst"]), kind) as s:
        s.settimeout(p["timeout"])
        s.bind((p["src"], 0))
        try:
            s.connect((p["dst"], p["port"]))
            if kind == socket.SOCK_DGRAM:
                s.send(b"eoffice-guard probe")
                return PASS if s.recv(2048) == b"eoffice-guard probe" else "error: wrong echo"
            return PASS
        except ConnectionRefusedError:
            return PASS  # a reset or port unreachable: the packet got through
        except TimeoutError:
            return BLOCKED
        except PermissionError:
            raise
        except OSError as e:
            return f"error: {e}"


def probe_all(probes: list[dict]) -> list[str]:
    with ThreadPoolExecutor(PROBE_WORKERS) as pool:
        return list(pool.map(probe_one, probes))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(json.loads(sys.argv[2]))
    elif sys.argv[1] == "probe":
        print(json.dumps(probe_all(json.load(sys.stdin))))
