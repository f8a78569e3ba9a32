"""``python -m lab image|up|down|status``: build the lab image, start, stop and list the lab."""

from __future__ import annotations

import sys

USAGE = """usage: python -m lab COMMAND [options]

commands:
  image    build the Debian lab images (no-op when current)
  up       start the lab (endpoint services, Debian hosts, lab firewalls, lab Windows endpoints); safe to re-run
  down     stop the lab
  status   list the lab's devices with address, port, platform and credentials

`python -m lab COMMAND --help` tells a command's options.
"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "image":
        from lab import image

        return image.main(rest)
    if command in {"up", "down", "status"}:
        from lab import control

        return control.main(command, rest)
    print(f"python -m lab: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
