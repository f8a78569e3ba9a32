"""Argument specs of the Windows modules: one place, read by the action plugins that run them on the controller
and checked against each module's DOCUMENTATION by a unit test."""

from __future__ import annotations

COMMON = {
    "gathered": {"type": "dict", "required": False},
    "command_timeout": {"type": "int", "default": 300},
}
SPECS = {
    "win_endpoint_audit": {
        "edr_profile": {"type": "dict", "required": False, "no_log": False},
        "command_timeout": {"type": "int", "default": 300},
    },
    "win_endpoint_settings": {
        "settings": {"type": "dict", "required": True},
    },
    "win_vpn_adapters": COMMON | {
        "approved_vpns": {"type": "list", "elements": "dict", "default": []},
        "adapter_patterns": {"type": "list", "elements": "dict", "required": False},
        "extra_adapter_patterns": {"type": "list", "elements": "dict", "default": []},
        "approved_servers": {"type": "dict", "default": {}},
        "approved_adapters": {"type": "list", "elements": "str", "default": []},
        "software_patterns": {"type": "list", "elements": "str", "required": False},
        "approved_software": {"type": "list", "elements": "str", "default": []},
        "uninstall_software": {"type": "bool", "default": False},
    },
    "win_password_policy": COMMON | {
        "min_length": {"type": "int", "default": 14},
        "complexity": {"type": "bool", "default": True},
        "history": {"type": "int", "default": 24},
        "max_age_days": {"type": "int", "default": 90},
        "min_age_days": {"type": "int", "default": 1},
        "lockout_threshold": {"type": "int", "default": 5},
        "lockout_duration_minutes": {"type": "int", "default": 15},
        "lockout_reset_minutes": {"type": "int", "default": 15},
    },
    "win_defender": COMMON | {
        "max_signature_age_hours": {"type": "int", "default": 24},
        "update_source": {"type": "str", "default": "FileShares",
                          "choices": ["FileShares", "InternalDefinitionUpdateServer", "MicrosoftUpdateServer", "MMPC"]},
        "file_share": {"type": "str", "default": ""},
    },
    "win_edr_agent": COMMON | {
        "profile": {"type": "dict", "required": True, "options": {
            "name": {"type": "str", "required": True},
            "msi": {"type": "str", "required": True},
            "product_code": {"type": "str", "required": True},
            "service": {"type": "str", "required": True},
            "properties": {"type": "list", "elements": "str", "default": [], "no_log": True},
            "enrolment_key": {"type": "str", "default": ""},
            "enrolment_value": {"type": "str", "default": ""},
        }},
    },
}
