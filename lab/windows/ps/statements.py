"""Statements of the PowerShell subset: if/elseif/else, foreach, for, while, switch, try/catch/finally,
throw/return/exit/break/continue, and function definitions; and the jumps they make.

A mixin of ``interp.Interpreter``, which supplies variables, pipelines and error handling.
"""

from __future__ import annotations

from tree_sitter import Node

from lab.windows.ps import operators
from lab.windows.ps.expressions import kids, named
from lab.windows.ps.values import PSObject, PSRuntimeError, ScriptBlock, as_list, collapse, to_bool, to_int, to_str


class Flow(Exception):
    """A jump (return, break, continue, exit, a stopped script), not an error."""

    def __init__(self):
        super().__init__()
        #: output written before the jump, collected on the way out
        self.partial: list = []


class FlowReturn(Flow):
    def __init__(self, output):
        super().__init__()
        self.output = output


class FlowBreak(Flow):
    pass


class FlowContinue(Flow):
    pass


class FlowExit(Flow):
    def __init__(self, code: int):
        super().__init__()
        self.code = code


class ScriptTerminated(Flow):
    def __init__(self, error: PSRuntimeError):
        super().__init__()
        self.error = error


class Statements:
    def stmt_statement_block(self, node: Node) -> list:
        return self.exec_statements(node)

    def stmt_if_statement(self, node: Node) -> list:
        children = kids(node)
        condition = next(c for c in children if c.type == "pipeline")
        block = next(c for c in children if c.type == "statement_block")
        if to_bool(self.pipeline_value(condition)):
            return self.exec_statements(block)
        for clause in children:
            if clause.type == "elseif_clauses":
                for elseif in named(clause):
                    parts = kids(elseif)
                    cond = next(c for c in parts if c.type == "pipeline")
                    if to_bool(self.pipeline_value(cond)):
                        return self.exec_statements(next(c for c in parts if c.type == "statement_block"))
            elif clause.type == "else_clause":
                return self.exec_statements(next(c for c in kids(clause) if c.type == "statement_block"))
        return []

    def stmt_foreach_statement(self, node: Node) -> list:
        children = kids(node)
        variable = next(c for c in children if c.type == "variable")
        source = next(c for c in children if c.type == "pipeline")
        block = next(c for c in children if c.type == "statement_block")
        out: list = []
        for item in as_list(self.pipeline_value(source)):
            self.set_var(variable.text.decode(), item)
            if not self._loop_body(block, out):
                break
        return out

    def _loop_body(self, block: Node, out: list) -> bool:
        """One pass of a loop's body; False when it ran ``break``."""
        try:
            out.extend(self.exec_statements(block))
        except FlowBreak as flow:
            out.extend(flow.partial)
            return False
        except FlowContinue as flow:
            out.extend(flow.partial)
        return True

    def stmt_for_statement(self, node: Node) -> list:
        parts = {c.type: c for c in kids(node)}
        out: list = []
        if "for_initializer" in parts:
            self.exec_pipeline(named(parts["for_initializer"])[0])
        while "for_condition" not in parts or to_bool(self.pipeline_value(named(parts["for_condition"])[0])):
            if not self._loop_body(parts["statement_block"], out):
                break
            if "for_iterator" in parts:
                self.exec_pipeline(named(parts["for_iterator"])[0])
        return out

    def stmt_while_statement(self, node: Node) -> list:
        children = kids(node)
        condition = next(c for c in children if c.type == "while_condition")
        block = next(c for c in children if c.type == "statement_block")
        out: list = []
        while to_bool(self.pipeline_value(named(condition)[0])):
            if not self._loop_body(block, out):
                break
        return out

    def stmt_try_statement(self, node: Node) -> list:
        children = kids(node)
        body = next(c for c in children if c.type == "statement_block")
        catches = next((c for c in children if c.type == "catch_clauses"), None)
        final = next((c for c in children if c.type == "finally_clause"), None)
        out: list = []
        try:
            self.try_depth += 1
            try:
                out.extend(self.exec_statements(body))
            finally:
                self.try_depth -= 1
        except PSRuntimeError as error:
            clause = self._matching_catch(catches, error)
            if clause is None:
                raise
            out.extend(getattr(error, "partial", []))
            error.partial = []
            self.last_ok = True
            saved = self.get_var("_")
            self.set_var("_", error_record(error))
            try:
                out.extend(self.exec_statements(next(c for c in kids(clause) if c.type == "statement_block")))
            finally:
                self.set_var("_", saved)
        finally:
            if final is not None:
                out.extend(self.exec_statements(next(c for c in kids(final) if c.type == "statement_block")))
        return out

    def _matching_catch(self, catches: Node | None, error: PSRuntimeError) -> Node | None:
        if catches is None:
            return None
        for clause in named(catches):
            types = next((c for c in kids(clause) if c.type == "catch_type_list"), None)
            if types is None:
                return clause
            wanted = {t.text.decode().strip("[]").lower().split(".")[-1] for t in named(types)}
            if wanted & {"exception", "systemexception", error.exception.lower(), "runtimeexception"}:
                return clause
        return None

    def stmt_flow_control_statement(self, node: Node) -> list:
        children = kids(node)
        keyword = children[0].type
        value_node = next((c for c in children if c.type == "pipeline"), None)
        if keyword == "throw":
            value = self.pipeline_value(value_node) if value_node is not None else None
            if isinstance(value, PSObject) and value.type_name == "System.Management.Automation.ErrorRecord":
                raise value["__error"]
            message = to_str(value) if value is not None else "ScriptHalted"
            raise PSRuntimeError(message, category="OperationStopped", error_id=message,
                                 target=message, thrown=value if value is not None else message)
        if keyword == "return":
            raise FlowReturn(self.exec_pipeline(value_node) if value_node is not None else [])
        if keyword == "exit":
            code = to_int(self.pipeline_value(value_node)) if value_node is not None else (0 if self.last_ok else 1)
            raise FlowExit(code)
        if keyword == "break":
            raise FlowBreak()
        if keyword == "continue":
            raise FlowContinue()
        raise PSRuntimeError(f"The lab simulator does not run '{keyword}'.", error_id="SimulatorUnsupported")

    def stmt_switch_statement(self, node: Node) -> list:
        children = kids(node)
        options = {p.text.decode().lower().lstrip("-") for c in children if c.type == "switch_parameters"
                   for p in named(c)}
        condition = next(c for c in children if c.type == "switch_condition")
        body = next(c for c in children if c.type == "switch_body")
        clauses = [c for part in named(body) if part.type == "switch_clauses" for c in named(part)]
        value = self.pipeline_value(next(c for c in named(condition) if c.type == "pipeline"))
        out: list = []
        for item in as_list(value) if value is not None else [None]:
            try:
                self._switch_item(item, clauses, options, out)
            except FlowContinue as flow:
                out.extend(flow.partial)
            except FlowBreak as flow:
                out.extend(flow.partial)
                break
        return out

    def _switch_item(self, item, clauses: list[Node], options: set[str], out: list) -> None:
        default = None
        matched = False
        for clause in clauses:
            condition = next(c for c in kids(clause) if c.type == "switch_clause_condition")
            block = next(c for c in kids(clause) if c.type == "statement_block")
            if condition.text.decode().lower() == "default":
                default = block
                continue
            if self._switch_matches(item, condition, options):
                matched = True
                self.set_var("_", item)
                out.extend(self.exec_statements(block))
        if not matched and default is not None:
            self.set_var("_", item)
            out.extend(self.exec_statements(default))

    def _switch_matches(self, item, condition: Node, options: set[str]) -> bool:
        inner = named(condition)
        if inner:
            test = self.eval(inner[0])
        else:
            text = condition.text.decode()
            test = text[1:-1] if text[:1] in "'\"" and text[-1:] == text[:1] else text
        if isinstance(test, ScriptBlock):
            return to_bool(collapse(self.call_block(test, [], None, dollar_under=item, new_scope=False)))
        case = "casesensitive" in options
        if "wildcard" in options:
            return to_bool(operators.binary("-clike" if case else "-like", to_str(item), test, self))
        if "regex" in options:
            return to_bool(operators.binary("-cmatch" if case else "-match", to_str(item), test, self))
        return to_bool(operators.binary("-ceq" if case else "-eq", item, test, self))

    def stmt_function_statement(self, node: Node) -> list:
        name = next(c for c in kids(node) if c.type == "function_name").text.decode()
        self.functions[name.lower()] = node
        return []


def error_record(error: PSRuntimeError) -> PSObject:
    """``$_`` inside ``catch``: an ErrorRecord whose string is the message."""
    exception = PSObject({"Message": error.message, "__tostring": error.message},
                         type_name="System." + error.exception if "." not in error.exception else error.exception)
    category = PSObject({"Category": error.category, "Reason": error.exception, "TargetName": error.target,
                         "__tostring": f"{error.category}: ({error.target}:String) [{error.command}], "
                                       f"{error.exception}"},
                        type_name="System.Management.Automation.ErrorCategoryInfo")
    return PSObject({"Exception": exception, "CategoryInfo": category,
                     "FullyQualifiedErrorId": error.error_id + (f",{error.command}" if error.command else ""),
                     "TargetObject": error.thrown if error.thrown is not None else error.target,
                     "__tostring": error.message, "__error": error},
                    type_name="System.Management.Automation.ErrorRecord")
