"""The approval inbox in a real Chromium: a task arrives live (no reload), is approved with
one click, and leaves the list; the header badge follows."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PROCESS = {
    "name": "browser-leave",
    "params": [{"name": "who", "type": "string", "required": True}],
    "nodes": [{"id": "start", "type": "start"},
              {"id": "mgr", "type": "user_task", "config": {"title": "'Leave for ' + who", "group": "managers",
                                                            "outcomes": ["approve", "reject"], "due_in": "P2D"}},
              {"id": "done", "type": "end"}],
    "edges": [{"from": "start", "to": "mgr"}, {"from": "mgr", "to": "done"}],
}


def test_a_task_arrives_live_is_approved_and_leaves(page, stack):
    if stack.call("POST", "/api/processes", PROCESS).status_code == 409:
        stack.call("PUT", "/api/processes/browser-leave", PROCESS)
    sign_in(page, stack, "bob")
    page.goto(f"{stack.base}/inbox/")
    expect(page.locator("body")).to_have_attribute("data-notify", "open", timeout=10_000)
    who = f"visitor-{uuid.uuid4().hex[:6]}"
    started = stack.call("POST", "/api/processes/browser-leave/start", {"input": {"who": who}}, user="alice")
    assert started.status_code == 202
    row = page.locator("tr.task-row", has_text=f"Leave for {who}")
    expect(row).to_be_visible(timeout=10_000)  # arrived over /ws/notify/, no reload
    expect(page.locator("#inbox-badge")).not_to_have_text("0")
    row.get_by_role("button", name="Approve").click()
    expect(row).to_have_count(0, timeout=10_000)
    expect(page.locator("#inbox-status")).to_contain_text("approve")
    body = stack.call("GET", f"/api/process-instances/{started.json()['id']}", user="alice").json()
    assert body["status"] == "completed" and body["variables"]["mgr"]["by"] == "bob"


def test_a_task_someone_else_claims_disappears(page, stack):
    if stack.call("POST", "/api/processes", PROCESS).status_code == 409:
        stack.call("PUT", "/api/processes/browser-leave", PROCESS)
    who = f"claimed-{uuid.uuid4().hex[:6]}"
    started = stack.call("POST", "/api/processes/browser-leave/start", {"input": {"who": who}}, user="alice")
    sign_in(page, stack, "bob")
    page.goto(f"{stack.base}/inbox/")
    expect(page.locator("body")).to_have_attribute("data-notify", "open", timeout=10_000)
    row = page.locator("tr.task-row", has_text=f"Leave for {who}")
    expect(row).to_be_visible()
    task = stack.call("GET", f"/api/process-instances/{started.json()['id']}", user="alice").json()["open_tasks"][0]
    assert stack.call("POST", f"/api/tasks/{task['id']}/delegate", {"assignee": "carol"}, user="admin").status_code == 200
    expect(row).to_have_count(0, timeout=10_000)
