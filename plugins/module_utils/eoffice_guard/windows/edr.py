"""EO-END-1 on Windows: the ministry's EDR agent installed from its internal share, its service automatic and
running, and the agent enrolled. Vendors differ only in data: the profile."""

from __future__ import annotations

from .control import Plan

PROFILE_KEYS = ("name", "msi", "product_code", "service", "properties", "enrolment_key", "enrolment_value")


def installed(state: dict, product_code: str) -> dict | None:
    for s in state.get("software") or []:
        if str(s.get("key", "")).lower() == product_code.lower():
            return s
    return None


class EdrAgent:
    ID = "EO-END-1"
    SCRIPT = "edr_apply.ps1"

    def __init__(self, profile: dict):
        self.profile = profile

    def reader_profile(self) -> dict:
        return {k: str(self.profile.get(k) or "") for k in ("service", "enrolment_key", "enrolment_value")}

    def plan(self, state: dict) -> Plan:
        p, edr = self.profile, state.get("edr") or {}
        service = edr.get("service") or {}
        present = installed(state, p["product_code"]) is not None
        # Installed but not enrolled: the installer runs again with the enrolment properties (a repair).
        reenrol = present and bool(p.get("enrolment_key")) and not edr.get("enrolled")
        install = not present or reenrol
        automatic = not present or service.get("start_type", "") != "Automatic"
        start = not present or service.get("status", "") != "Running"
        verb = "re-run the installer of" if reenrol else "install"
        actions = [f"{verb} {p['name']} from {p['msi']} with its enrolment properties"] if install else []
        actions += ["set the agent service to start automatically"] if automatic else []
        actions += ["start the agent service"] if start else []
        before = {"installed": present, "service": service.get("status", "absent"),
                  "start_type": service.get("start_type", "absent"), "enrolled": bool(edr.get("enrolled"))}
        after = {"installed": True, "service": "Running", "start_type": "Automatic",
                 "enrolled": True if install else before["enrolled"]}
        repair = ["REINSTALL=ALL", "REINSTALLMODE=vomus"] if reenrol else []
        params = {"install": install, "msi": p["msi"], "properties": repair + list(p.get("properties") or []),
                  "set_automatic": automatic, "start": start, "edr": self.reader_profile()}
        return Plan(actions, params, [], before, after)

    def problems(self, state: dict) -> list[str]:
        p, edr = self.profile, state.get("edr") or {}
        service = edr.get("service") or {}
        out = [] if installed(state, p["product_code"]) else [f"{p['name']} ({p['product_code']}) is not installed"]
        if not service:
            out.append(f"service {p['service']} does not exist")
        else:
            if service.get("status") != "Running":
                out.append(f"service {p['service']} is {service.get('status')}")
            if service.get("start_type") != "Automatic":
                out.append(f"service {p['service']} starts {service.get('start_type')}")
        if p.get("enrolment_key") and not edr.get("enrolled"):
            out.append(f"the agent is not enrolled ({p['enrolment_key']} {p['enrolment_value']} is empty)")
        return out
