"""`script`: the body of a JavaScript function, run in a fresh V8 isolate (mini-racer).

The isolate sees only `vars` (a JSON copy of the variables): no host, no files, no
network. It has a time limit (`timeout_s`, default from settings) and a heap limit; it
is closed after every run so no isolate outlives its node or holds the process open.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from py_mini_racer import (
    JSEvalException,
    JSOOMException,
    JSParseException,
    JSTimeoutException,
    MiniRacer,
)
from pydantic import Field

from runtime.conf import setting
from runtime.nodes.base import Executor, ExpressionCompiler, NodeConfig, NodeFailure, NodeType
from runtime.nodes.fields import VariableName

MAX_CODE = 100_000


class ScriptConfig(NodeConfig):
    code: str = Field(max_length=MAX_CODE, json_schema_extra={"format": "javascript"},
                      description="the body of function (vars) { ... }; what it returns is the result")
    result: VariableName | None = None
    timeout_s: float | None = Field(default=None, gt=0, le=30)


class ScriptExecutor(Executor):
    def __init__(self, config: ScriptConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.program = (
            "JSON.stringify((function (vars) {\n" + config.code + "\n})(JSON.parse(__VARS__)) ?? null)"
        )

    def run(self, ctx) -> None:
        timeout = self.config.timeout_s or setting("SCRIPT_TIMEOUT_S")
        source = self.program.replace("__VARS__", json.dumps(json.dumps(ctx.variables)), 1)
        if _loop_running():
            # mini-racer refuses a blocking timed eval inside a running event loop; run it beside.
            with ThreadPoolExecutor(max_workers=1) as pool:
                raw = pool.submit(_evaluate, source, timeout).result()
        else:
            raw = _evaluate(source, timeout)
        if self.config.result:
            ctx.set(self.config.result, json.loads(raw) if isinstance(raw, str) else None)
        return None


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _evaluate(source: str, timeout: float):
    racer = MiniRacer()
    try:
        return racer.eval(source, timeout_sec=timeout, max_memory=setting("SCRIPT_MAX_MEMORY_BYTES"))
    except JSTimeoutException:
        raise NodeFailure("timeout", f"the script ran longer than {timeout} s") from None
    except JSOOMException:
        raise NodeFailure("script_memory", "the script used more memory than allowed") from None
    except (JSParseException, JSEvalException) as exc:
        raise NodeFailure("script_error", _first_line(exc)) from None
    finally:
        racer.close()


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if "Error" in line:
            return line.strip()
    return lines[0] if lines else "the script failed"


NODE_TYPE = NodeType(
    type="script", label="Script", category="data", icon="{}", color="#ca8a04",
    help="JavaScript run in a sandbox: the body of function (vars) { ... }. What it returns goes "
    "to the result variable. Time- and memory-limited; no network, files or host access.",
    config=ScriptConfig, executor=ScriptExecutor,
    example={"code": "return vars.items.map(i => i.price).reduce((a, b) => a + b, 0);", "result": "total"},
)
