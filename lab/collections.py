"""Check that the collections in requirements.yml are installed at their versions, offline.

They come with the pinned `ansible` package; nothing is downloaded. Exits non-zero with what is
missing or different, so `make` stops before a playbook meets an unknown module.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ansible_collections
import yaml


def installed_version(fqcn: str) -> str | None:
    namespace, name = fqcn.split(".", 1)
    for root in ansible_collections.__path__:
        manifest = Path(root) / namespace / name / "MANIFEST.json"
        if manifest.exists():
            return json.loads(manifest.read_text())["collection_info"]["version"]
    return None


def problems(requirements: Path) -> list[str]:
    wanted = yaml.safe_load(requirements.read_text())["collections"]
    found = []
    for item in wanted:
        have = installed_version(item["name"])
        if have is None:
            found.append(f"{item['name']} {item['version']}: not installed")
        elif have != str(item["version"]):
            found.append(f"{item['name']}: {item['version']} wanted, {have} installed")
    return found


def main(argv: list[str]) -> int:
    requirements = Path(argv[0] if argv else "requirements.yml")
    found = problems(requirements)
    for line in found:
        print(f"{requirements}: {line}", file=sys.stderr)
    if found:
        print("fix requirements.txt (the `ansible` pin) or requirements.yml; collections are never downloaded",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
