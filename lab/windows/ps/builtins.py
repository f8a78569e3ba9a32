"""The language-level cmdlets of Microsoft.PowerShell.Utility and .Core (no host state involved):
Where-Object, ForEach-Object, Select-Object, Sort-Object, Measure-Object, ConvertTo-Json,
ConvertFrom-Json, Out-Null, Out-String, Write-*, Get-Date, New-TimeSpan, Start-Sleep, New-Object,
Join-Path, Split-Path."""

from __future__ import annotations

import functools
import re
import time
from datetime import datetime, timedelta

from lab.windows.ps import methods, operators
from lab.windows.ps.commands import Cmdlet, CommandTable, Invocation, Param
from lab.windows.ps.jsonout import convert_from_json, convert_to_json
from lab.windows.ps.values import (
    CaseInsensitiveDict,
    Hashtable,
    PSObject,
    PSRuntimeError,
    ScriptBlock,
    as_list,
    collapse,
    compare_order,
    is_list,
    like_pattern,
    to_bool,
    to_int,
    to_number,
    to_str,
)

_WHERE_OPERATORS = ("EQ", "NE", "GT", "GE", "LT", "LE", "Like", "NotLike", "Match", "NotMatch", "Contains",
                    "NotContains", "In", "NotIn", "CEQ", "CNE", "CLike", "CMatch", "Is", "IsNot")


def _inputs(inv: Invocation, name: str = "InputObject") -> list:
    if inv.has(name):
        return as_list(inv.get(name))
    return inv.input or []


def where_object(inv: Invocation) -> list:
    script = inv.get("FilterScript")
    out = []
    if isinstance(script, ScriptBlock):
        for item in _inputs(inv):
            result = inv.interpreter.call_block(script, [], None, dollar_under=item, new_scope=False)
            if to_bool(collapse(result)):
                out.append(item)
        return out
    prop = to_str(script if script is not None else inv.get("Property"))
    chosen = [op for op in _WHERE_OPERATORS if inv.flag(op)]
    for item in _inputs(inv):
        value = methods.get_member(item, prop)
        if not chosen:
            keep = to_bool(value)
        else:
            keep = to_bool(operators.binary("-" + chosen[0].lower(), value, inv.get("Value"), inv.interpreter))
        if keep:
            out.append(item)
    return out


def foreach_object(inv: Invocation) -> list:
    process = inv.get("Process")
    out: list = []
    interpreter = inv.interpreter
    if isinstance(inv.get("Begin"), ScriptBlock):
        out.extend(interpreter.call_block(inv.get("Begin"), [], None, new_scope=False))
    for item in _inputs(inv):
        for block in as_list(process):
            if isinstance(block, ScriptBlock):
                out.extend(interpreter.call_block(block, [], None, dollar_under=item, new_scope=False))
            else:
                out.extend(as_list(methods.get_member(item, to_str(block))))
    if isinstance(inv.get("End"), ScriptBlock):
        out.extend(interpreter.call_block(inv.get("End"), [], None, new_scope=False))
    return out


def _calculated(inv: Invocation, spec, item):
    """A Select-Object property: a name, a wildcard, or ``@{Name=...; Expression=...}``."""
    if isinstance(spec, Hashtable):
        name = to_str(spec.get("Name", spec.get("N", spec.get("Label", spec.get("L")))))
        expression = spec.get("Expression", spec.get("E"))
        if isinstance(expression, ScriptBlock):
            value = collapse(inv.interpreter.call_block(expression, [], None, dollar_under=item, new_scope=False))
        else:
            value = methods.get_member(item, to_str(expression))
        return [(name, value)]
    pattern = to_str(spec)
    if "*" in pattern and isinstance(item, CaseInsensitiveDict):
        matcher = re.compile(like_pattern(pattern).pattern, re.I | re.S)
        return [(k, v) for k, v in item.items() if not str(k).startswith("__") and matcher.match(str(k))]
    if isinstance(item, CaseInsensitiveDict) and pattern in item:
        return [(item._data[pattern.lower()][0], item[pattern])]
    return [(pattern, methods.get_member(item, pattern))]


def select_object(inv: Invocation) -> list:
    items = _inputs(inv)
    if inv.has("Skip"):
        items = items[to_int(inv.get("Skip")):]
    if inv.has("First"):
        items = items[: to_int(inv.get("First"))]
    if inv.has("Last"):
        count = to_int(inv.get("Last"))
        items = items[-count:] if count else []
    if inv.has("ExpandProperty"):
        name = to_str(inv.get("ExpandProperty"))
        out = []
        for item in items:
            if isinstance(item, CaseInsensitiveDict) and name not in item:
                inv.error(f'Property "{name}" cannot be found.', category="InvalidArgument",
                          error_id="ExpandPropertyNotFound",
                          exception="System.Management.Automation.PSArgumentException")
                continue
            out.extend(as_list(methods.get_member(item, name)))
        return out
    props = as_list(inv.get("Property"))
    excluded = {to_str(e).lower() for e in as_list(inv.get("ExcludeProperty"))}
    if not props and not excluded:
        result = items
    else:
        result = []
        for item in items:
            obj = PSObject(type_name="Selected." + getattr(item, "type_name", "System.Object"))
            specs = props or ["*"]
            for spec in specs:
                for key, value in _calculated(inv, spec, item):
                    if key.lower() not in excluded:
                        obj[key] = value
            result.append(obj)
    if inv.flag("Unique"):
        unique, seen = [], set()
        for item in result:
            key = to_str(item)
            if key not in seen:
                seen.add(key)
                unique.append(item)
        result = unique
    return result


def sort_object(inv: Invocation) -> list:
    items = list(_inputs(inv))
    props = as_list(inv.get("Property"))

    def key_of(item):
        return [methods.get_member(item, to_str(p)) if not isinstance(p, ScriptBlock) else
                collapse(inv.interpreter.call_block(p, [], None, dollar_under=item, new_scope=False))
                for p in props] if props else [item]

    def compare(a, b):
        for left, right in zip(key_of(a), key_of(b), strict=True):
            order = compare_order(left, right) if left is not None or right is not None else 0
            if order:
                return order
        return 0

    items.sort(key=functools.cmp_to_key(compare), reverse=inv.flag("Descending"))
    if inv.flag("Unique"):
        seen, unique = set(), []
        for item in items:
            if to_str(item).lower() not in seen:
                seen.add(to_str(item).lower())
                unique.append(item)
        items = unique
    return items


def measure_object(inv: Invocation) -> PSObject:
    items = _inputs(inv)
    prop = inv.get("Property")
    values = [methods.get_member(i, to_str(prop)) for i in items] if prop is not None else items
    numbers = [to_number(v) for v in values if v is not None] if any(
        inv.flag(f) for f in ("Sum", "Average", "Maximum", "Minimum")) else []
    return PSObject({"Count": len(values), "Average": (sum(numbers) / len(numbers)) if inv.flag("Average") and numbers
                     else None, "Sum": sum(numbers) if inv.flag("Sum") else None,
                     "Maximum": max(numbers) if inv.flag("Maximum") and numbers else None,
                     "Minimum": min(numbers) if inv.flag("Minimum") and numbers else None,
                     "Property": to_str(prop) if prop is not None else None},
                    type_name="Microsoft.PowerShell.Commands.GenericMeasureInfo")


def convert_to_json_cmdlet(inv: Invocation) -> list:
    if inv.has("InputObject"):
        value = inv.get("InputObject")
    else:
        items = inv.input or []
        if not items:
            return []
        value = collapse(items)
    depth = to_int(inv.get("Depth", 2))
    if depth > 100:
        raise inv.fail(f"Cannot validate argument on parameter 'Depth'. The {depth} argument is greater than the "
                       "maximum allowed range of 100. Supply an argument that is less than or equal to 100 and then "
                       "try the command again.", category="InvalidData", error_id="ParameterArgumentValidationError",
                       exception="ParameterBindingValidationException")
    return [convert_to_json(value, depth=depth, compress=inv.flag("Compress"))]


def convert_from_json_cmdlet(inv: Invocation) -> list:
    text = "\n".join(to_str(v) for v in _inputs(inv))
    try:
        return as_list(convert_from_json(text)) if text.strip() else []
    except ValueError as error:
        raise inv.fail(f"Invalid JSON primitive: {text[:20]}.", category="NotSpecified",
                       error_id="System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand",
                       exception="ArgumentException") from error


def format_for_host(items: list) -> list[str]:
    """What the console shows for objects that reach the end of the pipeline (Format-List style)."""
    lines: list[str] = []
    for item in items:
        if isinstance(item, CaseInsensitiveDict):
            pairs = [(str(k), v) for k, v in item.items() if not str(k).startswith("__")]
            if isinstance(item, Hashtable):
                lines.append("")
                lines.append("Name".ljust(30) + " Value")
                lines.append("----".ljust(30) + " -----")
                lines.extend(f"{k:<30} {to_str(v)}" for k, v in pairs)
                lines.append("")
                continue
            width = max((len(k) for k, _ in pairs), default=0)
            lines.append("")
            lines.extend(f"{k.ljust(width)} : {to_str(v)}" for k, v in pairs)
            lines.append("")
        elif item is not None:
            lines.append(to_str(item))
    return lines


def out_string(inv: Invocation) -> list:
    lines = format_for_host(_inputs(inv))
    if inv.flag("Stream"):
        return lines
    return ["\r\n".join(lines) + "\r\n"]


def write_output(inv: Invocation) -> list:
    values = inv.get("InputObject") if inv.has("InputObject") else collapse(inv.input or [])
    if inv.flag("NoEnumerate"):
        return [values]
    return as_list(values)


def write_host(inv: Invocation) -> list:
    separator = to_str(inv.get("Separator", " "))
    text = separator.join(to_str(v) for v in as_list(inv.get("Object"))) if inv.has("Object") else \
        separator.join(to_str(v) for v in inv.input or [])
    inv.interpreter.result.host_lines.append(text)
    return []


def write_error(inv: Invocation) -> list:
    record = inv.get("ErrorRecord") or inv.get("Exception")
    if isinstance(record, PSObject) and "__error" in record:
        error = record["__error"]
        inv.interpreter.write_error(error, to_str(inv.get("ErrorAction")).lower() if inv.has("ErrorAction") else None)
        return []
    message = to_str(inv.get("Message") if inv.has("Message") else collapse(inv.input or []))
    inv.error(message, category=to_str(inv.get("Category", "NotSpecified")),
              error_id=to_str(inv.get("ErrorId", "Microsoft.PowerShell.Commands.WriteErrorException")),
              target=to_str(inv.get("TargetObject", "")))
    return []


def write_warning(inv: Invocation) -> list:
    inv.warn(to_str(inv.get("Message") if inv.has("Message") else collapse(inv.input or [])))
    return []


def get_date(inv: Invocation) -> list:
    moment = inv.get("Date")
    moment = operators.cast("datetime", moment) if moment is not None else methods.now()
    if inv.has("Format"):
        return [methods.call_method(inv.interpreter, moment, "ToString", [inv.get("Format")])]
    return [moment]


def new_timespan(inv: Invocation) -> list:
    if inv.has("Start") or inv.has("End"):
        start = operators.cast("datetime", inv.get("Start")) if inv.has("Start") else methods.now()
        end = operators.cast("datetime", inv.get("End")) if inv.has("End") else methods.now()
        return [end - start]
    return [timedelta(days=to_number(inv.get("Days", 0)), hours=to_number(inv.get("Hours", 0)),
                      minutes=to_number(inv.get("Minutes", 0)), seconds=to_number(inv.get("Seconds", 0)))]


def start_sleep(inv: Invocation) -> list:
    seconds = to_number(inv.get("Seconds", 0)) + to_number(inv.get("Milliseconds", 0)) / 1000
    time.sleep(min(float(seconds), 30.0))
    return []


def new_object(inv: Invocation) -> list:
    type_text = to_str(inv.get("TypeName")).lower()
    if type_text in ("psobject", "pscustomobject", "system.management.automation.psobject", "object"):
        props = inv.get("Property")
        return [PSObject(props.items() if isinstance(props, CaseInsensitiveDict) else None)]
    raise inv.fail(f'Cannot find type [{inv.get("TypeName")}]: verify that the assembly containing this type is '
                   "loaded.", category="InvalidType", error_id="TypeNotFound",
                   exception="PSArgumentException")


def join_path(inv: Invocation) -> list:
    child = to_str(inv.get("ChildPath")).lstrip("\\")
    return [to_str(p).rstrip("\\") + "\\" + child for p in as_list(inv.get("Path"))]


def split_path(inv: Invocation) -> list:
    path = to_str(inv.get("Path")).rstrip("\\")
    if inv.flag("Leaf"):
        return [path.rsplit("\\", 1)[-1]]
    return [path.rsplit("\\", 1)[0] if "\\" in path else ""]


def _p(name, position=None, switch=False, aliases=(), pipeline=False) -> Param:
    return Param(name, switch=switch, position=position, aliases=tuple(aliases), from_pipeline=pipeline)


def register(table: CommandTable) -> None:
    where_params = [_p("FilterScript", 0), _p("Value", 1), _p("InputObject", pipeline=True), _p("Property")] + \
        [_p(op, switch=True) for op in _WHERE_OPERATORS]
    table.add(Cmdlet("Where-Object", where_object, where_params, module="Microsoft.PowerShell.Core"), "where", "?")
    table.add(Cmdlet("ForEach-Object", foreach_object,
                     [_p("Process", 0), _p("Begin"), _p("End"), _p("InputObject", pipeline=True),
                      _p("MemberName")], module="Microsoft.PowerShell.Core"), "foreach", "%")
    table.add(Cmdlet("Select-Object", select_object,
                     [_p("Property", 0), _p("ExcludeProperty"), _p("ExpandProperty"), _p("First"), _p("Last"),
                      _p("Skip"), _p("Unique", switch=True), _p("InputObject", pipeline=True)]), "select")
    table.add(Cmdlet("Sort-Object", sort_object,
                     [_p("Property", 0), _p("Descending", switch=True), _p("Unique", switch=True),
                      _p("InputObject", pipeline=True)]), "sort")
    table.add(Cmdlet("Measure-Object", measure_object,
                     [_p("Property", 0), _p("Sum", switch=True), _p("Average", switch=True),
                      _p("Maximum", switch=True), _p("Minimum", switch=True), _p("InputObject", pipeline=True)]),
              "measure")
    table.add(Cmdlet("ConvertTo-Json", convert_to_json_cmdlet,
                     [_p("InputObject", 0, pipeline=True), _p("Depth"), _p("Compress", switch=True),
                      _p("EnumsAsStrings", switch=True), _p("AsArray", switch=True)]))
    table.add(Cmdlet("ConvertFrom-Json", convert_from_json_cmdlet, [_p("InputObject", 0, pipeline=True)]))
    table.add(Cmdlet("Out-Null", lambda inv: [], [_p("InputObject", pipeline=True)],
                     module="Microsoft.PowerShell.Core"))
    table.add(Cmdlet("Out-String", out_string, [_p("InputObject", pipeline=True), _p("Stream", switch=True),
                                                 _p("Width")]))
    table.add(Cmdlet("Write-Output", write_output, [_p("InputObject", 0, pipeline=True),
                                                     _p("NoEnumerate", switch=True)]), "echo", "write")
    table.add(Cmdlet("Write-Host", write_host, [_p("Object", 0, pipeline=True), _p("NoNewline", switch=True),
                                                 _p("Separator"), _p("ForegroundColor"), _p("BackgroundColor")]))
    table.add(Cmdlet("Write-Error", write_error, [_p("Message", 0, aliases=("Msg",)), _p("Category"), _p("ErrorId"),
                                                   _p("TargetObject"), _p("Exception"), _p("ErrorRecord"),
                                                   _p("RecommendedAction")]))
    table.add(Cmdlet("Write-Warning", write_warning, [_p("Message", 0, aliases=("Msg",))]))
    table.add(Cmdlet("Write-Verbose", lambda inv: [], [_p("Message", 0, aliases=("Msg",))]))
    table.add(Cmdlet("Write-Debug", lambda inv: [], [_p("Message", 0, aliases=("Msg",))]))
    table.add(Cmdlet("Get-Date", get_date, [_p("Date", 0, aliases=("LastWriteTime",)), _p("Format"),
                                             _p("UFormat")]))
    table.add(Cmdlet("New-TimeSpan", new_timespan, [_p("Start", 0, aliases=("LastWriteTime",)), _p("End", 1),
                                                     _p("Days"), _p("Hours"), _p("Minutes"), _p("Seconds")]))
    table.add(Cmdlet("Start-Sleep", start_sleep, [_p("Seconds", 0), _p("Milliseconds")]), "sleep")
    table.add(Cmdlet("New-Object", new_object, [_p("TypeName", 0), _p("ArgumentList", 1), _p("Property")]))
    table.add(Cmdlet("Join-Path", join_path, [_p("Path", 0), _p("ChildPath", 1)],
                     module="Microsoft.PowerShell.Management"))
    table.add(Cmdlet("Split-Path", split_path, [_p("Path", 0), _p("Leaf", switch=True), _p("Parent", switch=True)],
                     module="Microsoft.PowerShell.Management"))


__all__ = ["PSRuntimeError", "datetime", "format_for_host", "is_list", "register"]
