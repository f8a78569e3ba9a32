"""``python -m lab.endpoint_services [--state-dir DIR] up|down|status [NAME ...]``: the endpoint services only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lab import endpoint_services
from lab.control import _print_table, default_state_dir


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.endpoint_services", description=__doc__)
    parser.add_argument("--state-dir", type=Path, default=default_state_dir())
    parser.add_argument("--quiet", action="store_true", help="print no status table (it names the lab token)")
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("names", nargs="*", choices=[[], *endpoint_services.names()], default=[])
    args = parser.parse_args(argv)
    selected = args.names or endpoint_services.names()
    args.state_dir.mkdir(parents=True, exist_ok=True)
    if args.command == "up":
        endpoint_services.up(selected, args.state_dir)
    elif args.command == "down":
        endpoint_services.down(selected, args.state_dir)
    if not args.quiet:
        _print_table(endpoint_services.status(selected, args.state_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
