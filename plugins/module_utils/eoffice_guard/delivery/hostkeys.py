"""Who are we talking to: a firewall's SSH host key checked against a known-hosts file before any login.

netmiko's default accepts any key (paramiko's AutoAddPolicy). Here the key the device presents is read
on a connection that sends no credential, compared with the known-hosts file (OpenSSH format,
``[host]:port`` for ports other than 22), and an unknown or changed key stops the run with its
fingerprint. The login that follows is strict too (RejectPolicy with the same file).
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket

import paramiko


class HostKeyError(RuntimeError):
    """The device's host key is unknown or differs from the known one: nothing was sent."""


def entry_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def fingerprint(key: paramiko.PKey) -> str:
    """As ``ssh-keygen -l`` prints it: SHA256:base64 without padding."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def load(known_hosts: str) -> paramiko.HostKeys:
    path = os.path.expanduser(known_hosts)
    if not os.path.isfile(path):
        raise HostKeyError(f"the known-hosts file {known_hosts} does not exist: add the firewall's host key "
                           "(ssh-keyscan -p PORT HOST, checked against the device's console) or set ngfw_known_hosts")
    try:
        return paramiko.HostKeys(path)
    except (OSError, paramiko.SSHException) as err:
        raise HostKeyError(f"the known-hosts file {known_hosts} cannot be read: {err}") from None


def presented_key(host: str, port: int, timeout: float) -> paramiko.PKey:
    """The host key the device shows on a connection that authenticates nothing."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        transport = paramiko.Transport(sock)
        try:
            transport.start_client(timeout=timeout)
            return transport.get_remote_server_key()
        finally:
            transport.close()


def check(host: str, port: int, known_hosts: str, timeout: float = 15.0) -> str:
    """The device's fingerprint when its key is the known one; raises HostKeyError otherwise."""
    keys = load(known_hosts)
    name = entry_name(host, port)
    key = presented_key(host, port, timeout)
    known = keys.lookup(name)
    where = f"{host} port {port}"
    if not known:
        raise HostKeyError(f"{where}: host key {key.get_name()} {fingerprint(key)} is not in {known_hosts}; "
                           "nothing was sent. Check the fingerprint on the device's console, then add it")
    if known.get(key.get_name()) != key:
        expected = ", ".join(f"{t} {fingerprint(k)}" for t, k in sorted(known.items()))
        raise HostKeyError(f"{where}: HOST KEY CHANGED: the device shows {key.get_name()} {fingerprint(key)}, "
                           f"{known_hosts} expects {expected}; nothing was sent. A replaced device or someone "
                           "in between: check before you update the file")
    return fingerprint(key)


def netmiko_params(known_hosts: str) -> dict:
    """netmiko's own check on the login itself: only keys from ``known_hosts``, anything else refused."""
    return {"ssh_strict": True, "system_host_keys": False, "alt_host_keys": True,
            "alt_key_file": os.path.expanduser(known_hosts)}
