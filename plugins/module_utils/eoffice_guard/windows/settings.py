"""Controller-side checks of the Windows role's settings, run before any host is contacted: every error names
the file that set the variable, the key path and what would be valid."""

from __future__ import annotations

import re
from pathlib import Path

from .password import ADVISORY_MIN_LENGTH

UPDATE_SOURCES = ("FileShares", "InternalDefinitionUpdateServer", "MicrosoftUpdateServer", "MMPC")
GUID = re.compile(r"^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$")
MSI_PROPERTY = re.compile(r'^[A-Z][A-Z0-9_.]*=[^"\r\n]*$')
SERVICE_NAME = re.compile(r"^[A-Za-z0-9_.\- ]{1,80}$")
REGISTRY_KEY = re.compile(r"^HKLM:\\[^\r\n'\"`$]+$")
VALUE_NAME = re.compile(r"^[^\r\n'\"`$]{1,255}$")
HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})$")
UNC = re.compile(r"^\\\\[A-Za-z0-9._-]+\\[^\r\n'\"`$]+$")


# The settings, by the module argument that takes each, and the role variable that sets it.
ROLE_VARIABLES = {
    "adapter_patterns": "windows_endpoint_vpn_adapter_patterns",
    "extra_adapter_patterns": "windows_endpoint_vpn_extra_adapter_patterns",
    "approved_adapters": "windows_endpoint_vpn_approved_adapters",
    "software_patterns": "windows_endpoint_vpn_software_patterns",
    "approved_software": "windows_endpoint_vpn_approved_software",
    "approved_servers": "windows_endpoint_vpn_approved_servers",
    "approved_vpns": "approved_vpns",
    "min_length": "windows_endpoint_password_min_length",
    "update_source": "windows_endpoint_defender_update_source",
    "file_share": "windows_endpoint_defender_file_share",
    "profile": "windows_endpoint_edr_profile",
}


def _regex(errors: list, value, path: str) -> None:
    if not isinstance(value, str) or not value:
        errors.append((path, "must be a non-empty regular expression (Python `re` syntax, case-insensitive)"))
        return
    try:
        re.compile(value)
    except re.error as err:
        errors.append((path, f"is not a valid regular expression ({err}): {value!r}"))


def check(values: dict, names: dict | None = None) -> list[tuple[str, str]]:
    """(key path, problem) for every bad setting in ``values`` (keyed by module argument, see ROLE_VARIABLES);
    ``names`` gives the name each key path starts with (the argument itself when not given)."""
    names = names or {}

    def name(key: str) -> str:
        return names.get(key, key)

    errors: list[tuple[str, str]] = []
    for key in ("adapter_patterns", "extra_adapter_patterns"):
        for i, item in enumerate(values.get(key) or []):
            if not isinstance(item, dict) or "name" not in item or "pattern" not in item:
                errors.append((f"{name(key)}[{i}]",
                               "must be a mapping with `name` and `pattern` (and optional `tunnel`)"))
                continue
            _regex(errors, item["pattern"], f"{name(key)}[{i}].pattern")
    for key in ("approved_adapters", "software_patterns", "approved_software"):
        for i, item in enumerate(values.get(key) or []):
            _regex(errors, item, f"{name(key)}[{i}]")
    if "approved_servers" in values:
        errors += check_servers(values["approved_servers"] or {}, values.get("approved_vpns") or [],
                                name("approved_servers"))
    length = values.get("min_length")
    if length is not None and int(length) < ADVISORY_MIN_LENGTH:
        errors.append((name("min_length"), f"is {length}; the advisory's minimum is {ADVISORY_MIN_LENGTH} "
                                           "(a ministry may ask more, not less)"))
    source = values.get("update_source")
    if source is not None and source not in UPDATE_SOURCES:
        errors.append((name("update_source"), f"is {source!r}; valid: {', '.join(UPDATE_SOURCES)}"))
    share = values.get("file_share") or ""
    if source == "FileShares" and not UNC.match(share):
        errors.append((name("file_share"),
                       f"must be a UNC path (\\\\server\\share) when the update source is FileShares, not {share!r}"))
    if "profile" in values:
        errors += check_profile(values["profile"] or {}, name("profile"))
    return errors


def check_servers(servers, approved: list, var: str) -> list[tuple[str, str]]:
    """Server names endpoints dial an approved VPN by: each key names an entry of the policy's approved_vpns."""
    if not isinstance(servers, dict):
        return [(var, "must map names of approved_vpns entries to lists of server host names")]
    known = sorted(str(v.get("name")) for v in approved if isinstance(v, dict))
    errors = []
    for name, hosts in servers.items():
        if str(name) not in known:
            errors.append((f"{var}.{name}",
                           f"is not an entry of the policy's approved_vpns ({', '.join(known) or 'none'})"))
        for i, host in enumerate(hosts if isinstance(hosts, list) else [hosts]):
            if not isinstance(host, str) or not HOST_NAME.match(host):
                errors.append((f"{var}.{name}[{i}]", f"must be a DNS name or an IP address, not {host!r}"))
    return errors


def check_profile(profile: dict, path: str) -> list[tuple[str, str]]:
    """An EDR profile is data sent to every host: its values are held to what Windows accepts there."""
    errors = []
    for key in ("name", "msi", "product_code", "service"):
        if not isinstance(profile.get(key), str) or not profile.get(key):
            errors.append((f"{path}.{key}", "is required (a non-empty string)"))
    if profile.get("product_code") and not GUID.match(str(profile["product_code"])):
        errors.append((f"{path}.product_code", "must be an MSI product code like {8-4-4-4-12 hex digits in braces}"))
    if profile.get("service") and not SERVICE_NAME.match(str(profile["service"])):
        errors.append((f"{path}.service", "must be a service name (letters, digits, space, _ . -)"))
    if profile.get("msi") and not (UNC.match(str(profile["msi"])) or re.match(r"^[A-Za-z]:\\[^\r\n'\"`$]+$",
                                                                                  str(profile["msi"]))):
        errors.append((f"{path}.msi", "must be a UNC path on the ministry's internal share or a local path"))
    for i, prop in enumerate(profile.get("properties") or []):
        if not isinstance(prop, str) or not MSI_PROPERTY.match(prop):
            errors.append((f"{path}.properties[{i}]", "must be PROPERTY=value (upper-case name, no double quotes)"))
    if profile.get("enrolment_key") and not REGISTRY_KEY.match(str(profile["enrolment_key"])):
        errors.append((f"{path}.enrolment_key", "must be a registry path under HKLM:\\"))
    if profile.get("enrolment_key") and not VALUE_NAME.match(str(profile.get("enrolment_value") or "")):
        errors.append((f"{path}.enrolment_value", "must name the registry value that holds the enrolment"))
    return errors


def defining_file(inventory_dir: str | None, variable: str, host: str, groups: list[str]) -> str:
    """Which inventory file sets ``variable`` for ``host`` (host_vars first, then its groups), else role defaults."""
    if inventory_dir:
        root = Path(inventory_dir)
        candidates = [root / "host_vars" / host] + [root / "group_vars" / g for g in reversed(groups)]
        for base in candidates:
            for path in _vars_files(base):
                if re.search(rf"^{re.escape(variable)}\s*:", path.read_text(encoding="utf-8", errors="replace"), re.M):
                    return _shown(path)
    return "the role's defaults, the play or --extra-vars"


def _vars_files(base: Path) -> list[Path]:
    files = [base.with_suffix(s) for s in (".yml", ".yaml")] + ([base] if base.is_file() else [])
    if base.is_dir():
        files += sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml", ""))
    return [p for p in files if p.is_file()]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
