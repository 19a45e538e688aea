"""`foreach`: runs a microflow once per item of a list; `result` gets the outputs, in order."""

from pydantic import Field

from runtime.nodes.base import (
    Executor,
    ExpressionCompiler,
    NodeConfig,
    NodeFailure,
    NodeType,
    evaluate,
)
from runtime.nodes.fields import ExpressionMap, ExpressionText, MicroflowName, VariableName

MAX_ITEMS = 10_000


class ForeachConfig(NodeConfig):
    items: ExpressionText
    as_: VariableName = Field(default="item", alias="as")
    microflow: MicroflowName
    input: ExpressionMap
    result: VariableName | None = None


class ForeachExecutor(Executor):
    def __init__(self, config: ForeachConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.items = compiler.expr("items", config.items)
        self.input = compiler.exprs("input", config.input)

    def run(self, ctx) -> None:
        items = evaluate(self.items, ctx, "items")
        if not isinstance(items, list):
            raise NodeFailure("expression_error", f"items must be a list, got {type(items).__name__}")
        if len(items) > MAX_ITEMS:
            raise NodeFailure("too_many_items", f"foreach takes at most {MAX_ITEMS} items, got {len(items)}")
        outputs = []
        scope = dict(ctx.variables)
        for index, item in enumerate(items):
            scope[self.config.as_] = item
            scope["index"] = index
            child_input = {}
            for key, expression in self.input.items():
                try:
                    child_input[key] = expression.evaluate(scope)
                except Exception as exc:
                    raise NodeFailure("expression_error", f"input.{key} at item {index}: {exc}") from None
            outputs.append(ctx.call(self.config.microflow, child_input))
        if self.config.result:
            ctx.set(self.config.result, outputs)
        return None


NODE_TYPE = NodeType(
    type="foreach", label="For each", category="flow", icon="↻", color="#9333ea",
    help="Runs a microflow for every item of a list (the item is bound to the 'as' name, its "
    "position to 'index'); the result variable gets the list of outputs, in order.",
    config=ForeachConfig, executor=ForeachExecutor,
    example={"items": "orders", "as": "order", "microflow": "price-order", "input": {"order": "order"}, "result": "priced"},
)
