"""`start`: where every microflow begins (exactly one per flow)."""

from runtime.nodes.base import Executor, NodeConfig, NodeType


class StartConfig(NodeConfig):
    pass


class StartExecutor(Executor):
    def run(self, ctx) -> None:
        return None


NODE_TYPE = NodeType(
    type="start", label="Start", category="flow", icon="▶", color="#16a34a",
    help="Where the microflow begins. The params are the first variables.",
    config=StartConfig, executor=StartExecutor,
)
