"""Properties and .NET methods the simulator knows: strings, arrays, hashtables, DateTime, TimeSpan,
and the static members scripts commonly use (``[datetime]::UtcNow``, ``[string]::IsNullOrEmpty``,
``[math]::Round``, ``[regex]::Escape``, ``[IO.Path]::Combine``, ``[Environment]::MachineName``)."""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import UTC, datetime, timedelta

from lab.windows.ps.operators import PSType, compile_regex, format_string, parse_datetime
from lab.windows.ps.values import (
    CaseInsensitiveDict,
    Hashtable,
    PSObject,
    PSRuntimeError,
    ScriptBlock,
    as_list,
    compare_equal,
    is_list,
    to_int,
    to_number,
    to_str,
    type_name,
)

# A clock the host model can move (a lab endpoint's "now"); tests set it through the host state.
CLOCK = {"now": None}


def now() -> datetime:
    return CLOCK["now"] or datetime.now(UTC).replace(tzinfo=None)


class Encoding:
    """``[System.Text.Encoding]::UTF8`` and friends."""

    def __init__(self, codec: str):
        self.codec = codec


def _psobject_view(owner) -> PSObject:
    """``$x.PSObject``: its ``Properties`` (Name/Value pairs) as PowerShell's reflection shows them."""
    pairs = [(k, v) for k, v in owner.items() if not str(k).startswith("__")] \
        if isinstance(owner, CaseInsensitiveDict) else []
    properties = [PSObject({"Name": k, "Value": v, "MemberType": "NoteProperty", "IsSettable": True}) for k, v in pairs]
    return PSObject({"Properties": properties, "TypeNames": [type_name(owner)]})


def get_member(owner, name: str):
    lower = name.lower()
    if owner is None:
        return None
    if lower == "psobject":
        return _psobject_view(owner)
    if isinstance(owner, bytes):
        return len(owner) if lower in ("length", "count") else None
    if isinstance(owner, CaseInsensitiveDict):
        if lower.startswith("__"):
            return None
        if name in owner:
            return owner[name]
        if isinstance(owner, Hashtable):
            special = {"count": lambda: len(owner), "keys": lambda: owner.keys(), "values": lambda: owner.values()}
            return special[lower]() if lower in special else None
        if lower in ("count", "length"):
            return 1
        return None
    if is_list(owner):
        if lower in ("count", "length"):
            return len(owner)
        members = [get_member(item, name) for item in owner]
        return [value for member in members for value in as_list(member)]
    if isinstance(owner, str):
        return len(owner) if lower == "length" else (1 if lower == "count" else None)
    if isinstance(owner, datetime):
        return _datetime_member(owner, lower)
    if isinstance(owner, timedelta):
        return _timespan_member(owner, lower)
    if lower in ("count", "length"):
        return 1
    return None


def _datetime_member(moment: datetime, lower: str):
    members = {"year": moment.year, "month": moment.month, "day": moment.day, "hour": moment.hour,
               "minute": moment.minute, "second": moment.second, "date": moment.replace(hour=0, minute=0, second=0,
                                                                                       microsecond=0),
               "dayofweek": moment.strftime("%A"), "ticks": int((moment - datetime(1, 1, 1)).total_seconds() * 1e7)
               if moment.tzinfo is None else 0, "kind": "Utc" if moment.tzinfo else "Unspecified"}
    return members.get(lower)


def _timespan_member(span: timedelta, lower: str):
    total = span.total_seconds()
    members = {"days": int(total / 86400), "hours": int(total / 3600) % 24, "minutes": int(total / 60) % 60,
               "seconds": int(total) % 60, "totaldays": total / 86400, "totalhours": total / 3600,
               "totalminutes": total / 60, "totalseconds": total, "totalmilliseconds": total * 1000,
               "ticks": int(total * 1e7)}
    return members.get(lower)


def set_member(owner, name: str, value) -> None:
    if isinstance(owner, Hashtable):
        owner[name] = value
        return
    if isinstance(owner, PSObject):
        if name not in owner:
            raise PSRuntimeError(f"The property '{name}' cannot be found on this object. Verify that the property "
                                 f"exists and can be set.", category="InvalidOperation", error_id="PropertyNotFound")
        owner[name] = value
        return
    raise PSRuntimeError(f"The property '{name}' cannot be found on this object. Verify that the property exists "
                         f"and can be set.", category="InvalidOperation", error_id="PropertyNotFound")


def _no_method(owner, name: str):
    return PSRuntimeError(f"Method invocation failed because [{type_name(owner)}] does not contain a method "
                          f"named '{name}'.", category="InvalidOperation", error_id="MethodNotFound")


def call_method(interpreter, owner, name: str, args: list):
    lower = name.lower()
    if owner is None:
        raise PSRuntimeError("You cannot call a method on a null-valued expression.", category="InvalidOperation",
                             error_id="InvokeMethodOnNull")
    if lower == "tostring" and not isinstance(owner, datetime | int | float):
        return to_str(owner)
    if lower == "gettype":
        return PSObject({"Name": type_name(owner).split(".")[-1], "FullName": type_name(owner)},
                        type_name="System.RuntimeType")
    if isinstance(owner, PSObject) and "__methods" in owner and lower in owner["__methods"]:
        return owner["__methods"][lower](*args)  # a .NET object's methods (RegistryKey.GetValue, ...)
    if isinstance(owner, str):
        return _string_method(owner, lower, name, args)
    if isinstance(owner, Hashtable):
        return _hashtable_method(owner, lower, name, args)
    if is_list(owner):
        if lower == "contains":
            return any(compare_equal(v, args[0]) for v in owner)
        if lower == "indexof":
            return next((i for i, v in enumerate(owner) if compare_equal(v, args[0])), -1)
        if lower == "add" and isinstance(owner, list):
            raise PSRuntimeError('Exception calling "Add" with "1" argument(s): "Collection was of a fixed size."',
                                 category="NotSpecified", error_id="NotSupportedException")
        if lower in ("where", "foreach") and args and isinstance(args[0], ScriptBlock):
            block = args[0]
            results = []
            for item in owner:
                out = interpreter.call_block(block, [], None, dollar_under=item, new_scope=False)
                if lower == "where":
                    from lab.windows.ps.values import collapse, to_bool

                    if to_bool(collapse(out)):
                        results.append(item)
                else:
                    results.extend(out)
            return results
    if isinstance(owner, datetime):
        return _datetime_method(owner, lower, name, args)
    if isinstance(owner, int | float) and lower == "tostring":
        return _number_to_string(owner, args)
    if isinstance(owner, Encoding):
        if lower == "getstring":
            return bytes(args[0]).decode(owner.codec, "replace")
        if lower == "getbytes":
            return to_str(args[0]).encode(owner.codec)
    if isinstance(owner, ScriptBlock) and lower == "invoke":
        from lab.windows.ps.values import collapse

        return collapse(interpreter.call_block(owner, args))
    raise _no_method(owner, name)


def _number_to_string(number, args: list) -> str:
    if not args:
        return to_str(number)
    return format_string("{0:" + to_str(args[0]) + "}", [number])


def _string_method(text: str, lower: str, name: str, args: list):
    arg = [to_str(a) for a in args]
    simple = {
        "tolower": lambda: text.lower(), "toupper": lambda: text.upper(), "tolowerinvariant": lambda: text.lower(),
        "toupperinvariant": lambda: text.upper(), "trim": lambda: text.strip(arg[0] if arg else None),
        "trimstart": lambda: text.lstrip(arg[0] if arg else None),
        "trimend": lambda: text.rstrip(arg[0] if arg else None),
        "startswith": lambda: text.lower().startswith(arg[0].lower()) if len(arg) > 1 else text.startswith(arg[0]),
        "endswith": lambda: text.lower().endswith(arg[0].lower()) if len(arg) > 1 else text.endswith(arg[0]),
        "contains": lambda: arg[0] in text, "indexof": lambda: text.find(arg[0]),
        "replace": lambda: text.replace(arg[0], arg[1]),
        "substring": lambda: text[to_int(args[0]):] if len(args) == 1 else
        text[to_int(args[0]):to_int(args[0]) + to_int(args[1])],
        "split": lambda: _split(text, args),
        "padleft": lambda: text.rjust(to_int(args[0]), arg[1] if len(arg) > 1 else " "),
        "padright": lambda: text.ljust(to_int(args[0]), arg[1] if len(arg) > 1 else " "),
        "equals": lambda: text == arg[0], "normalize": lambda: text,
    }
    if lower in simple:
        try:
            return simple[lower]()
        except IndexError as error:
            raise PSRuntimeError(f'Cannot find an overload for "{name}" and the argument count: "{len(args)}".',
                                 category="NotSpecified", error_id="MethodCountCouldNotFindBest") from error
    raise _no_method(text, name)


def _split(text: str, args: list) -> list[str]:
    if not args:
        return text.split()
    separators = [to_str(s) for s in as_list(args[0])]
    chars = [c for s in separators for c in s] if len(separators) == 1 else separators
    pattern = "|".join(re.escape(c) for c in chars)
    return re.split(pattern, text)


def _hashtable_method(table: Hashtable, lower: str, name: str, args: list):
    if lower in ("containskey", "contains"):
        return to_str(args[0]) in table
    if lower == "add":
        key = to_str(args[0])
        if key in table:
            raise PSRuntimeError(f'Exception calling "Add" with "2" argument(s): "Item has already been added. Key '
                                 f"in dictionary: '{key}'  Key being added: '{key}'\"", error_id="ArgumentException")
        table[key] = args[1]
        return None
    if lower == "remove":
        if to_str(args[0]) in table:
            del table[to_str(args[0])]
        return None
    if lower == "containsvalue":
        return any(compare_equal(v, args[0]) for v in table.values())
    raise _no_method(table, name)


def _datetime_method(moment: datetime, lower: str, name: str, args: list):
    units = {"adddays": "days", "addhours": "hours", "addminutes": "minutes", "addseconds": "seconds"}
    if lower in units:
        return moment + timedelta(**{units[lower]: float(to_number(args[0]))})
    if lower == "tostring":
        return _format_datetime(moment, to_str(args[0]) if args else "")
    if lower == "touniversaltime":
        return moment.replace(tzinfo=UTC)  # the simulated hosts keep their clocks in UTC
    if lower == "tolocaltime":
        return moment.replace(tzinfo=None)
    if lower == "subtract":
        return moment - args[0]
    if lower == "toshortdatestring":
        return moment.strftime("%m/%d/%Y").lstrip("0")
    raise _no_method(moment, name)


def _format_datetime(moment: datetime, fmt: str) -> str:
    if fmt in ("o", "O"):
        # a DateTime of kind Utc ends in Z, a local one carries the offset (the hosts' zone is UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0" + ("Z" if moment.tzinfo else "+00:00")
    if fmt in ("s",):
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    if fmt in ("u",):
        return moment.strftime("%Y-%m-%d %H:%M:%SZ")
    if not fmt:
        return moment.strftime("%m/%d/%Y %H:%M:%S")
    table = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")]
    out = fmt
    for token, code in table:
        out = out.replace(token, code)
    return moment.strftime(out)


def static_member(owner, name: str, interpreter=None):
    if not isinstance(owner, PSType):
        raise PSRuntimeError(f"Unable to find type [{to_str(owner)}].", category="InvalidOperation",
                             error_id="TypeNotFound")
    key, lower = owner.key, name.lower()
    if key == "datetime" and lower in ("utcnow", "now", "today"):
        moment = now()
        return moment.replace(hour=0, minute=0, second=0, microsecond=0) if lower == "today" else moment
    if key in ("environment",) and lower == "machinename" and interpreter is not None:
        return interpreter.get_var("env:COMPUTERNAME")
    if key in ("environment",) and lower == "newline":
        return "\r\n"
    if key == "text.encoding" and lower in ("utf8", "unicode", "ascii", "default", "bigendianunicode"):
        return Encoding({"utf8": "utf-8", "unicode": "utf-16-le", "ascii": "ascii", "default": "cp1252",
                         "bigendianunicode": "utf-16-be"}[lower])
    if key == "string" and lower == "empty":
        return ""
    if (key == "int32" and lower == "maxvalue") or (key == "int" and lower == "maxvalue"):
        return 2**31 - 1
    raise PSRuntimeError(f"The lab simulator does not know the static member [{owner.name}]::{name}.",
                         category="InvalidOperation", error_id="SimulatorUnsupported")


def call_static(owner, name: str, args: list, interpreter=None):
    if not isinstance(owner, PSType):
        raise PSRuntimeError(f"Unable to find type [{to_str(owner)}].", category="InvalidOperation",
                             error_id="TypeNotFound")
    key, lower = owner.key, name.lower()
    if key == "convert" and lower == "frombase64string":
        try:
            return base64.b64decode(to_str(args[0]), validate=True)
        except (binascii.Error, ValueError) as error:
            raise _method_error(name, args, "The input is not a valid Base-64 string as it contains a non-base 64 "
                                "character, more than two padding characters, or an illegal character among the "
                                "padding characters.", "FormatException") from error
    if key == "convert" and lower == "tobase64string":
        return base64.b64encode(bytes(args[0])).decode("ascii")
    if key == "scriptblock" and lower == "create" and interpreter is not None:
        return create_script_block(interpreter, to_str(args[0]))
    if key == "string":
        if lower == "isnullorempty":
            return args[0] is None or to_str(args[0]) == ""
        if lower == "isnullorwhitespace":
            return args[0] is None or to_str(args[0]).strip() == ""
        if lower == "join":
            return to_str(args[0]).join(to_str(v) for v in (as_list(args[1]) if len(args) == 2 else args[1:]))
        if lower == "format":
            return format_string(to_str(args[0]), args[1:])
    if key == "math":
        numbers = [to_number(a) for a in args]
        functions = {"round": lambda: round(numbers[0], int(numbers[1]) if len(numbers) > 1 else None),
                     "floor": lambda: math.floor(numbers[0]), "ceiling": lambda: math.ceil(numbers[0]),
                     "max": lambda: max(numbers), "min": lambda: min(numbers), "abs": lambda: abs(numbers[0]),
                     "truncate": lambda: math.trunc(numbers[0])}
        if lower in functions:
            result = functions[lower]()
            return float(result) if lower in ("round", "floor", "ceiling", "truncate") and len(numbers) < 2 \
                and isinstance(numbers[0], float) else result
    if key == "regex":
        if lower == "escape":
            return re.escape(to_str(args[0]))
        if lower == "ismatch":
            return bool(compile_regex(to_str(args[1]), False).search(to_str(args[0])))
    if key == "datetime" and lower in ("parse", "parseexact"):
        return parse_datetime(to_str(args[0]))
    if key in ("int", "int32", "int64", "long") and lower == "parse":
        return to_int(to_str(args[0]))
    if key in ("io.path",) and lower == "combine":
        return "\\".join(to_str(a).rstrip("\\") for a in args)
    if key in ("io.path",) and lower == "gettempfilename":
        return "C:\\Windows\\TEMP\\tmp" + str(abs(hash(now())) % 65536) + ".tmp"
    if key in ("timespan",) and lower == "fromdays":
        return timedelta(days=float(to_number(args[0])))
    if key in ("timespan",) and lower == "fromhours":
        return timedelta(hours=float(to_number(args[0])))
    raise PSRuntimeError(f"The lab simulator does not know the method [{owner.name}]::{name}().",
                         category="InvalidOperation", error_id="SimulatorUnsupported")


def _method_error(name: str, args: list, inner: str, error_id: str) -> PSRuntimeError:
    return PSRuntimeError(f'Exception calling "{name}" with "{len(args)}" argument(s): "{inner}"',
                          category="NotSpecified", error_id=error_id, exception="MethodInvocationException")


def create_script_block(interpreter, source: str) -> ScriptBlock:
    """``[scriptblock]::Create($text)``: a parse error is PowerShell's ParseException inside the method call."""
    from lab.windows.ps.parse import parse

    try:
        root, source = parse(source)
    except PSRuntimeError as error:
        line, column, text, width = error.position
        inner = f"At line:{line} char:{column}\r\n+ {text}\r\n+ {' ' * (column - 1)}{'~' * width}\r\n{error.message}"
        raise _method_error("Create", [source], inner, "ParseException") from None
    return ScriptBlock(root, interpreter, source)
