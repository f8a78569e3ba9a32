"""PowerShell operators, casts, literals and string escapes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from lab.windows.ps.values import (
    Hashtable,
    PSObject,
    PSRuntimeError,
    as_list,
    compare_equal,
    compare_order,
    is_list,
    like_pattern,
    numeric_result,
    to_bool,
    to_int,
    to_number,
    to_str,
    type_name,
)


class PSType:
    """A type literal such as ``[string]`` or ``[datetime]`` used as a value."""

    def __init__(self, text: str):
        self.text = text
        self.name = text.strip().strip("[]").strip()

    @property
    def key(self) -> str:
        name = self.name.lower()
        return name[7:] if name.startswith("system.") else name

    def __str__(self):
        return self.name


_SUFFIXES = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4, "pb": 1024**5}


def parse_integer(text: str):
    lower = text.lower()
    multiplier = 1
    for suffix, factor in _SUFFIXES.items():
        if lower.endswith(suffix):
            multiplier, lower = factor, lower[: -len(suffix)]
    lower = lower.rstrip("l").rstrip("d")
    return (int(lower, 16) if lower.startswith("0x") else int(lower)) * multiplier


def parse_real(text: str):
    lower = text.lower().rstrip("d")
    multiplier = 1
    for suffix, factor in _SUFFIXES.items():
        if lower.endswith(suffix):
            multiplier, lower = factor, lower[: -len(suffix)]
    return float(lower) * multiplier


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "e": "\x1b"}


def unescape(text: str, doubled_quotes: bool = False) -> str:
    """Backtick escapes of a double-quoted string (`` `n ``, `` `t ``, `` `$ ``, ...) and ``""``."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "`" and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        if doubled_quotes and char == '"' and text[i + 1:i + 2] == '"':
            out.append('"')
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def make_range(start: int, end: int) -> list[int]:
    step = 1 if end >= start else -1
    return list(range(start, end + step, step))


def index(owner, key):
    if owner is None:
        raise PSRuntimeError("Cannot index into a null array.", category="InvalidOperation", error_id="NullArray")
    if isinstance(owner, Hashtable | PSObject):
        if is_list(key):
            return [owner.get(to_str(k)) for k in key]
        return owner.get(to_str(key))
    if is_list(key):
        return [index(owner, k) for k in key]
    if isinstance(owner, str | list | tuple):
        position = to_int(key)
        try:
            return owner[position]
        except IndexError:
            return None
    if position_ok(key):
        return owner if to_int(key) in (0, -1) else None
    return None


def position_ok(key) -> bool:
    try:
        to_int(key)
        return True
    except PSRuntimeError:
        return False


def unary(operator: str, operand):
    if operator in ("-not", "!"):
        return not to_bool(operand)
    if operator == "-":
        return numeric_result(-to_number(operand))
    if operator == "+":
        return to_number(operand)
    if operator == ",":
        return [operand]
    if operator == "-join":
        return "".join(to_str(v) for v in as_list(operand))
    if operator == "-split":
        return re.split(r"\s+", to_str(operand).strip())
    if operator == "-bnot":
        return ~to_int(operand)
    raise PSRuntimeError(f"The lab simulator does not implement the unary operator '{operator}'.",
                         error_id="SimulatorUnsupported")


def _case(operator: str) -> tuple[str, bool]:
    """``-ceq`` → (``-eq``, case-sensitive); ``-ieq`` → (``-eq``, insensitive)."""
    if re.fullmatch(r"-c[a-z]+", operator) and operator not in ("-contains",):
        return "-" + operator[2:], True
    if re.fullmatch(r"-i[a-z]+", operator) and operator not in ("-in", "-is", "-isnot"):
        return "-" + operator[2:], False
    return operator, False


def _filter_or_scalar(left, test):
    """Comparison operators filter an array on the left, and answer True/False for a scalar."""
    if is_list(left):
        return [item for item in left if test(item)]
    return test(left)


def binary(operator: str, left, right, interpreter=None):
    operator, case_sensitive = _case(operator.lower())
    if operator in ("+", "-", "*", "/", "%"):
        return arithmetic(operator, left, right)
    if operator == "-eq":
        return _filter_or_scalar(left, lambda v: compare_equal(v, right, case_sensitive))
    if operator == "-ne":
        return _filter_or_scalar(left, lambda v: not compare_equal(v, right, case_sensitive))
    if operator in ("-gt", "-ge", "-lt", "-le"):
        check = {"-gt": lambda c: c > 0, "-ge": lambda c: c >= 0, "-lt": lambda c: c < 0, "-le": lambda c: c <= 0}
        return _filter_or_scalar(left, lambda v: check[operator](compare_order(v, right, case_sensitive)))
    if operator in ("-like", "-notlike"):
        pattern = like_pattern(to_str(right)) if case_sensitive else re.compile(like_pattern(to_str(right)).pattern,
                                                                                 re.I | re.S)
        positive = operator == "-like"
        return _filter_or_scalar(left, lambda v: bool(pattern.match(to_str(v))) == positive)
    if operator in ("-match", "-notmatch"):
        regex = compile_regex(to_str(right), case_sensitive)
        positive = operator == "-match"
        if is_list(left):
            return [v for v in left if bool(regex.search(to_str(v))) == positive]
        found = regex.search(to_str(left))
        if found and interpreter is not None:
            matches = Hashtable({"0": found.group(0)})
            for position, group in enumerate(found.groups(), start=1):
                if group is not None:
                    matches[str(position)] = group
            for group_name, group in found.groupdict().items():
                if group is not None:
                    matches[group_name] = group
            interpreter.set_var("Matches", matches)
        return bool(found) == positive
    if operator in ("-contains", "-notcontains"):
        found = any(compare_equal(v, right, case_sensitive) for v in as_list(left))
        return found == (operator == "-contains")
    if operator in ("-in", "-notin"):
        found = any(compare_equal(v, left, case_sensitive) for v in as_list(right))
        return found == (operator == "-in")
    if operator == "-replace":
        pattern, replacement = [*as_list(right), ""][:2]
        regex = compile_regex(to_str(pattern), case_sensitive)
        substitute = re.sub(r"\$(\d+)", r"\\g<\1>", to_str(replacement))
        return _filter_or_scalar(left, lambda v: regex.sub(substitute, to_str(v))) if not is_list(left) else \
            [regex.sub(substitute, to_str(v)) for v in left]
    if operator == "-split":
        regex = compile_regex(to_str(right), case_sensitive)
        return [part for v in as_list(left) for part in regex.split(to_str(v))]
    if operator == "-join":
        return to_str(right).join(to_str(v) for v in as_list(left))
    if operator in ("-is", "-isnot"):
        matches = is_type(left, right)
        return matches if operator == "-is" else not matches
    if operator == "-as":
        try:
            return cast(to_str(right) if not isinstance(right, PSType) else right.text, left)
        except PSRuntimeError:
            return None
    if operator == "-f":
        return format_string(to_str(left), as_list(right))
    if operator == "..":
        return make_range(to_int(left), to_int(right))
    if operator == "-xor":
        return to_bool(left) != to_bool(right)
    if operator in ("-band", "-bor", "-bxor"):
        a, b = to_int(left), to_int(right)
        return {"-band": a & b, "-bor": a | b, "-bxor": a ^ b}[operator]
    raise PSRuntimeError(f"The lab simulator does not implement the operator '{operator}'.",
                         error_id="SimulatorUnsupported")


def compile_regex(pattern: str, case_sensitive: bool) -> re.Pattern:
    # .NET named groups (?<name>...) are Python's (?P<name>...)
    python_pattern = re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pattern)
    try:
        return re.compile(python_pattern, 0 if case_sensitive else re.I)
    except re.error as error:
        raise PSRuntimeError(f'The regular expression pattern {pattern} is not valid.',
                             category="InvalidOperation", error_id="InvalidRegularExpression") from error


def arithmetic(operator: str, left, right):
    if operator == "+":
        if left is None:
            return right
        if isinstance(left, str):
            return left + to_str(right)
        if is_list(left):
            return list(left) + as_list(right)
        if isinstance(left, Hashtable) and isinstance(right, Hashtable):
            merged = Hashtable(left.items(), ordered=left.ordered)
            for key, value in right.items():
                if key in merged:
                    raise PSRuntimeError(f"Item has already been added. Key in dictionary: '{key}'  Key being "
                                         f"added: '{key}'", category="InvalidOperation", error_id="RuntimeException")
                merged[key] = value
            return merged
        if isinstance(left, datetime) and isinstance(right, timedelta):
            return left + right
    if operator == "-" and isinstance(left, datetime):
        return left - (right.replace(tzinfo=left.tzinfo) if isinstance(right, datetime) else right)
    if operator == "*" and isinstance(left, str):
        return left * to_int(right)
    a, b = to_number(left), to_number(right)
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if b == 0:
        raise PSRuntimeError("Attempted to divide by zero.", category="NotSpecified",
                             error_id="RuntimeException", exception="DivideByZeroException")
    if operator == "/":
        return numeric_result(a / b) if isinstance(a, int) and isinstance(b, int) else a / b
    return a % b


def format_string(template: str, args: list) -> str:
    def replace(match: re.Match) -> str:
        position = int(match.group(1))
        spec = match.group(2) or ""
        value = args[position] if position < len(args) else None
        if spec.lower().startswith("n") and isinstance(value, int | float):
            digits = int(spec[1:] or 2)
            return f"{value:,.{digits}f}"
        if spec.lower().startswith("d") and isinstance(value, int):
            return str(value).zfill(int(spec[1:] or 0))
        return to_str(value)

    return re.sub(r"\{(\d+)(?::([^}]*))?\}", replace, template.replace("{{", "\0").replace("}}", "\1")) \
        .replace("\0", "{").replace("\1", "}")


_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "int32": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "int64": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "double": lambda v: isinstance(v, float),
    "bool": lambda v: isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": is_list,
    "object[]": is_list,
    "hashtable": lambda v: isinstance(v, Hashtable),
    "collections.hashtable": lambda v: isinstance(v, Hashtable),
    "datetime": lambda v: isinstance(v, datetime),
    "timespan": lambda v: isinstance(v, timedelta),
    "pscustomobject": lambda v: isinstance(v, PSObject),
    "management.automation.pscustomobject": lambda v: isinstance(v, PSObject),
    "object": lambda v: v is not None,
}


def is_type(value, type_value) -> bool:
    key = type_value.key if isinstance(type_value, PSType) else to_str(type_value).lower()
    check = _TYPE_CHECKS.get(key)
    if check is None:
        return isinstance(value, PSObject) and value.type_name.lower().endswith(key)
    return check(value)


def cast(type_text: str, value):
    key = PSType(type_text).key
    if key in ("string",):
        return to_str(value) if value is not None else ""
    if key in ("int", "int32", "long", "int64", "uint32", "uint64", "byte", "int16", "uint16"):
        return to_int(value)
    if key in ("double", "float", "single", "decimal"):
        return float(to_number(value))
    if key in ("bool", "boolean"):
        return to_bool(value)
    if key in ("array", "object[]", "string[]", "int[]"):
        items = as_list(value)
        if key == "string[]":
            return [to_str(v) for v in items]
        if key == "int[]":
            return [to_int(v) for v in items]
        return items
    if key in ("pscustomobject", "psobject", "management.automation.pscustomobject"):
        if isinstance(value, Hashtable):
            return PSObject(value.items())
        return value
    if key in ("hashtable", "collections.hashtable") and isinstance(value, Hashtable):
        return value
    if key == "ordered" and isinstance(value, Hashtable):
        value.ordered = True
        return value
    if key == "datetime":
        if isinstance(value, datetime):
            return value
        return parse_datetime(to_str(value))
    if key == "timespan" and isinstance(value, timedelta):
        return value
    if key == "void":
        return None
    if key in ("object", "psobject"):
        return value
    if key == "version":
        return to_str(value)
    if key in _TYPE_CHECKS:
        raise PSRuntimeError(f'Cannot convert value "{to_str(value)}" of type "{type_name(value)}" to type '
                             f'"System.{PSType(type_text).name}".', category="InvalidArgument",
                             error_id="ConvertToFinalInvalidCastException")
    raise PSRuntimeError(f"Unable to find type [{PSType(type_text).name}].", category="InvalidOperation",
                         error_id="TypeNotFound", target=PSType(type_text).name)


def parse_datetime(text: str) -> datetime:
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S",
                    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.replace("Z", "+0000"), pattern)
        except ValueError:
            continue
    raise PSRuntimeError(f'Cannot convert value "{text}" to type "System.DateTime". Error: "String was not '
                         f'recognized as a valid DateTime."', category="InvalidArgument",
                         error_id="InvalidCastParseTargetInvocationWithFormatProvider")
