"""Fault injection for the lab Windows endpoints: the ways a real Windows host misbehaves for WinRM.

Same mechanism as the lab firewalls (``lab.firewalls.faults``): a JSON file in the endpoint's
directory, set at start (``serve --faults``) or while it runs (``python -m lab.windows fault``),
re-read whenever it changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.firewalls import faults as firewall_faults


@dataclass
class WinFaultSettings(firewall_faults.SettingsFile):
    #: answer every login with 401, as for a wrong password
    refuse_auth: bool = False
    #: answer the Nth WS-Management request (counted from when the fault is set) with HTTP 500 and a SOAP fault
    http_500_on: int | None = None
    #: seconds every PowerShell invocation takes (Receive answers OperationTimeout meanwhile, as Windows does)
    slow_command: float = 0.0
    #: name of an adapter whose driver refuses Disable-NetAdapter
    stuck_adapter: str | None = None


class WinFaults(firewall_faults.Faults):
    settings_class = WinFaultSettings

    def stamp(self) -> int | None:
        """Changes whenever the fault file does (the HTTP 500 count restarts then)."""
        self.current()
        return self._stamp


write_faults = firewall_faults.write_faults
