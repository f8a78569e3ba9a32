"""Run one lab Windows endpoint in the foreground: ``python -m lab.windows.serve --name NAME ...``.

``python -m lab up`` (and tests, through ``lab.windows.process``) start this in the background, one
process per endpoint with both of its listeners.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from lab.windows import pki, server
from lab.windows.faults import WinFaults, WinFaultSettings, write_faults
from lab.windows.fleet import PASSWORD, USERNAME
from lab.windows.host import HostState


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lab.windows.serve")
    parser.add_argument("--name", required=True, help="endpoint name")
    parser.add_argument("--http-port", type=int, help="HTTP listener (NTLM with message encryption)")
    parser.add_argument("--https-port", type=int, help="HTTPS listener (Basic or NTLM)")
    parser.add_argument("--state-dir", required=True, type=Path, help="this endpoint's own directory")
    parser.add_argument("--ca-dir", required=True, type=Path, help="where the lab CA lives (made if missing)")
    parser.add_argument("--seed", default="tap_wireguard", help="seed name, or @FILE with a whole host state as JSON")
    parser.add_argument("--ipv4", default="10.40.0.11", help="the management adapter's modelled address")
    parser.add_argument("--faults", help='initial faults as JSON, e.g. {"http_500_on": 3}')
    parser.add_argument("--username", default=USERNAME)
    parser.add_argument("--password", default=PASSWORD)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=f"%(asctime)s {args.name} %(message)s")
    fault_file = args.state_dir / "faults.json"
    if args.faults is not None:
        write_faults(fault_file, WinFaultSettings.from_dict(json.loads(args.faults)))
    seed = json.loads(Path(args.seed[1:]).read_text()) if args.seed.startswith("@") else args.seed
    host = HostState.load_or_seed(args.state_dir / "state.json", seed, args.name, args.ipv4)
    cert = pki.ensure_server_cert(args.ca_dir, args.state_dir, args.name)
    service = server.WinRMService(args.name, args.state_dir, host, WinFaults(fault_file), args.username,
                                  args.password)
    server.serve(service, args.http_port, args.https_port, cert)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
