"""Small flow definitions shared by tests."""

from __future__ import annotations

from typing import Any


def linear(name: str, nodes: list[dict[str, Any]], params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """start -> nodes... in order (each node needs an id); the last must be an end node."""
    all_nodes = [{"id": "start", "type": "start"}, *nodes]
    edges = [{"from": a["id"], "to": b["id"]} for a, b in zip(all_nodes, all_nodes[1:], strict=False)]
    return {"name": name, "params": params or [], "nodes": all_nodes, "edges": edges}


CREDIT_CHECK = {
    "name": "credit-check",
    "title": "Credit check",
    "params": [{"name": "amount", "type": "number", "required": True}, {"name": "customer", "type": "object"}],
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "big", "type": "decision", "config": {"condition": "amount > 1000"}},
        {"id": "ok", "type": "end", "config": {"output": {"approved": "true"}}},
        {"id": "no", "type": "end", "config": {"output": {"approved": "false", "reason": "'too big'"}}},
    ],
    "edges": [
        {"from": "start", "to": "big"},
        {"from": "big", "to": "no", "when": "true"},
        {"from": "big", "to": "ok", "when": "false"},
    ],
}


def ten_node_flow(name: str = "ten-nodes") -> dict[str, Any]:
    """The benchmark's flow: 10 nodes of assign/decision between start and end."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start"}]
    edges: list[dict[str, Any]] = []
    previous = "start"
    for i in range(4):
        nodes.append({"id": f"a{i}", "type": "assign", "config": {"set": {f"v{i}": f"x + {i}", "x": "x + 1"}}})
        edges.append({"from": previous, "to": f"a{i}", **({"when": "false"} if previous != "start" else {})})
        nodes.append({"id": f"d{i}", "type": "decision", "config": {"condition": f"x > {100 + i}"}})
        edges.append({"from": f"a{i}", "to": f"d{i}"})
        nodes.append({"id": f"big{i}", "type": "end", "config": {"output": {"x": "x", "big": "true"}}})
        edges.append({"from": f"d{i}", "to": f"big{i}", "when": "true"})
        previous = f"d{i}"
    nodes.append({"id": "end", "type": "end", "config": {"output": {"x": "x", "v3": "v3"}}})
    edges.append({"from": previous, "to": "end", "when": "false"})
    return {"name": name, "params": [{"name": "x", "type": "integer", "required": True}], "nodes": nodes, "edges": edges}
