"""`fail`: stops the run with a business error (`code`, `message`); an `error` edge may catch it."""

from runtime.nodes.base import (
    Executor,
    ExpressionCompiler,
    NodeConfig,
    NodeFailure,
    NodeType,
    evaluate,
)
from runtime.nodes.fields import ExpressionText, Slug


class FailConfig(NodeConfig):
    message: ExpressionText
    code: Slug = "business_error"


class FailExecutor(Executor):
    def __init__(self, config: FailConfig, compiler: ExpressionCompiler) -> None:
        self.message = compiler.expr("message", config.message)
        self.code = config.code

    def run(self, ctx) -> None:
        message = evaluate(self.message, ctx, "message")
        raise NodeFailure(self.code, message if isinstance(message, str) else str(message))


NODE_TYPE = NodeType(
    type="fail", label="Fail", category="flow", icon="✖", color="#991b1b", terminal=True,
    help="Stops with a business error. The message is an expression; the code is a slug callers can route on.",
    config=FailConfig, executor=FailExecutor, example={"message": "'amount too large'", "code": "too-large"},
)
