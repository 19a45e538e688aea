"""`end`: finishes the run; `output` maps each output field to an expression."""

from runtime.nodes.base import Executor, ExpressionCompiler, NodeConfig, NodeType, evaluate_map
from runtime.nodes.fields import ExpressionMap


class EndConfig(NodeConfig):
    output: ExpressionMap


class EndExecutor(Executor):
    def __init__(self, config: EndConfig, compiler: ExpressionCompiler) -> None:
        self.output = compiler.exprs("output", config.output)

    def run(self, ctx) -> None:
        ctx.finish(evaluate_map(self.output, ctx, "output"))
        return None


NODE_TYPE = NodeType(
    type="end", label="End", category="flow", icon="■", color="#dc2626", ports=(), terminal=True,
    help="Finishes the run. Each output field is computed from an expression over the variables.",
    config=EndConfig, executor=EndExecutor, example={"output": {"approved": "amount < 1000"}},
)
