"""`checksum`: the digest of a value (text as UTF-8, anything else as canonical JSON).

A complete custom node type: a pydantic config (unknown keys refused), an executor that
compiles its expression once and runs many times, and the metadata the editor shows.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import Field

from runtime.nodes.base import (
    Executor,
    ExpressionCompiler,
    NodeConfig,
    NodeFailure,
    NodeType,
    evaluate,
)
from runtime.nodes.fields import ExpressionText, VariableName


class ChecksumConfig(NodeConfig):
    value: ExpressionText = Field(description="what to digest")
    algorithm: Literal["sha256", "sha1", "md5", "blake2b"] = "sha256"
    result: VariableName


class ChecksumExecutor(Executor):
    def __init__(self, config: ChecksumConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.value = compiler.expr("value", config.value)  # compiled once, at save time

    def run(self, ctx) -> None:
        value = evaluate(self.value, ctx, "value")
        if isinstance(value, str):
            data = value.encode()
        else:
            try:
                data = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
            except (TypeError, ValueError):
                raise NodeFailure("checksum_error", "the value cannot be digested") from None
        ctx.set(self.config.result, hashlib.new(self.config.algorithm, data).hexdigest())
        return None  # leave by the default edge


NODE_TYPE = NodeType(
    type="checksum", label="Checksum", category="plug-ins", icon="#", color="#475569",
    help="Puts the hex digest (sha256 by default) of a value into a variable.",
    config=ChecksumConfig, executor=ChecksumExecutor,
    example={"value": "order", "algorithm": "sha256", "result": "digest"},
)
