"""CEL expressions: compile once (with limits and positioned errors), evaluate over variables.

CEL (common-expression-language, Rust core) cannot reach Python objects and has no loops
of its own; the only way to make it costly is nested comprehension macros over large
lists, so an expression may hold at most MAX_MACROS of them and MAX_LENGTH characters.
Results are normalised to JSON values (timestamps to ISO strings, durations to seconds); NaN
and infinities are refused, as JSON cannot hold them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import cel

MAX_LENGTH = 4000
MAX_MACROS = 3
MAX_STRING = 1_000_000  # characters in one string a expression may produce
MAX_ELEMENTS = 100_000  # list items + map entries in one value an expression may produce
_MACRO = re.compile(r"\.\s*(map|filter|all|exists|exists_one)\s*\(")
_POSITION = re.compile(r"<input>:(\d+):(\d+):\s*(.*)")
_SIMPLE = (str, int, float, bool, type(None))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def strict_json_loads(text: str | bytes) -> Any:
    """json.loads without Python's extensions: NaN and Infinity are refused, as JSON has no
    such numbers (nor can SQLite or PostgreSQL store them in a JSON column)."""
    return json.loads(text, parse_constant=_refuse_constant)


class ExpressionError(Exception):
    """An expression that does not compile; carries a 1-based line and column when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class EvaluationError(Exception):
    """An expression that compiled but failed on the values it met."""


def _compile_error(source: str, exc: Exception) -> ExpressionError:
    text = str(exc)
    match = _POSITION.search(text)
    if match:
        line, column, message = int(match.group(1)), int(match.group(2)), match.group(3)
        return ExpressionError(f"{message} (line {line}, column {column})", line, column)
    return ExpressionError(text.splitlines()[0] if text else "does not compile")


@dataclass(frozen=True, slots=True)
class Expression:
    source: str
    program: Any
    names: tuple[str, ...]

    def evaluate(self, variables: dict[str, Any]) -> Any:
        scope = {name: variables[name] for name in self.names if name in variables}
        try:
            value = self.program.execute(scope)
        except KeyError as exc:
            raise EvaluationError(f"no key {exc.args[0]!r} in the value it was read from.") from None
        except Exception as exc:  # the CEL core raises several built-in types
            raise EvaluationError(_first_sentence(str(exc))) from None
        if isinstance(value, _SIMPLE):
            if isinstance(value, str) and len(value) > MAX_STRING:
                raise EvaluationError(f"the result is a string longer than {MAX_STRING} characters.")
            if isinstance(value, float) and not math.isfinite(value):
                raise EvaluationError(f"the result is {value}, which is not a JSON number.")
            return value
        _check_size(value)
        return to_json(value)


def _check_size(value: Any) -> None:
    """Refuses values that grow without bound (e.g. a loop doubling a list or a string):
    walks at most MAX_ELEMENTS items, so the check itself stays cheap."""
    budget = MAX_ELEMENTS
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_STRING:
                raise EvaluationError(f"the result holds a string longer than {MAX_STRING} characters.")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise EvaluationError(f"the result holds {item}, which is not a JSON number.")
        elif isinstance(item, dict):
            budget -= len(item)
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            budget -= len(item)
            stack.extend(item)
        if budget < 0:
            raise EvaluationError(f"the result holds more than {MAX_ELEMENTS} items.")


def _first_sentence(text: str) -> str:
    head = text.split(". ")[0].strip()
    return head if head.endswith(".") else head + "."


def compile_expression(source: Any) -> Expression:
    if not isinstance(source, str):
        raise ExpressionError("an expression must be a string")
    if not source.strip():
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    if len(_MACRO.findall(source)) > MAX_MACROS:
        raise ExpressionError(f"an expression may use at most {MAX_MACROS} map/filter/all/exists macros")
    try:
        program = cel.compile(source)
    except Exception as exc:
        raise _compile_error(source, exc) from None
    return Expression(source, program, tuple(program.variables()))


def to_json(value: Any) -> Any:
    """Turn what CEL returns into plain JSON values."""
    if isinstance(value, _SIMPLE):
        return value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode()
    return str(value)
