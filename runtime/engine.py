"""The microflow engine: a graph walk over a CompiledFlow and a variables dict.

Plain Python with no Django, Redis or database in it: give it a compiled flow, the start
variables and a `Runner` (the step budget, the call depth, a way to load other flows, an
optional observer for live node events) and get back an `Outcome` with the output or
error and the per-node trace, buffered in memory for the caller to store once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runtime.definition import CompiledFlow, CompiledNode
from runtime.nodes.base import NodeFailure
from runtime.nodes.decision import EDGE_CONDITIONS
from runtime.params import InvalidInput, InvalidOutput, check_input, check_output

SUCCEEDED = "succeeded"
FAILED = "failed"

FlowLoader = Callable[[str], CompiledFlow]
NodeObserver = Callable[[dict[str, Any]], None]


class BudgetExceeded(Exception):
    pass


@dataclass
class Runner:
    """What one execution shares across its flow and the flows it calls."""

    load: FlowLoader
    budget: int = 10_000
    max_depth: int = 32
    observer: NodeObserver | None = None
    steps_taken: int = 0

    def spend(self) -> None:
        self.steps_taken += 1
        if self.steps_taken > self.budget:
            raise BudgetExceeded


@dataclass
class Outcome:
    status: str
    output: dict[str, Any] | None
    error: dict[str, Any] | None
    steps: list[dict[str, Any]]
    variables: dict[str, Any]


@dataclass
class RunContext:
    """What a node's executor sees: the variables and the few things it may do."""

    variables: dict[str, Any]
    runner: Runner
    depth: int
    written: list[str] = field(default_factory=list)
    output: dict[str, Any] | None = None
    finished: bool = False

    def set(self, name: str, value: Any) -> None:
        self.variables[name] = value
        self.written.append(name)

    def finish(self, output: dict[str, Any]) -> None:
        self.output = output
        self.finished = True

    def call(self, microflow: str, given: dict[str, Any]) -> dict[str, Any]:
        if self.depth + 1 > self.runner.max_depth:
            raise NodeFailure("call_depth_exceeded", f"microflows call each other more than {self.runner.max_depth} deep")
        try:
            flow = self.runner.load(microflow)
        except LookupError:
            raise NodeFailure("unknown_microflow", f"there is no microflow named '{microflow}'") from None
        try:
            variables = check_input(flow.params, given)
        except InvalidInput as exc:
            raise NodeFailure("invalid_input", f"{microflow}: {exc}") from None
        outcome = run_flow(flow, variables, self.runner, depth=self.depth + 1, trace=False)
        if outcome.status != SUCCEEDED:
            error = outcome.error or {}
            if error.get("code") == "step_budget_exceeded":
                raise BudgetExceeded
            raise NodeFailure(error.get("code", "failed"), f"{microflow}: {error.get('message', 'failed')}")
        return outcome.output or {}


def _follow(node: CompiledNode, port: str | None, ctx: RunContext) -> str | None:
    if port is None:
        return node.next
    if port == EDGE_CONDITIONS:
        for expression, target in node.conditions:
            try:
                taken = expression.evaluate(ctx.variables)
            except Exception as exc:
                raise NodeFailure("expression_error", f"edge condition ({expression.source}): {exc}") from None
            if taken is True:
                return target
        if node.otherwise is not None:
            return node.otherwise
        raise NodeFailure("no_branch", "no edge condition held and there is no 'otherwise' edge")
    return node.branches.get(port)


def run_flow(
    flow: CompiledFlow,
    variables: dict[str, Any],
    runner: Runner,
    *,
    depth: int = 0,
    trace: bool = True,
) -> Outcome:
    ctx = RunContext(variables=variables, runner=runner, depth=depth)
    steps: list[dict[str, Any]] = []
    observer = runner.observer if trace else None
    node_id: str | None = flow.start
    clock = time.perf_counter
    while node_id is not None:
        node = flow.nodes[node_id]
        try:
            runner.spend()
        except BudgetExceeded:
            return _failed(ctx, steps, "step_budget_exceeded",
                           f"the run took more than {runner.budget} steps", node.id)
        started_at = time.time()
        began = clock()
        ctx.written = []
        error = None
        try:
            port = node.executor.run(ctx)
            if ctx.finished:
                next_id = None
                if flow.outputs:  # typed outputs only: untyped flows pay nothing here
                    ctx.output = check_output(flow.outputs, ctx.output or {})
            else:
                next_id = _follow(node, port, ctx)
        except NodeFailure as failure:
            error = {"code": failure.code, "message": failure.message, "node": node.id}
        except InvalidOutput as exc:
            error = {"code": "invalid_output", "message": f"the output does not fit the declared outputs: {exc}",
                     "node": node.id, "details": exc.details}
        except BudgetExceeded:
            return _failed(ctx, steps, "step_budget_exceeded",
                           f"the run took more than {runner.budget} steps", node.id)
        except Exception as exc:  # a bug in a node type must not take the run down silently
            error = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}", "node": node.id}
        duration_ms = (clock() - began) * 1000
        if trace:
            step = {
                "node": node.id,
                "type": node.type,
                "status": FAILED if error else SUCCEEDED,
                "started_at": started_at,
                "duration_ms": round(duration_ms, 3),
                "error": error,
                "variables": {name: ctx.variables.get(name) for name in ctx.written},
            }
            steps.append(step)
            if observer is not None:
                observer(step)
        if error is not None:
            if node.on_error is None or error["code"] == "invalid_output":  # the flow's own fault
                return Outcome(FAILED, None, error, steps, ctx.variables)
            ctx.variables["error"] = error
            next_id = node.on_error
        if ctx.finished:
            return Outcome(SUCCEEDED, ctx.output or {}, None, steps, ctx.variables)
        node_id = next_id
    return Outcome(SUCCEEDED, ctx.output or {}, None, steps, ctx.variables)


def _failed(ctx: RunContext, steps: list, code: str, message: str, node: str | None) -> Outcome:
    return Outcome(FAILED, None, {"code": code, "message": message, "node": node}, steps, ctx.variables)
