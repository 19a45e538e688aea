"""`wait`: sleeps for `seconds` (at most an hour), for long-running asynchronous work."""

import time

from pydantic import Field

from runtime.nodes.base import Executor, ExpressionCompiler, NodeConfig, NodeType


class WaitConfig(NodeConfig):
    seconds: float = Field(ge=0, le=3600, description="how long to wait, in seconds (≤ 3600)")


class WaitExecutor(Executor):
    def __init__(self, config: WaitConfig, compiler: ExpressionCompiler) -> None:
        self.seconds = config.seconds

    def run(self, ctx) -> None:
        time.sleep(self.seconds)
        return None


NODE_TYPE = NodeType(
    type="wait", label="Wait", category="flow", icon="⏱", color="#7c3aed",
    help="Waits a number of seconds (up to 3600). Best used in asynchronous runs.",
    config=WaitConfig, executor=WaitExecutor, example={"seconds": 2},
)
