"""`decision`: leaves by `true`/`false` on a condition, or (exclusive gateway) by the first edge
whose own `condition` holds, else the `otherwise` edge."""

from runtime.nodes.base import (
    Executor,
    ExpressionCompiler,
    NodeConfig,
    NodeFailure,
    NodeType,
    evaluate,
)
from runtime.nodes.fields import ExpressionText

EDGE_CONDITIONS = "edge-conditions"


class DecisionConfig(NodeConfig):
    condition: ExpressionText | None = None


class DecisionExecutor(Executor):
    ports = ("true", "false")

    def __init__(self, config: DecisionConfig, compiler: ExpressionCompiler) -> None:
        self.condition = compiler.expr("condition", config.condition) if config.condition else None
        self.uses_edge_conditions = config.condition is None

    def run(self, ctx) -> str:
        if self.condition is None:
            return EDGE_CONDITIONS
        value = evaluate(self.condition, ctx, "condition")
        if not isinstance(value, bool):
            raise NodeFailure("expression_error", f"condition must be true or false, got {value!r}")
        return "true" if value else "false"


NODE_TYPE = NodeType(
    type="decision", label="Decision", category="flow", icon="◇", color="#d97706",
    ports=("true", "false"),
    help="Leaves by the true or false edge depending on a condition. Without a condition, each "
    "outgoing edge carries its own condition, tried in order, plus one 'otherwise' edge.",
    config=DecisionConfig, executor=DecisionExecutor, example={"condition": "amount > 1000"},
)
