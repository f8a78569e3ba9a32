"""``python -m lab.firewalls up|down|status|inventory [--count N]`` and ``fault NAME ...``.

``python -m lab up`` covers the usual lab; this entry point adds what only firewalls need: a fleet
of any size in one command and changing a running device's faults.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lab.firewalls as part
from lab.control import default_state_dir, run_part
from lab.firewalls import inventory, process
from lab.firewalls.faults import Faults, change_faults
from lab.firewalls.fleet import fleet, fleet_size


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lab.firewalls")
    parser.add_argument("--state-dir", type=Path, default=default_state_dir())
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "down", "status"):
        sub = commands.add_parser(name, help=f"{name} the lab firewalls")
        sub.add_argument("--count", type=int, help="fleet size (default: EOFFICE_LAB_FIREWALLS or 3)")
    inventory = commands.add_parser("inventory", help="print the Ansible inventory of a fleet")
    inventory.add_argument("--count", type=int, help="fleet size (default: EOFFICE_LAB_FIREWALLS or 3)")
    fault = commands.add_parser("fault", help="show or change a device's faults while it runs")
    fault.add_argument("device")
    fault.add_argument("--drop-after", type=int, help="close the connection after N config commands")
    fault.add_argument("--reject", help="answer commands matching this regex with the vendor's error")
    fault.add_argument("--commit-delay", type=float, help="seconds added to commit / write memory / end")
    fault.add_argument("--refuse-logins", action="store_true", help="refuse every login")
    fault.add_argument("--clear", action="store_true", help="remove every fault first")
    return parser.parse_args(argv)


def set_faults(args: argparse.Namespace) -> int:
    directory = process.device_dir(args.state_dir, args.device)
    if not directory.is_dir():
        print(f"python -m lab.firewalls fault: no device {args.device!r} under {args.state_dir}")
        return 2
    settings = change_faults(directory / "faults.json", Faults, args.clear, {
        "drop_after": args.drop_after, "reject": args.reject, "commit_delay": args.commit_delay,
        "refuse_logins": args.refuse_logins or None})
    print(f"{args.device}: {settings.to_dict() or 'no faults'}")
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
