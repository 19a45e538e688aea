"""Runs flows in-process with given connections (the engine, no server), for node tests."""

from __future__ import annotations

from typing import Any

from runtime.definition import compile_flow
from runtime.engine import Outcome, Runner, run_flow
from runtime.integrations.connections import using
from runtime.params import check_input


def one_node(name: str, node: dict[str, Any], params: list[str] | None = None,
             output: dict[str, str] | None = None) -> dict[str, Any]:
    """start -> node -> end, with an error edge to an end that outputs the error."""
    return {
        "name": name,
        "params": [{"name": p, "type": "any"} for p in (params or [])],
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "n", **node},
            {"id": "end", "type": "end", "config": {"output": output or {"result": "result"}}},
        ],
        "edges": [{"from": "start", "to": "n"}, {"from": "n", "to": "end"}],
    }


def run(definition: dict[str, Any], inputs: dict[str, Any] | None = None,
        connections: dict[str, Any] | None = None) -> Outcome:
    flow = compile_flow(definition)

    def load(name: str):
        raise LookupError(name)

    with using(connections or {}):
        return run_flow(flow, check_input(flow.params, inputs or {}), Runner(load=load))
