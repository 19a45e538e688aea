"""What every node type is made of: a pydantic config, an executor, and editor metadata.

A node type is data: `NodeType(type=..., config=..., executor=..., label=..., ports=...)`.
Executors are built once per saved flow version (compiling their expressions through an
`ExpressionCompiler`, which collects positioned errors for `invalid_flow`) and then run
many times: `run(ctx)` returns the port to leave by (None for the default edge).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from runtime.expressions import EvaluationError, Expression, ExpressionError, compile_expression

if TYPE_CHECKING:
    from runtime.engine import RunContext


class NodeConfig(BaseModel):
    """Base of every node config: unknown keys are refused so typos surface at save time."""

    model_config = ConfigDict(extra="forbid")


class NodeFailure(Exception):
    """A node failed: `code` is a slug an `error` edge or a caller can route on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ExpressionCompiler:
    """Compiles a node's expressions, remembering every failure with its field."""

    errors: list[dict[str, Any]] = field(default_factory=list)

    def expr(self, field_name: str, source: Any) -> Expression | None:
        try:
            return compile_expression(source)
        except ExpressionError as exc:
            detail: dict[str, Any] = {"field": field_name, "message": exc.message}
            if exc.line is not None:
                detail["position"] = {"line": exc.line, "column": exc.column}
            self.errors.append(detail)
            return None

    def exprs(self, field_name: str, sources: dict[str, Any]) -> dict[str, Expression]:
        compiled = {}
        for key, source in sources.items():
            expression = self.expr(f"{field_name}.{key}", source)
            if expression is not None:
                compiled[key] = expression
        return compiled

    def fail(self, field_name: str | None, message: str) -> None:
        self.errors.append({"field": field_name, "message": message})


def evaluate(expression: Expression, ctx: RunContext, what: str) -> Any:
    """Evaluate an expression for a node, turning evaluation errors into `expression_error`."""
    try:
        return expression.evaluate(ctx.variables)
    except EvaluationError as exc:
        raise NodeFailure("expression_error", f"{what} ({expression.source}): {exc}") from None


def evaluate_map(expressions: dict[str, Expression], ctx: RunContext, what: str) -> dict[str, Any]:
    return {key: evaluate(expr, ctx, f"{what}.{key}") for key, expr in expressions.items()}


class Executor:
    """Base executor: subclasses compile in __init__ and act in run()."""

    ports: ClassVar[tuple[str, ...]] = ("out",)

    def __init__(self, config: Any, compiler: ExpressionCompiler) -> None:
        self.config = config

    def run(self, ctx: RunContext) -> str | None:
        raise NotImplementedError


@dataclass(frozen=True)
class NodeType:
    type: str
    label: str
    category: str
    help: str
    config: type[NodeConfig]
    executor: Callable[[Any, ExpressionCompiler], Executor]
    ports: tuple[str, ...] = ("out",)
    icon: str = "◆"
    color: str = "#64748b"
    example: dict[str, Any] = field(default_factory=dict)
    terminal: bool = False  # ends the flow (no outgoing edge needed)

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "label": self.label,
            "category": self.category,
            "help": self.help,
            "ports": list(self.ports),
            "error_port": True,
            "icon": self.icon,
            "color": self.color,
            "terminal": self.terminal,
            "example": self.example,
            "config_schema": self.config.model_json_schema(),
        }
