"""The difference between two versions of a flow definition, for the editor's version history.

Nodes are matched by id, edges by (from, to, when); params by name. Layout-only changes
(a node's `ui` position) are reported apart from real changes, so a diff that only moved
boxes around reads as such.
"""

from __future__ import annotations

from typing import Any

EdgeKey = tuple[str, str, str]


def _edge_key(edge: dict[str, Any]) -> EdgeKey:
    return (str(edge.get("from")), str(edge.get("to")), str(edge.get("when") or ""))


def _by(items: list[dict[str, Any]], key) -> dict[Any, dict[str, Any]]:
    return {key(item): item for item in items if isinstance(item, dict)}


def _changed_fields(old: dict[str, Any], new: dict[str, Any], ignore: set[str]) -> list[str]:
    keys = (set(old) | set(new)) - ignore
    return sorted(k for k in keys if old.get(k) != new.get(k))


def diff_definitions(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from `old` to `new`: nodes, edges and params added, removed and changed."""
    old_nodes = _by(old.get("nodes") or [], lambda n: str(n.get("id")))
    new_nodes = _by(new.get("nodes") or [], lambda n: str(n.get("id")))
    changed_nodes = []
    moved_nodes = []
    for node_id in sorted(set(old_nodes) & set(new_nodes)):
        before, after = old_nodes[node_id], new_nodes[node_id]
        fields = _changed_fields(before, after, {"ui"})
        if fields:
            changed_nodes.append({"id": node_id, "fields": fields, "before": before, "after": after})
        elif before.get("ui") != after.get("ui"):
            moved_nodes.append(node_id)

    old_edges = _by(old.get("edges") or [], _edge_key)
    new_edges = _by(new.get("edges") or [], _edge_key)
    changed_edges = [
        {"edge": new_edges[k], "fields": _changed_fields(old_edges[k], new_edges[k], {"ui"})}
        for k in old_edges.keys() & new_edges.keys()
        if _changed_fields(old_edges[k], new_edges[k], {"ui"})
    ]

    old_params = _by(old.get("params") or [], lambda p: str(p.get("name")))
    new_params = _by(new.get("params") or [], lambda p: str(p.get("name")))

    flow_fields = _changed_fields(
        {k: v for k, v in old.items() if k not in ("nodes", "edges", "params")},
        {k: v for k, v in new.items() if k not in ("nodes", "edges", "params")},
        {"version", "created_at", "created_by"},
    )
    return {
        "nodes": {
            "added": [new_nodes[k] for k in sorted(new_nodes.keys() - old_nodes.keys())],
            "removed": [old_nodes[k] for k in sorted(old_nodes.keys() - new_nodes.keys())],
            "changed": changed_nodes,
            "moved": moved_nodes,
        },
        "edges": {
            "added": [new_edges[k] for k in sorted(new_edges.keys() - old_edges.keys())],
            "removed": [old_edges[k] for k in sorted(old_edges.keys() - new_edges.keys())],
            "changed": sorted(changed_edges, key=lambda c: _edge_key(c["edge"])),
        },
        "params": {
            "added": [new_params[k] for k in sorted(new_params.keys() - old_params.keys())],
            "removed": [old_params[k] for k in sorted(old_params.keys() - new_params.keys())],
            "changed": [new_params[k] for k in sorted(old_params.keys() & new_params.keys())
                        if old_params[k] != new_params[k]],
        },
        "flow": flow_fields,
    }
