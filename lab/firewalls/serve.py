"""Run one lab firewall in the foreground: ``python -m lab.firewalls.serve --device NAME ...``.

``python -m lab up`` starts this in the background, one process per device, so a crash or a
``kill`` of one device (a "reboot") never touches the others.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from lab.firewalls import asa, fortios, panos
from lab.firewalls.faults import Faults, FaultSettings, write_faults
from lab.firewalls.fleet import CREDENTIALS
from lab.firewalls.sshd import enable_group_exchange, load_host_key, serve_forever

BOXES = {"fortios": fortios.FortiBox, "panos": panos.PanBox, "asa": asa.AsaBox}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lab.firewalls.serve")
    parser.add_argument("--device", required=True, help="device name")
    parser.add_argument("--platform", required=True, choices=sorted(BOXES))
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--state-dir", required=True, type=Path, help="this device's own directory")
    parser.add_argument("--faults", help='initial faults as JSON, e.g. {"drop_after": 3}')
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"%(asctime)s {args.device} %(message)s")
    logging.getLogger("paramiko").setLevel(logging.WARNING)
    fault_file = args.state_dir / "faults.json"
    if args.faults is not None:
        write_faults(fault_file, FaultSettings.from_dict(json.loads(args.faults)))
    box = BOXES[args.platform](args.device, args.state_dir, Faults(fault_file))
    enable_group_exchange(args.state_dir / "moduli")
    username, password = CREDENTIALS[args.platform]
    serve_forever(box, args.port, username, password, load_host_key(args.state_dir / "host_key"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
