"""Parse PowerShell with tree-sitter-powershell and report a broken script as PowerShell's ParserError."""

from __future__ import annotations

from functools import cache

import tree_sitter_powershell
from tree_sitter import Language, Node, Parser

from lab.windows.ps.values import PSRuntimeError


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_powershell.language()))


def parse(source: str) -> tuple[Node, str]:
    """The tree's root and the text it was parsed from; a syntax error raises PowerShell's ParserError
    pointing at the first bad token.

    The grammar does not accept blanks after a comma in command mode (``Select-Object Name, Status``),
    which PowerShell does; such a script is parsed again with those blanks removed, which PowerShell
    reads the same way.
    """
    root = _parser().parse(source.encode("utf-8")).root_node
    if _valid(root):
        return root, source
    compact = _compact_commas(source)
    if compact != source:
        retry = _parser().parse(compact.encode("utf-8")).root_node
        if _valid(retry):
            return retry, compact
    raise parser_error(source, _first_error(root))


def _valid(root: Node) -> bool:
    """No syntax error; the grammar marks the join in ``a,b`` (a command's array argument) as a missing
    separator, which is not one."""
    return not root.has_error or all(_glue(n) for n in _problems(root))


def _glue(node: Node) -> bool:
    return node.is_missing and "command_argument_sep" in (node.type, node.parent.type if node.parent else "")


def _problems(node: Node):
    if node.is_error or node.is_missing:
        yield node
        return
    for child in node.children:
        if child.has_error or child.is_missing:
            yield from _problems(child)


def _compact_commas(source: str) -> str:
    """Drop blanks after commas outside strings and comments."""
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if source.startswith(("@'", '@"'), i) and source[i + 2:i + 3] in ("\r", "\n"):
            end = source.find("\n" + source[i + 1] + "@", i + 2)
            end = n if end == -1 else end + 3
            out.append(source[i:end])
            i = end
            continue
        if char in "'\"":
            j = i + 1
            while j < n:
                if source[j] == "`" and char == '"':
                    j += 2
                    continue
                if source[j] == char:
                    if j + 1 < n and source[j + 1] == char:
                        j += 2
                        continue
                    break
                j += 1
            out.append(source[i:j + 1])
            i = j + 1
            continue
        if char == "#" or source.startswith("<#", i):
            end = source.find("#>", i) + 2 if source.startswith("<#", i) else source.find("\n", i)
            end = n if end in (-1, 1) else end
            out.append(source[i:end])
            i = end
            continue
        out.append(char)
        i += 1
        if char == ",":
            while i < n and source[i] in " \t":
                i += 1
    return "".join(out)


def _first_error(node: Node) -> Node:
    real = [n for n in _problems(node) if not _glue(n)]
    return real[0] if real else node


def parser_error(source: str, node: Node) -> PSRuntimeError:
    row, column = node.start_point
    if node.is_missing:
        message, error_id = f"Missing '{node.type}' in statement.", "MissingToken"
    else:
        token = _first_token(node)
        text = token.text.decode("utf-8", "replace").strip() if token is not None else ""
        message = f"Unexpected token '{text}' in expression or statement." if text else "Incomplete statement."
        error_id = "UnexpectedToken"
        if token is not None:
            row, column = token.start_point
    error = PSRuntimeError(message, category="ParserError", error_id=error_id, target="",
                           exception="ParentContainsErrorRecordException")
    line = source.split("\n")[row] if row < len(source.split("\n")) else ""
    width = 1 if node.is_missing else max(1, node.end_byte - node.start_byte)
    error.position = (row + 1, column + 1, line.rstrip("\r"), width)
    return error


def _first_token(node: Node) -> Node | None:
    """The token PowerShell would complain about: the first leaf inside the ERROR node that is not blank."""
    # An ERROR node usually starts with a valid prefix (a whole pipeline); the offending token is
    # its first direct child that is a bare token.
    for child in node.children:
        if (child.child_count == 0 or child.is_error) and child.text.strip():
            return child if child.child_count == 0 else _first_token(child)
    leaves = [n for n in _leaves(node) if n.text.strip()]
    return leaves[0] if leaves else None


def _leaves(node: Node):
    if node.child_count == 0:
        yield node
    for child in node.children:
        yield from _leaves(child)
