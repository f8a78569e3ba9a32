#!/usr/bin/python
"""Read the age of ClamAV's signature databases from their own headers (``sigtool --info``)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: clamav_signatures
short_description: Age of the ClamAV signature databases, read from the database headers
description:
  - Runs C(sigtool --info) on every signature container in the database directory (C(.cvd) signed,
    C(.cld) incrementally updated, C(.cud) unsigned) and reads the build time that each file's own
    header carries. The file modification time is not used, since a copy or a restore changes it.
  - The age of the signatures is the age of the newest container; the databases are stale when
    there is none or when that age exceeds I(max_age_days).
  - Only reads; never changes the host, so it runs in check mode too.
version_added: "0.1.0"
options:
  database_dir:
    description: ClamAV's database directory (C(DatabaseDirectory) in C(freshclam.conf) and C(clamd.conf)).
    type: path
    default: /var/lib/clamav
  max_age_days:
    description: Largest acceptable age of the newest signatures, in days (at least 1).
    type: int
    required: true
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-END-2 | AUDIT | Read the age of the signatures
  clamav_signatures:
    max_age_days: 2
  register: signatures

- name: EO-END-2 | AUDIT | Show the age
  ansible.builtin.debug:
    msg: "{{ signatures.age_days }} days, stale: {{ signatures.stale }}"
"""

RETURN = r"""
databases:
  description: One entry per container file, sorted by file name.
  returned: always
  type: list
  elements: dict
  sample: [{"file": "/var/lib/clamav/daily.cld", "version": 27834, "signatures": 2071234,
            "build_time": "2026-11-24T09:22:00Z", "builder": "raynman", "verification": "Verification OK."}]
newest_build_time:
  description: The newest build time of all containers (UTC, ISO 8601); null when there is none.
  returned: always
  type: str
age_days:
  description: Days since I(newest_build_time), two decimals; null when there is no database.
  returned: always
  type: float
stale:
  description: True when there is no database or I(age_days) exceeds I(max_age_days).
  returned: always
  type: bool
reason:
  description: Why the signatures are stale, or that they are current, in one sentence.
  returned: always
  type: str
"""

import glob
import os
import re
from datetime import UTC, datetime

from ansible.module_utils.basic import AnsibleModule

CONTAINERS = ("*.cvd", "*.cld", "*.cud")
# sigtool prints "Build time: 24 Nov 2026 09:22 -0500"; the header itself has "09-22"
BUILD_TIME = re.compile(r"^(\d{1,2} [A-Za-z]{3} \d{4} \d{2})[-:](\d{2}) ([+-]\d{4})$")
FIELDS = {"Build time": "build_time", "Version": "version", "Signatures": "signatures", "Builder": "builder"}


def parse_build_time(text: str) -> datetime | None:
    match = BUILD_TIME.match(text.strip())
    if not match:
        return None
    stamp = datetime.strptime(f"{match.group(1)}:{match.group(2)} {match.group(3)}", "%d %b %Y %H:%M %z")
    return stamp.astimezone(UTC)


def parse_info(text: str) -> dict:
    """The fields of ``sigtool --info`` output that matter here."""
    entry: dict = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in FIELDS:
            entry[FIELDS[key]] = value.strip()
        elif key.startswith("Verification") or line.startswith("cvdinfo: Verification"):
            entry["verification"] = line.strip()
    for key in ("version", "signatures"):
        if str(entry.get(key, "")).isdigit():
            entry[key] = int(entry[key])
    built = parse_build_time(entry.get("build_time", ""))
    entry["build_time"] = built.strftime("%Y-%m-%dT%H:%M:%SZ") if built else None
    return entry


def read_database(module: AnsibleModule, sigtool: str, path: str) -> dict:
    rc, out, err = module.run_command([sigtool, "--stdout", f"--info={path}"])
    entry = {"file": path, **parse_info(out)}
    if rc != 0 or entry["build_time"] is None:
        entry["error"] = (err or out).strip().splitlines()[-1:] or [f"sigtool exited with {rc}"]
        entry["error"] = entry["error"][0]
    return entry


def verdict(databases: list[dict], max_age_days: int, now: datetime) -> dict:
    times = [datetime.strptime(d["build_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
             for d in databases if d.get("build_time") and "error" not in d]
    if not times:
        return {"newest_build_time": None, "age_days": None, "stale": True,
                "reason": "no readable signature database"}
    newest = max(times)
    age = round((now - newest).total_seconds() / 86400, 2)
    stale = age > max_age_days
    built = newest.strftime("%Y-%m-%dT%H:%MZ")
    # whole days in the sentence: it lands in the local fact, which must not change with every run
    reason = (f"the newest signatures were built {int(age)} days ago ({built}), more than the {max_age_days} allowed"
              if stale else f"the newest signatures ({built}) are within the {max_age_days} days allowed")
    return {"newest_build_time": newest.strftime("%Y-%m-%dT%H:%M:%SZ"), "age_days": age, "stale": stale,
            "reason": reason}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "database_dir": {"type": "path", "default": "/var/lib/clamav"},
            "max_age_days": {"type": "int", "required": True},
        },
        supports_check_mode=True,
    )
    if module.params["max_age_days"] < 1:
        module.fail_json(msg=f"max_age_days must be at least 1, got {module.params['max_age_days']}")
    sigtool = module.get_bin_path("sigtool", required=True)
    directory = module.params["database_dir"]
    paths = sorted({p for pattern in CONTAINERS for p in glob.glob(os.path.join(directory, pattern))})
    databases = [read_database(module, sigtool, path) for path in paths]
    result = verdict(databases, module.params["max_age_days"], datetime.now(UTC))
    module.exit_json(changed=False, databases=databases, **result)


if __name__ == "__main__":
    main()
