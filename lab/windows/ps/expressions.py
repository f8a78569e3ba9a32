"""Expressions of the PowerShell subset: operators, literals, strings with expansion, hashtables,
arrays, casts, member access and method calls, element access, and assignment targets.

A mixin of ``interp.Interpreter``, which supplies variables, pipelines and statements.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from lab.windows.ps import methods, operators
from lab.windows.ps.values import (
    Hashtable,
    PSObject,
    PSRuntimeError,
    ScriptBlock,
    as_list,
    collapse,
    to_bool,
    to_int,
    to_str,
)

# Nodes that only wrap one operand when no operator is present.
_WRAPPERS = {
    "logical_expression", "bitwise_expression", "comparison_expression", "additive_expression",
    "multiplicative_expression", "format_expression", "range_expression", "unary_expression",
    "logical_argument_expression", "bitwise_argument_expression", "comparison_argument_expression",
    "additive_argument_expression", "multiplicative_argument_expression", "format_argument_expression",
    "range_argument_expression", "argument_expression", "left_assignment_expression", "key_expression",
}
_BINARY = _WRAPPERS - {"unary_expression", "argument_expression", "left_assignment_expression", "key_expression"}


def kids(node: Node) -> list[Node]:
    return [c for c in node.children if c.type != "comment"]


def named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"]


class Expressions:
    # ---- assignments -------------------------------------------------------------------------
    def assign(self, node: Node) -> None:
        children = kids(node)
        target = children[0]
        operator = children[1].text.decode()
        value_node = children[2]
        if value_node.type == "pipeline":
            value = self.pipeline_value(value_node)
        elif value_node.type.endswith("_statement"):  # $x = foreach (...) { ... }: the statement's output
            value = collapse(self.exec_statement(value_node))
        else:
            value = self.eval(value_node)
        if operator != "=":
            current = self.eval(target)
            value = operators.binary(operator[:-1], current, value)
        self.assign_to(target, value)

    def assign_to(self, target: Node, value) -> None:
        node = self._unwrap(target)
        if node.type == "cast_expression":
            type_node, inner = named(node)[0], named(node)[1]
            value = operators.cast(type_node.text.decode(), value)
            node = self._unwrap(inner)
        if node.type == "variable":
            self.set_var(node.text.decode(), value)
        elif node.type == "member_access":
            parts = kids(node)
            owner = self.eval(parts[0])
            methods.set_member(owner, self.member_name(parts[-1]), value)
        elif node.type == "element_access":
            parts = kids(node)
            owner = self.eval(parts[0])
            key = self.eval(parts[2])
            if isinstance(owner, Hashtable | PSObject):
                owner[to_str(key) if not isinstance(key, int) else key] = value
            elif isinstance(owner, list):
                owner[to_int(key)] = value
            else:
                raise PSRuntimeError("Cannot index into a null array.", category="InvalidOperation",
                                     error_id="NullArray")
        elif node.type == "array_literal_expression":
            targets = [c for c in named(node)]
            values = as_list(value)
            for index, each in enumerate(targets):
                rest = values[index:] if index == len(targets) - 1 else values[index:index + 1]
                self.assign_to(each, collapse(rest) if index == len(targets) - 1 else (rest[0] if rest else None))
        else:
            raise PSRuntimeError("The assignment expression is not valid. The input to an assignment operator "
                                 "must be an object that is able to accept assignments, such as a variable or a "
                                 "property.", category="ParserError", error_id="InvalidLeftHandSide")

    def _unwrap(self, node: Node) -> Node:
        while node.type in _WRAPPERS or (node.type == "array_literal_expression" and len(kids(node)) == 1) or \
                (node.type == "expression_with_unary_operator" and len(kids(node)) == 1):
            node = named(node)[0]
        return node

    # ---- expressions -------------------------------------------------------------------------
    def eval(self, node: Node):
        kind = node.type
        if kind in _BINARY or kind in _WRAPPERS:
            return self.eval_operators(node)
        handler = getattr(self, "ev_" + kind, None)
        if handler is None:
            raise PSRuntimeError(f"The lab simulator does not evaluate '{kind}' expressions.",
                                 category="NotImplemented", error_id="SimulatorUnsupported")
        return handler(node)

    def eval_operators(self, node: Node):
        children = kids(node)
        if len(children) == 1:
            return self.eval(children[0])
        value = self.eval(children[0])
        index = 1
        while index < len(children):
            operator = children[index].text.decode().lower()
            right_node = children[index + 1]
            if operator in ("-and", "-or"):
                if operator == "-and" and not to_bool(value):
                    value = False
                elif operator == "-or" and to_bool(value):
                    value = True
                else:
                    value = to_bool(self.eval(right_node))
            else:
                right = self.eval(right_node)
                value = operators.binary(operator, value, right, self)
            index += 2
        return value

    def ev_pipeline(self, node: Node):
        return self.pipeline_value(node)

    def ev_array_literal_expression(self, node: Node):
        parts = named(node)
        if len(parts) == 1 and "," not in [c.type for c in kids(node)]:
            return self.eval(parts[0])
        return [self.eval(p) for p in parts]

    def ev_expression_with_unary_operator(self, node: Node):
        children = kids(node)
        if len(children) == 1:
            return self.eval(children[0])
        operator = children[0].text.decode().lower()
        if operator in ("++", "--"):
            target = children[1]
            value = operators.binary("+" if operator == "++" else "-", self.eval(target), 1)
            self.assign_to(target, value)
            return value
        operand = self.eval(children[1])
        return operators.unary(operator, operand)

    def ev_post_increment_expression(self, node: Node):
        target = named(node)[0]
        value = self.eval(target)
        self.assign_to(target, operators.binary("+", value, 1))
        return value

    def ev_post_decrement_expression(self, node: Node):
        target = named(node)[0]
        value = self.eval(target)
        self.assign_to(target, operators.binary("-", value, 1))
        return value

    ev_pre_increment_expression = ev_expression_with_unary_operator
    ev_pre_decrement_expression = ev_expression_with_unary_operator

    def ev_cast_expression(self, node: Node):
        type_node, inner = named(node)[0], named(node)[1]
        type_text = type_node.text.decode()
        if type_text.lower().strip("[]") == "ordered":
            value = self.eval(inner)
            if not isinstance(value, Hashtable):
                raise PSRuntimeError("The ordered attribute can be specified only on a hash literal node.",
                                     category="ParserError", error_id="OrderedAttributeOnlyOnHashLiteralNode")
            value.ordered = True
            return value
        return operators.cast(type_text, self.eval(inner))

    def ev_type_literal(self, node: Node):
        return operators.PSType(node.text.decode())

    def ev_variable(self, node: Node):
        return self.get_var(node.text.decode())

    def ev_integer_literal(self, node: Node):
        return operators.parse_integer(node.text.decode())

    def ev_real_literal(self, node: Node):
        return operators.parse_real(node.text.decode())

    def ev_string_literal(self, node: Node):
        return self.eval(named(node)[0])

    def ev_verbatim_string_characters(self, node: Node):
        return node.text.decode("utf-8")[1:-1].replace("''", "'")

    def ev_verbatim_here_string_characters(self, node: Node):
        text = node.text.decode("utf-8")
        return re.sub(r"^@'[ \t]*\r?\n|\r?\n'@$", "", text)

    def ev_expandable_string_literal(self, node: Node):
        text = node.text.decode("utf-8")
        return self._expand_parts(node, text, strip=1, doubled_quotes=True)

    def ev_expandable_here_string_literal(self, node: Node):
        text = node.text.decode("utf-8")
        head = re.match(r'^@"[ \t]*\r?\n', text)
        tail = re.search(r'\r?\n"@$', text)
        return self._expand_parts(node, text, start=head.end() if head else 2,
                                  end=tail.start() if tail else len(text) - 2)

    def _expand_parts(self, node: Node, text: str, strip: int = 0, start: int | None = None,
                      end: int | None = None, doubled_quotes: bool = False) -> str:
        raw = node.text
        start = strip if start is None else start
        end = len(raw) - strip if end is None else end
        # work in bytes (tree-sitter offsets), then decode each literal piece
        pieces: list[str] = []
        cursor = start
        for child in named(node):
            offset = child.start_byte - node.start_byte
            if offset < cursor or child.type not in ("variable", "sub_expression"):
                continue
            pieces.append(operators.unescape(raw[cursor:offset].decode("utf-8"), doubled_quotes))
            if child.type == "variable":
                pieces.append(to_str(self.get_var(child.text.decode())))
            else:
                pieces.append(to_str(collapse(self.exec_statements(named(child)[0])) if named(child) else ""))
            cursor = child.end_byte - node.start_byte
        pieces.append(operators.unescape(raw[cursor:end].decode("utf-8"), doubled_quotes))
        return "".join(pieces)

    def ev_generic_token(self, node: Node):
        return self.expand_token(node)

    def ev_parenthesized_expression(self, node: Node):
        inner = named(node)[0]
        return self.pipeline_value(inner)

    def ev_sub_expression(self, node: Node):
        body = named(node)
        return collapse(self.exec_statements(body[0])) if body else None

    def ev_array_expression(self, node: Node):
        body = named(node)
        return list(self.exec_statements(body[0])) if body else []

    def ev_hash_literal_expression(self, node: Node):
        table = Hashtable()
        body = next((c for c in named(node) if c.type == "hash_literal_body"), None)
        for entry in named(body) if body is not None else []:
            parts = kids(entry)
            key_node = parts[0]
            key_inner = named(key_node)[0] if named(key_node) else key_node
            key = key_inner.text.decode() if key_inner.type == "simple_name" else self.eval(key_inner)
            value_node = next(c for c in parts[1:] if c.type not in ("=",))
            table[to_str(key)] = self.pipeline_value(value_node) if value_node.type == "pipeline" \
                else self.eval(value_node)
        return table

    def ev_script_block_expression(self, node: Node):
        body = next((c for c in named(node) if c.type == "script_block"), None)
        return ScriptBlock(body, self, node.text.decode()[1:-1])

    def member_name(self, node: Node) -> str:
        inner = named(node)[0] if node.type == "member_name" and named(node) else node
        if inner.type == "simple_name":
            return inner.text.decode()
        return to_str(self.eval(inner))

    def ev_member_access(self, node: Node):
        parts = kids(node)
        owner_node, operator, name_node = parts[0], parts[1].type, parts[-1]
        name = self.member_name(name_node)
        if operator == "::":
            return methods.static_member(self.eval(owner_node), name, self)
        return methods.get_member(self.eval(owner_node), name)

    def ev_invokation_expression(self, node: Node):
        parts = kids(node)
        owner_node, operator = parts[0], parts[1].type
        name = self.member_name(parts[2])
        arg_list = next((c for c in parts if c.type == "argument_list"), None)
        args: list = []
        if arg_list is not None:
            expr_list = next((c for c in named(arg_list) if c.type == "argument_expression_list"), None)
            args = [self.eval(a) for a in named(expr_list)] if expr_list is not None else []
        owner = self.eval(owner_node)
        if operator == "::":
            return methods.call_static(owner, name, args, self)
        return methods.call_method(self, owner, name, args)

    def ev_element_access(self, node: Node):
        parts = kids(node)
        owner = self.eval(parts[0])
        index = self.eval(parts[2])
        return operators.index(owner, index)

