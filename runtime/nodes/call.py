"""`call`: runs another microflow (its latest version) with mapped input; its output goes to `result`."""

from runtime.nodes.base import Executor, ExpressionCompiler, NodeConfig, NodeType, evaluate_map
from runtime.nodes.fields import ExpressionMap, MicroflowName, VariableName


class CallConfig(NodeConfig):
    microflow: MicroflowName
    input: ExpressionMap
    result: VariableName | None = None


class CallExecutor(Executor):
    def __init__(self, config: CallConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.input = compiler.exprs("input", config.input)

    def run(self, ctx) -> None:
        output = ctx.call(self.config.microflow, evaluate_map(self.input, ctx, "input"))
        if self.config.result:
            ctx.set(self.config.result, output)
        return None


NODE_TYPE = NodeType(
    type="call", label="Call microflow", category="flow", icon="↪", color="#4f46e5",
    help="Runs another microflow with mapped input; its output becomes the result variable.",
    config=CallConfig, executor=CallExecutor,
    example={"microflow": "credit-check", "input": {"amount": "amount"}, "result": "check"},
)
