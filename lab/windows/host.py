"""The state of one simulated Windows host, kept as JSON in the endpoint's directory.

Everything a script can read or change lives here: adapters, VPN profiles, uninstall keys and other
registry values, the local security policy, Defender, services, the files scripts write, and the
lab share the MSI installs come from. ``save`` writes atomically, so a power cut (``kill``) never
leaves half a file, and a restart reads back exactly what was there.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from lab.windows import seeds

UNINSTALL = "software\\microsoft\\windows\\currentversion\\uninstall"
UNINSTALL_WOW = "software\\wow6432node\\microsoft\\windows\\currentversion\\uninstall"
USER = "eoadmin"
TEMP = f"C:\\Users\\{USER}\\AppData\\Local\\Temp"
HOME = f"C:\\Users\\{USER}"


class HostState:
    def __init__(self, path: Path, data: dict):
        self.path = path
        self.data = data
        self.lock = threading.RLock()
        #: live WinRM connections, filled in by the server: (local port, remote address, remote port)
        self.connections: list[tuple[int, str, int]] = []
        self.listen_ports: list[int] = []

    @classmethod
    def load_or_seed(cls, path: Path, seed: str | dict, name: str, ipv4: str) -> HostState:
        if path.exists():
            return cls(path, json.loads(path.read_text()))
        data = seeds.make(seed, name, ipv4) if isinstance(seed, str) else seed
        state = cls(path, data)
        state.save()
        return state

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2, sort_keys=True) + "\n")
        tmp.replace(self.path)

    # ---- adapters ----------------------------------------------------------------------------
    @property
    def adapters(self) -> list[dict]:
        return self.data["adapters"]

    def management_adapter(self) -> dict | None:
        return next((a for a in self.adapters if a.get("management")), None)

    def management_reachable(self) -> bool:
        adapter = self.management_adapter()
        return adapter is None or adapter["Status"] != "Disabled"

    # ---- paths: file system and registry -----------------------------------------------------
    @staticmethod
    def file_key(path: str) -> str:
        text = path.replace("/", "\\")
        if not re.match(r"^[A-Za-z]:\\|^\\\\", text):
            text = HOME + "\\Documents\\" + text
        return text.lower()

    def read_file(self, path: str) -> str | None:
        entry = self.data["files"].get(self.file_key(path))
        return None if entry is None else entry["text"]

    def write_file(self, path: str, text: str, encoding: str = "Unicode") -> None:
        self.data["files"][self.file_key(path)] = {"Path": path, "text": text, "encoding": encoding}

    def delete_file(self, path: str) -> bool:
        return self.data["files"].pop(self.file_key(path), None) is not None

    def file_exists(self, path: str) -> bool:
        key = self.file_key(path)
        if key in self.data["files"] or key in self.data["share"]:
            return True
        return key.rstrip("\\") in {TEMP.lower(), HOME.lower(), "c:\\windows\\temp", "c:\\windows", "c:\\"}

    @staticmethod
    def registry_key(path: str) -> str:
        """``HKLM:\\SOFTWARE\\X`` and ``Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\X`` → ``software\\x``."""
        text = re.sub(r"^(microsoft\.powershell\.core\\)?registry::", "", path.strip(), flags=re.I)
        text = re.sub(r"^(hklm:|hkey_local_machine)\\?", "", text, flags=re.I)
        return text.rstrip("\\").lower()

    def registry_keys(self) -> dict[str, tuple[str, dict]]:
        """Every registry key the model holds: lowercase path → (display path, values)."""
        keys: dict[str, tuple[str, dict]] = {}
        for area, base in (("native", UNINSTALL), ("wow64", UNINSTALL_WOW)):
            display_base = "HKEY_LOCAL_MACHINE\\SOFTWARE\\" + ("WOW6432Node\\" if area == "wow64" else "") + \
                "Microsoft\\Windows\\CurrentVersion\\Uninstall"
            for code, values in self.data["uninstall"][area].items():
                keys[f"{base}\\{code.lower()}"] = (f"{display_base}\\{code}", values)
        for entry in self.data["registry"].values():
            path = entry["Path"]
            keys[self.registry_key(path)] = ("HKEY_LOCAL_MACHINE\\" + re.sub(r"^HKLM:\\", "", path, flags=re.I),
                                             entry["values"])
        return keys

    def registry_container_exists(self, key: str) -> bool:
        known = self.registry_keys()
        return key in known or any(k.startswith(key + "\\") for k in known) or key in (UNINSTALL, UNINSTALL_WOW)
