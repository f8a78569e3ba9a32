"""Start, stop and list the lab's parts, each a module with the same four functions.

A part module exposes ``names() -> list[str]`` (its devices), ``up(names, state_dir)``,
``down(names, state_dir)`` and ``status(names, state_dir) -> list[dict]``; a status row has the keys
of ``COLUMNS``. ``up`` and ``down`` are safe to re-run.
"""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path

# the endpoint services first: they make the network the Debian hosts join
PARTS = ("lab.endpoint_services", "lab.linux_hosts", "lab.firewalls", "lab.windows")
COLUMNS = ("name", "platform", "address", "port", "username", "password", "state")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_state_dir() -> Path:
    return Path(os.environ.get("EOFFICE_LAB_STATE", PROJECT_ROOT / ".lab"))


def fleet_names(configured, subdir: str, by_name, order) -> list[str]:
    """A part's configured devices plus any larger fleet still running under the default state
    folder's ``subdir`` (so ``python -m lab down`` stops it), in ``order``."""
    started = {p.parent.name for p in (default_state_dir() / subdir).glob("*/serve.pid")}

    def known(name: str) -> bool:
        try:
            by_name(name)
            return True
        except KeyError:
            return False

    return sorted(set(configured) | {n for n in started if known(n)}, key=order)


def run_part(part, command: str, names: list[str], state_dir: Path) -> int:
    """``up``/``down``/``status`` of one part's devices, then its status table."""
    state_dir.mkdir(parents=True, exist_ok=True)
    if command == "up":
        part.up(names, state_dir)
    elif command == "down":
        part.down(names, state_dir)
    _print_table(part.status(names, state_dir))
    return 0


def _parts():
    return [importlib.import_module(name) for name in PARTS]


def _select(part, wanted: set[str] | None) -> list[str]:
    names = part.names()
    return names if wanted is None else [n for n in names if n in wanted]


def _parse(command: str, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m lab {command}")
    parser.add_argument(
        "--devices",
        help="comma-separated device names (default: every device of the lab)",
    )
    parser.add_argument("--state-dir", type=Path, default=default_state_dir(),
                        help="where pid files, logs and saved state live (default: %(default)s)")
    return parser.parse_args(argv)


def _print_table(rows: list[dict]) -> None:
    widths = {c: max([len(c)] + [len(str(r.get(c, ""))) for r in rows]) for c in COLUMNS}
    print("  ".join(c.upper().ljust(widths[c]) for c in COLUMNS).rstrip())
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in COLUMNS).rstrip())


def main(command: str, argv: list[str]) -> int:
    args = _parse(command, argv)
    wanted = set(args.devices.split(",")) if args.devices else None
    parts = _parts()
    known = {n for part in parts for n in part.names()}
    if wanted and wanted - known:
        unknown = ", ".join(sorted(wanted - known))
        print(f"python -m lab {command}: unknown device(s) {unknown}; known: {', '.join(sorted(known))}")
        return 2
    args.state_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for part in parts:
        names = _select(part, wanted)
        if not names:
            continue
        if command == "up":
            part.up(names, args.state_dir)
        elif command == "down":
            part.down(names, args.state_dir)
        rows.extend(part.status(names, args.state_dir))
    _print_table(rows)
    return 0
