#!/usr/bin/python
"""Apply password ageing to the existing human accounts of a Debian host with chage."""

from __future__ import annotations

DOCUMENTATION = r"""
module: eoffice_account_ageing
short_description: Password ageing for existing human accounts (EO-ID-1)
description:
  - C(/etc/login.defs) ages accounts created after it is set; this module ages the ones that already
    exist. A human account has a UID from C(UID_MIN) to C(UID_MAX) of C(/etc/login.defs), a login
    shell (not C(nologin) or C(false)) and a usable password (not locked with C(!) or C(*)).
  - Accounts whose maximum, minimum and warning days differ are changed with C(chage); the others are
    left alone, so a second run changes nothing. Check mode lists what would change.
version_added: "0.1.0"
options:
  max_days:
    description: Days a password may be used (C(chage -M)).
    type: int
    default: 90
  min_days:
    description: Days before a password may be changed again (C(chage -m)).
    type: int
    default: 1
  warn_days:
    description: Days of warning before a password expires (C(chage -W)).
    type: int
    default: 14
  exclude:
    description: Accounts never changed (break-glass accounts).
    type: list
    elements: str
    default: []
author: eoffice-guard
"""

EXAMPLES = r"""
- name: EO-ID-1 | PATCH | Age the passwords of existing human accounts
  eoffice_account_ageing:
    max_days: 90
    min_days: 1
    warn_days: 14
    exclude: [breakglass]
"""

RETURN = r"""
aged_accounts:
  description: Accounts whose ageing was changed (in check mode, would be).
  returned: always
  type: list
  elements: str
human_accounts:
  description: Every human account found, changed or not, minus the excluded ones.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

NO_LOGIN = ("/nologin", "/false", "/sync", "/shutdown", "/halt")


def login_defs(path: str = "/etc/login.defs") -> dict[str, str]:
    values = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2 and not parts[0].startswith("#"):
                values[parts[0]] = parts[1]
    return values


def shadow() -> dict[str, list[str]]:
    with open("/etc/shadow", encoding="utf-8", errors="replace") as handle:
        return {f[0]: f for f in (line.rstrip("\n").split(":") for line in handle) if len(f) >= 6}


def human_accounts(uid_min: int, uid_max: int, entries: dict[str, list[str]], exclude: set[str]) -> list[str]:
    out = []
    with open("/etc/passwd", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            f = line.rstrip("\n").split(":")
            if len(f) < 7 or f[0] in exclude or not f[2].isdigit():
                continue
            password = entries.get(f[0], [""] * 6)[1]
            if (uid_min <= int(f[2]) <= uid_max and not f[6].endswith(NO_LOGIN)
                    and not password.startswith(("!", "*"))):
                out.append(f[0])
    return sorted(out)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "max_days": {"type": "int", "default": 90},
            "min_days": {"type": "int", "default": 1},
            "warn_days": {"type": "int", "default": 14},
            "exclude": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    p = module.params
    defs = login_defs()
    entries = shadow()
    humans = human_accounts(int(defs.get("UID_MIN", 1000)), int(defs.get("UID_MAX", 60000)), entries,
                            set(p["exclude"]))
    wanted = [str(p["min_days"]), str(p["max_days"]), str(p["warn_days"])]
    changed = [name for name in humans if entries[name][3:6] != wanted]
    if not module.check_mode:
        for name in changed:
            rc, out, err = module.run_command(["chage", "-m", wanted[0], "-M", wanted[1], "-W", wanted[2], name])
            if rc != 0:
                module.fail_json(msg=f"chage failed for {name}: {err.strip() or out.strip()}")
    module.exit_json(changed=bool(changed), aged_accounts=changed, human_accounts=humans)


if __name__ == "__main__":
    main()
