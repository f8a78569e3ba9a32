"""PowerShell values as the simulator holds them, and PowerShell's rules for converting and comparing.

Python types stand for .NET ones: ``None`` is ``$null``, ``bool``, ``int``, ``float``, ``str``,
``list`` (an array), ``datetime`` / ``timedelta`` (DateTime / TimeSpan), ``PSObject`` (a
``[pscustomobject]`` or a cmdlet's output object) and ``Hashtable`` (``@{}`` and ``[ordered]@{}``).
Property names are case-insensitive, as in PowerShell.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta


class PSRuntimeError(Exception):
    """A PowerShell error: message, category and the id PowerShell prints as FullyQualifiedErrorId."""

    def __init__(self, message: str, *, category: str = "NotSpecified", error_id: str = "RuntimeException",
                 target: str = "", exception: str = "RuntimeException", command: str = "",
                 statement_terminating: bool = True, thrown: object = None):
        super().__init__(message)
        self.message = message
        self.category = category
        self.error_id = error_id
        self.target = target
        self.exception = exception
        self.command = command
        self.statement_terminating = statement_terminating
        self.thrown = thrown
        self.position: tuple[int, int, str, int] | None = None  # line, column, line text, width


class CaseInsensitiveDict:
    """Ordered, case-insensitive mapping (property bags and hashtables)."""

    def __init__(self, items=None):
        self._data: dict[str, tuple[str, object]] = {}
        for key, value in (items or {}).items() if isinstance(items, dict) else (items or []):
            self[key] = value

    def __getitem__(self, key):
        return self._data[str(key).lower()][1]

    def __setitem__(self, key, value):
        lower = str(key).lower()
        name = self._data[lower][0] if lower in self._data else key
        self._data[lower] = (name, value)

    def __delitem__(self, key):
        del self._data[str(key).lower()]

    def __contains__(self, key):
        return str(key).lower() in self._data

    def __len__(self):
        return len(self._data)

    def get(self, key, default=None):
        entry = self._data.get(str(key).lower())
        return default if entry is None else entry[1]

    def keys(self):
        return [name for name, _ in self._data.values()]

    def values(self):
        return [value for _, value in self._data.values()]

    def items(self):
        return list(self._data.values())


class PSObject(CaseInsensitiveDict):
    """An object with note properties; ``type_name`` is what ``.GetType()``/formatting would show."""

    def __init__(self, items=None, type_name: str = "System.Management.Automation.PSCustomObject"):
        super().__init__(items)
        self.type_name = type_name

    def __repr__(self):
        return f"PSObject({self.type_name}, {dict(self.items())!r})"


class Hashtable(CaseInsensitiveDict):
    def __init__(self, items=None, ordered: bool = False):
        super().__init__(items)
        self.ordered = ordered


class ScriptBlock:
    def __init__(self, node, interpreter, text: str):
        self.node = node
        self.interpreter = interpreter
        self.text = text

    def __str__(self):
        return self.text


class Switch:
    """The value of a switch parameter (``-Force``, ``-Confirm:$false``)."""

    def __init__(self, present: bool = True):
        self.present = present

    def __bool__(self):
        return self.present


def is_list(value) -> bool:
    return isinstance(value, list | tuple)


def as_list(value) -> list:
    """Enumerate a value as the pipeline does: arrays unroll, ``$null`` is nothing."""
    if value is None:
        return []
    return list(value) if is_list(value) else [value]


def collapse(items: list):
    """A pipeline's output as a value: nothing is ``$null``, one object is itself, more are an array."""
    if not items:
        return None
    return items[0] if len(items) == 1 else list(items)


def to_bool(value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool | Switch):
        return bool(value)
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value != ""
    if is_list(value):
        return False if not value else (to_bool(value[0]) if len(value) == 1 else True)
    return True


def type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, PSObject):
        return value.type_name
    return {bool: "System.Boolean", int: "System.Int32", float: "System.Double", str: "System.String",
            list: "System.Object[]", Hashtable: "System.Collections.Hashtable", datetime: "System.DateTime",
            timedelta: "System.TimeSpan"}.get(type(value), "System.Object")


def to_str(value) -> str:
    """PowerShell's string conversion (as in ``"$x"``): arrays join with spaces, ``$null`` is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, timedelta):
        return _timespan_text(value)
    if is_list(value):
        return " ".join(to_str(v) for v in value)
    if isinstance(value, Hashtable):
        return "System.Collections.Specialized.OrderedDictionary" if value.ordered else "System.Collections.Hashtable"
    if isinstance(value, PSObject):
        if "__tostring" in value:
            return str(value["__tostring"])
        if value.type_name != "System.Management.Automation.PSCustomObject":
            return value.type_name
        return "@{" + "; ".join(f"{k}={to_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Switch):
        return "True" if value else "False"
    return str(value)


def _timespan_text(span: timedelta) -> str:
    total = int(span.total_seconds())
    days, rest = divmod(abs(total), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    sign = "-" if total < 0 else ""
    return f"{sign}{days}.{hours:02d}:{minutes:02d}:{seconds:02d}" if days else \
        f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"


_NUMBER = re.compile(r"^\s*([+-]?(?:0x[0-9a-f]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?))\s*$", re.I)


def to_number(value, *, what: str = "System.Int32"):
    """Numeric conversion; a string that is not a number fails as PowerShell's conversion does."""
    if value is None:
        return 0
    if isinstance(value, bool | Switch):
        return int(bool(value))
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if value.strip() == "":
            return 0
        match = _NUMBER.match(value)
        if match:
            text = match.group(1).lower()
            if "0x" in text:
                return int(text, 16)
            number = float(text)
            return int(number) if number.is_integer() and not re.search(r"[.e]", text) else number
    if is_list(value) and len(value) == 1:
        return to_number(value[0], what=what)
    raise PSRuntimeError(
        f'Cannot convert value "{to_str(value)}" to type "{what}". Error: "Input string was not in a correct format."',
        category="InvalidArgument", error_id="InvalidCastFromStringToInteger", exception="RuntimeException")


def to_int(value) -> int:
    number = to_number(value)
    if isinstance(number, float):
        # .NET rounds half to even when converting to an integer
        return round(number)
    return number


def numeric_result(value: float):
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**63 else value


def like_pattern(pattern: str) -> re.Pattern:
    """A ``-like`` wildcard (``*``, ``?``, ``[a-z]``, backtick escapes) as a regular expression."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "`" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            end = pattern.find("]", i)
            if end == -1:
                out.append(re.escape(char))
            else:
                out.append("[" + pattern[i + 1:end].replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.S)


def compare_equal(left, right, case_sensitive: bool = False) -> bool:
    """``-eq`` for scalars: the right side is converted to the left side's type."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, str):
        right_text = to_str(right)
        return left == right_text if case_sensitive else left.lower() == right_text.lower()
    if isinstance(left, bool):
        return left == to_bool(right)
    if isinstance(left, int | float):
        try:
            return left == to_number(right)
        except PSRuntimeError:
            return False
    if isinstance(left, datetime) and isinstance(right, datetime):
        return left == right
    return left is right


def compare_order(left, right, case_sensitive: bool = False) -> int:
    """-1/0/1 as ``-lt``/``-gt`` see it: strings compare as text, numbers as numbers."""
    if isinstance(left, str):
        a, b = left, to_str(right)
        if not case_sensitive:
            a, b = a.lower(), b.lower()
        return (a > b) - (a < b)
    if left is None:
        return 0 if right is None else -1
    if isinstance(left, datetime | timedelta):
        if not isinstance(right, type(left)):
            raise PSRuntimeError(f"Could not compare \"{to_str(left)}\" to \"{to_str(right)}\".",
                                 category="InvalidOperation", error_id="ComparisonFailure")
        if isinstance(left, datetime):
            right = right.replace(tzinfo=left.tzinfo)
        return (left > right) - (left < right)
    a, b = to_number(left), to_number(right)
    return (a > b) - (a < b)


def is_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)
