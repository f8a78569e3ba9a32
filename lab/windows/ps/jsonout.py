"""``ConvertTo-Json`` and ``ConvertFrom-Json`` as Windows PowerShell 5.1 does them.

5.1 serialises with .NET's JavaScriptSerializer: ``'``, ``<``, ``>`` and ``&`` are written as
``\\u0027``-style escapes, a DateTime as ``"\\/Date(<ms since 1970>)\\/"``, an object deeper than
``-Depth`` as its string, and the indented form puts two spaces after each colon.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from lab.windows.ps.values import CaseInsensitiveDict, Hashtable, PSObject, Switch, is_list, to_str

_ESCAPES = {"'": "\\u0027", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    for char, escape in _ESCAPES.items():
        encoded = encoded.replace(char, escape)
    return encoded


def _scalar(value) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool | Switch):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return '"\\/Date(' + str(int(moment.timestamp() * 1000)) + ')\\/"'
    return None


def _timespan(value: timedelta) -> PSObject:
    total = value.total_seconds()
    return PSObject({"Ticks": int(total * 10_000_000), "Days": value.days, "Hours": value.seconds // 3600,
                     "Milliseconds": value.microseconds // 1000, "Minutes": (value.seconds // 60) % 60,
                     "Seconds": value.seconds % 60, "TotalDays": total / 86400, "TotalHours": total / 3600,
                     "TotalMilliseconds": total * 1000, "TotalMinutes": total / 60, "TotalSeconds": total})


def convert_to_json(value, depth: int = 2, compress: bool = False) -> str:
    def render(item, level: int, indent: int) -> str:
        scalar = _scalar(item)
        if scalar is not None:
            return scalar
        if isinstance(item, timedelta):
            item = _timespan(item)
        if level > depth:
            return _string(to_str(item))
        pad, inner = " " * indent, " " * (indent + 4)
        if is_list(item):
            parts = [render(v, level + 1, indent + 4) for v in item]
            if compress:
                return "[" + ",".join(parts) + "]"
            if not parts:
                return "[\r\n\r\n" + pad + "]"
            return "[\r\n" + ",\r\n".join(inner + p for p in parts) + "\r\n" + pad + "]"
        if isinstance(item, CaseInsensitiveDict):
            entries = [(str(k), v) for k, v in item.items() if not str(k).startswith("__")]
            if compress:
                return "{" + ",".join(f"{_string(k)}:{render(v, level + 1, indent)}" for k, v in entries) + "}"
            if not entries:
                return "{\r\n\r\n" + pad + "}"
            body = ",\r\n".join(f"{inner}{_string(k)}:  {render(v, level + 1, indent + 4)}" for k, v in entries)
            return "{\r\n" + body + "\r\n" + pad + "}"
        return _string(to_str(item))

    return render(value, 0, 0)


def convert_from_json(text: str):
    def hook(pairs):
        return PSObject(pairs)

    data = json.loads(text, object_pairs_hook=hook)

    def fix(item):
        if isinstance(item, list):
            return [fix(v) for v in item]
        if isinstance(item, PSObject):
            for key, val in item.items():
                item[key] = fix(val)
        return item

    return fix(data)


__all__ = ["Hashtable", "convert_from_json", "convert_to_json"]
