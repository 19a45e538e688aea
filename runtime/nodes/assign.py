"""`assign`: sets variables from expressions, in order (later ones see earlier ones)."""

from runtime.nodes.base import Executor, ExpressionCompiler, NodeConfig, NodeType, evaluate
from runtime.nodes.fields import ExpressionMap


class AssignConfig(NodeConfig):
    set: ExpressionMap


class AssignExecutor(Executor):
    def __init__(self, config: AssignConfig, compiler: ExpressionCompiler) -> None:
        for name in config.set:
            if not name.isidentifier():
                compiler.fail(f"set.{name}", f"'{name}' is not a valid variable name")
        self.assignments = list(compiler.exprs("set", config.set).items())

    def run(self, ctx) -> None:
        for name, expression in self.assignments:
            ctx.set(name, evaluate(expression, ctx, f"set.{name}"))
        return None


NODE_TYPE = NodeType(
    type="assign", label="Assign", category="data", icon="=", color="#2563eb",
    help="Sets variables, in order, each from a CEL expression over the variables so far.",
    config=AssignConfig, executor=AssignExecutor, example={"set": {"total": "price * qty"}},
)
