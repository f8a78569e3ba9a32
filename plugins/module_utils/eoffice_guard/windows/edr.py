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
        install = not present
        automatic = install or service.get("start_type", "") != "Automatic"
        start = install or service.get("status", "") != "Running"
        actions = ([f"install {p['name']} from {p['msi']}"] if install else []) + (
            ["set the agent service to start automatically"] if automatic and not install else []) + (
            ["start the agent service"] if start and not install else [])
        if install:
            actions += ["set the agent service to start automatically", "start the agent service"]
        before = {"installed": present, "service": service.get("status", "absent"),
                  "start_type": service.get("start_type", "absent"), "enrolled": bool(edr.get("enrolled"))}
        after = {"installed": True, "service": "Running", "start_type": "Automatic",
                 "enrolled": True if install else before["enrolled"]}
        params = {"install": install, "msi": p["msi"], "properties": list(p.get("properties") or []),
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
