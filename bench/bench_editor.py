"""The flow editor at 200 nodes: time to interactive and frame time while dragging.

Starts the real stack in fresh state, saves a 200-node microflow (a chain of assign and
decision nodes laid out on a grid, ~200 edges), then drives Debian's chromium through
Playwright: opens `/designer/microflows/<name>/` several times and reports the time from
navigation start until the editor is interactive (palette, canvas and every node built:
the page sets `data-ready`), then drags one node and then a 50-node selection across
the canvas with the mouse while a requestAnimationFrame loop records frame times.
Also times the snapshot taken after every edit (undo) and fit-to-screen.

Not part of the test suite: `python bench/bench_editor.py [--runs 5]`. Target (issue 3):
stays smooth at 200 nodes (frame time p95 well under 33 ms, i.e. >= 30 fps while dragging).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.stack import Stack  # noqa: E402

NODES = 200
NAME = "bench-editor-200"

FRAME_RECORDER = """
() => {
  window.__frames = [];
  let last = performance.now();
  window.__recording = true;
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def big_flow() -> dict:
    nodes = [{"id": "start", "type": "start", "ui": {"x": 0, "y": 0}}]
    edges = []
    previous, port = "start", None

    def link(target: str) -> None:
        edges.append({"from": previous, "to": target, **({"when": port} if port else {})})

    i = 0
    while len(nodes) < NODES - 1:
        i += 1
        x, y = (i % 20) * 220, (i // 20) * 180
        if i % 5 == 0 and len(nodes) + 2 <= NODES - 1:
            nodes.append({"id": f"d{i}", "type": "decision", "config": {"condition": f"x > {i}"}, "ui": {"x": x, "y": y}})
            link(f"d{i}")
            nodes.append({"id": f"e{i}", "type": "end", "config": {"output": {"x": "x"}}, "ui": {"x": x, "y": y + 90}})
            edges.append({"from": f"d{i}", "to": f"e{i}", "when": "true"})
            previous, port = f"d{i}", "false"
        else:
            nodes.append({"id": f"a{i}", "type": "assign", "config": {"set": {f"v{i}": f"x + {i}"}}, "ui": {"x": x, "y": y}})
            link(f"a{i}")
            previous, port = f"a{i}", None
    nodes.append({"id": "end", "type": "end", "config": {"output": {"x": "x"}}, "ui": {"x": 0, "y": (i // 20 + 1) * 180}})
    link("end")
    return {"name": NAME, "title": "200 nodes", "params": [{"name": "x", "type": "integer"}], "nodes": nodes, "edges": edges}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drag(page, selector: str, steps: int) -> list[float]:
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate(FRAME_RECORDER)
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x + i * 3, y + (i % 40) * 2)
    page.mouse.up()
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => { window.__recording = false; r(); }))")
    frames = page.evaluate("window.__frames")
    return frames[1:]  # the first delta spans the set-up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads to time")
    parser.add_argument("--steps", type=int, default=120, help="mouse moves per drag")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="bench-editor-"))
    stack = Stack(var_dir, workers=1).start()
    try:
        flow = big_flow()
        response = stack.call("POST", "/api/microflows", flow)
        assert response.status_code == 201, response.text
        print(f"flow: {len(flow['nodes'])} nodes, {len(flow['edges'])} edges")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{stack.base}/accounts/login/")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", "admin")
            page.click("button[type=submit]")
            page.wait_for_url(f"{stack.base}/")

            loads = []
            for _ in range(args.runs):
                page.goto(f"{stack.base}/designer/microflows/{NAME}/")
                page.wait_for_selector("body[data-ready='1']", timeout=60_000)
                loads.append(float(page.evaluate("document.body.dataset.readyAt")))
            count = page.locator(".drawflow-node").count()
            assert count == NODES, count

            where = "(id) => window.onewebEditor.definition().nodes.find((n) => n.id === id).ui"
            before = page.evaluate(where, "a3")
            moved_before = page.evaluate(where, "a1")
            single = drag(page, ".drawflow-node[data-node-id='a1']", args.steps)
            assert page.evaluate(where, "a1") != moved_before, "the drag did not move the node"
            page.evaluate("""() => window.onewebEditor.canvas.select(
                window.onewebEditor.canvas.nodeIds().slice(0, 50))""")
            group = drag(page, ".drawflow-node[data-node-id='a2']", args.steps)
            after = page.evaluate(where, "a3")
            assert after != before, "the 50-node drag did not move the selection"
            snapshot_ms = page.evaluate("""() => { const t = performance.now();
                for (let i = 0; i < 10; i++) window.onewebEditor.snapshot();
                return (performance.now() - t) / 10; }""")
            fit_ms = page.evaluate("""() => { const t = performance.now();
                window.onewebEditor.canvas.fit(); return performance.now() - t; }""")
            browser.close()

        print(f"time to interactive (navigation start -> editor ready), {args.runs} loads: "
              f"median {statistics.median(loads):.0f} ms, min {min(loads):.0f} ms, max {max(loads):.0f} ms")
        for label, frames in (("drag 1 node", single), ("drag 50 selected nodes", group)):
            print(f"frame time while {label} ({len(frames)} frames): p50 {pct(frames, 0.5):.1f} ms, "
                  f"p95 {pct(frames, 0.95):.1f} ms, max {max(frames):.1f} ms "
                  f"(~{1000 / statistics.mean(frames):.0f} fps)")
        print(f"undo snapshot of the whole flow: {snapshot_ms:.1f} ms; fit to screen: {fit_ms:.1f} ms")
        print(f"console errors: {len(errors)}")
    finally:
        stack.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
