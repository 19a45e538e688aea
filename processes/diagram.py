"""A process diagram as inline SVG: nodes at their saved `ui` positions (or laid out in
layers from the start), edges as arrows, the current steps highlighted, done steps ticked.
Labels are escaped; the SVG is built from stored data only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

W, H, GAP_X, GAP_Y = 132, 46, 52, 26
SHAPES = {"start": "●", "end": "◉", "user_task": "👤", "decision": "◇", "microflow": "⚙", "timer": "⏱",
          "parallel": "⫴", "join": "⫴"}


def _layout(definition: dict[str, Any]) -> dict[str, tuple[float, float]]:
    nodes = definition.get("nodes", [])
    if nodes and all(isinstance(n.get("ui"), dict) and "x" in n["ui"] and "y" in n["ui"] for n in nodes):
        return {n["id"]: (float(n["ui"]["x"]), float(n["ui"]["y"])) for n in nodes}
    outgoing: dict[str, list[str]] = {}
    for edge in definition.get("edges", []):
        outgoing.setdefault(edge["from"], []).append(edge["to"])
    start = next((n["id"] for n in nodes if n["type"] == "start"), nodes[0]["id"] if nodes else None)
    depth: dict[str, int] = {}
    frontier = [start] if start else []
    if start:
        depth[start] = 0
    while frontier:
        nxt = []
        for node_id in frontier:
            for target in outgoing.get(node_id, []):
                if target not in depth:
                    depth[target] = depth[node_id] + 1
                    nxt.append(target)
        frontier = nxt
    for n in nodes:
        depth.setdefault(n["id"], max(depth.values(), default=0) + 1)
    rows: dict[int, int] = {}
    places = {}
    for n in nodes:
        d = depth[n["id"]]
        places[n["id"]] = (20 + d * (W + GAP_X), 20 + rows.get(d, 0) * (H + GAP_Y))
        rows[d] = rows.get(d, 0) + 1
    return places


def render_svg(definition: dict[str, Any], current: Iterable[str] = (), done: Iterable[str] = ()) -> SafeString:
    places = _layout(definition)
    if not places:
        return mark_safe("")
    current, done = set(current), set(done)
    width = max(x for x, _ in places.values()) + W + 20
    height = max(y for _, y in places.values()) + H + 20
    parts = [f'<svg class="process-diagram" role="img" aria-label="Process diagram" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" xmlns="http://www.w3.org/2000/svg">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#94a3b8"/></marker></defs>']
    for edge in definition.get("edges", []):
        if edge["from"] not in places or edge["to"] not in places:
            continue
        (x1, y1), (x2, y2) = places[edge["from"]], places[edge["to"]]
        label = edge.get("when") or ("if" if edge.get("condition") else "")
        parts.append(f'<line x1="{x1 + W:.0f}" y1="{y1 + H / 2:.0f}" x2="{x2:.0f}" y2="{y2 + H / 2:.0f}" '
                     f'stroke="#94a3b8" stroke-width="1.5" marker-end="url(#arrow)"/>')
        if label:
            parts.append(f'<text x="{(x1 + W + x2) / 2:.0f}" y="{(y1 + y2) / 2 + H / 2 - 4:.0f}" font-size="11" '
                         f'fill="#64748b" text-anchor="middle">{escape(label)}</text>')
    for node in definition.get("nodes", []):
        x, y = places[node["id"]]
        state = "current" if node["id"] in current else ("done" if node["id"] in done else "idle")
        fill = {"current": "#fde68a", "done": "#dcfce7", "idle": "#ffffff"}[state]
        stroke = {"current": "#d97706", "done": "#16a34a", "idle": "#cbd5e1"}[state]
        label = escape((node.get("title") or node["id"])[:18])
        parts.append(f'<g class="node node-{state}" data-node="{escape(node["id"])}">'
                     f'<rect x="{x:.0f}" y="{y:.0f}" width="{W}" height="{H}" rx="8" fill="{fill}" stroke="{stroke}" '
                     f'stroke-width="{3 if state == "current" else 1.5}"/>'
                     f'<text x="{x + 10:.0f}" y="{y + 19:.0f}" font-size="12" fill="#0f172a">'
                     f'{SHAPES.get(node["type"], "◆")} {label}</text>'
                     f'<text x="{x + 10:.0f}" y="{y + 36:.0f}" font-size="10" fill="#64748b">{escape(node["type"])}</text></g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
