"""Write each role's README.md from its meta/argument_specs.yml, so the two never disagree.

``python tools/role_readme.py`` rewrites the READMEs; ``--check`` exits 1 naming the READMEs that are
out of date (the unit tests run it).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- Generated from meta/argument_specs.yml by tools/role_readme.py: edit the specs, not this file. -->"


MARKUP = ((re.compile(r"C\(([^)]*)\)"), r"`\1`"), (re.compile(r"I\(([^)]*)\)"), r"*\1*"))


def _text(value) -> str:
    """One Markdown line from a spec description, with Ansible's C() and I() markup converted."""
    lines = value if isinstance(value, list) else [value]
    text = " ".join(str(line).strip() for line in lines if line)
    for pattern, replacement in MARKUP:
        text = pattern.sub(replacement, text)
    return text


def _default(spec: dict) -> str:
    if "default" not in spec:
        return "(required)" if spec.get("required") else ""
    dumped = yaml.safe_dump(spec["default"], default_flow_style=True, width=1000)
    return f"`{dumped.strip().removesuffix('...').strip()}`"


def _type(spec: dict) -> str:
    kind = spec.get("type", "str")
    if kind == "list" and "elements" in spec:
        kind = f"list of {spec['elements']}"
    if "choices" in spec:
        kind += f" ({', '.join(map(str, spec['choices']))})"
    return kind


def render(role: Path) -> str:
    specs = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]
    out = [HEADER, f"# Role `{role.name}`", ""]
    for entry, spec in specs.items():
        if entry != "main":
            out += [f"## Entry point `{entry}`", ""]
        out += [f"**{spec.get('short_description', '')}**", ""]
        out += [f"- {_text(line)}" for line in spec.get("description", [])]
        out += ["", "| variable | type | default | description |", "| --- | --- | --- | --- |"]
        for name, opt in sorted(spec.get("options", {}).items()):
            description = _text(opt.get("description", "")).replace("|", "\\|")
            out.append(f"| `{name}` | {_type(opt)} | {_default(opt)} | {description} |")
        out.append("")
    out.append(f"The same in the terminal: `ansible-doc -t role {role.name}`.")
    return "\n".join(out) + "\n"


def roles() -> list[Path]:
    return sorted(p.parent.parent for p in (ROOT / "roles").glob("*/meta/argument_specs.yml"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report READMEs that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for role in roles():
        readme, text = role / "README.md", render(role)
        if readme.exists() and readme.read_text() == text:
            continue
        stale.append(readme.relative_to(ROOT))
        if not args.check:
            readme.write_text(text)
    for path in stale:
        print(f"{path}: {'out of date: run python tools/role_readme.py' if args.check else 'written'}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
