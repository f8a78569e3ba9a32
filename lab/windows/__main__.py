"""``python -m lab.windows up|down|status|inventory [--count N]`` and ``fault NAME ...``.

``python -m lab up`` covers the usual lab; this entry point adds a fleet of any size in one command
(``--count 50``) and changing a running endpoint's faults.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lab.windows as part
from lab.control import default_state_dir, run_part
from lab.firewalls.faults import change_faults
from lab.windows import inventory, process
from lab.windows.faults import WinFaults
from lab.windows.fleet import fleet, fleet_size


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lab.windows")
    parser.add_argument("--state-dir", type=Path, default=default_state_dir())
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "down", "status", "inventory"):
        sub = commands.add_parser(name, help=f"{name} the lab Windows endpoints")
        sub.add_argument("--count", type=int, help="fleet size (default: EOFFICE_LAB_WINDOWS or 3)")
    fault = commands.add_parser("fault", help="show or change an endpoint's faults while it runs")
    fault.add_argument("endpoint")
    fault.add_argument("--refuse-auth", action="store_true", help="answer every login with 401")
    fault.add_argument("--http-500-on", type=int, help="answer the Nth WS-Man request with HTTP 500")
    fault.add_argument("--slow-command", type=float, help="seconds each PowerShell invocation takes")
    fault.add_argument("--stuck-adapter", help="adapter whose driver refuses Disable-NetAdapter")
    fault.add_argument("--clear", action="store_true", help="remove every fault first")
    return parser.parse_args(argv)


def set_faults(args: argparse.Namespace) -> int:
    directory = process.endpoint_dir(args.state_dir, args.endpoint)
    if not directory.is_dir():
        print(f"python -m lab.windows fault: no endpoint {args.endpoint!r} under {args.state_dir}")
        return 2
    settings = change_faults(directory / "faults.json", WinFaults, args.clear, {
        "refuse_auth": args.refuse_auth or None, "http_500_on": args.http_500_on,
        "slow_command": args.slow_command, "stuck_adapter": args.stuck_adapter})
    print(f"{args.endpoint}: {settings.to_dict() or 'no faults'}")
    return 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.command == "fault":
        return set_faults(args)
    if args.command == "inventory":
        print(inventory.render(args.count or fleet_size()), end="")
        return 0
    return run_part(part, args.command, list(fleet(args.count)), args.state_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
