"""The process canvas editor in a real Chromium: a stored process opens on the canvas with
every node, a node's settings form shows its config, and Save stores a new version."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PROCESS = {
    "name": "canvas-leave", "title": "Canvas leave",
    "params": [{"name": "days", "type": "integer", "required": True}],
    "nodes": [{"id": "start", "type": "start", "ui": {"x": 40, "y": 100}},
              {"id": "mgr", "type": "user_task", "ui": {"x": 240, "y": 100},
               "config": {"title": "'Leave ' + string(days)", "group": "managers", "outcomes": ["approve", "reject"]}},
              {"id": "gw", "type": "decision", "ui": {"x": 440, "y": 100}, "config": {"condition": "mgr.outcome == 'approve'"}},
              {"id": "wait", "type": "timer", "ui": {"x": 640, "y": 40}, "config": {"duration": "P1D"}},
              {"id": "done", "type": "end", "ui": {"x": 840, "y": 40}},
              {"id": "no", "type": "end", "ui": {"x": 640, "y": 180}}],
    "edges": [{"from": "start", "to": "mgr"}, {"from": "mgr", "to": "gw"}, {"from": "gw", "to": "wait", "when": "true"},
              {"from": "gw", "to": "no", "when": "false"}, {"from": "wait", "to": "done"}],
}


def test_a_process_opens_on_the_canvas_and_saves_a_new_version(page, stack):
    if stack.call("POST", "/api/processes", PROCESS, user="admin").status_code == 409:
        stack.call("PUT", "/api/processes/canvas-leave", PROCESS, user="admin")
    before = stack.call("GET", "/api/processes/canvas-leave").json()["version"]
    sign_in(page, stack, "admin")
    page.goto(f"{stack.base}/designer/processes/canvas-leave/")
    expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=15_000)
    expect(page.locator(".drawflow-node")).to_have_count(6)
    expect(page.locator("#pe-palette button")).to_have_count(8)
    page.locator('.drawflow-node[data-node-id="mgr"]').click()
    expect(page.locator("#pe-panel h2")).to_contain_text("mgr")
    page.click("#pe-save")
    expect(page.locator("#pe-status")).to_contain_text(f"Saved version {before + 1}")
    saved = stack.call("GET", "/api/processes/canvas-leave").json()
    assert {e["from"] + ">" + e["to"] + ":" + str(e.get("when")) for e in saved["edges"]} == {
        e["from"] + ">" + e["to"] + ":" + str(e.get("when")) for e in PROCESS["edges"]}
    assert saved["nodes"][1]["config"]["outcomes"] == ["approve", "reject"]
