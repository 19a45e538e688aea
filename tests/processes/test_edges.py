"""Edge cases: bad bodies are 4xx in the contract's shape, reminders, the node-type palette."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes.timers import fire_due
from tests.processes.conftest import leave_request

pytestmark = pytest.mark.django_db


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_start_without_a_body_uses_empty_input_and_bad_shapes_are_400(api, people):
    api.post("/api/processes", {"name": "bare", "nodes": [{"id": "start", "type": "start"}, {"id": "end", "type": "end"}],
                                "edges": [{"from": "start", "to": "end"}]})
    response = api.post("/api/processes/bare/start")
    assert response.status_code == 202 and response.json()["status"] == "completed"
    assert error(api.post("/api/processes/bare/start", {"input": "x"}), 400)["code"] == "invalid_request"
    assert error(api.post("/api/processes/bare/start", raw="{oops"), 400)["code"] == "malformed_json"


def test_task_action_bodies_are_checked(api, bob_api, people):
    api.post("/api/processes", leave_request())
    api.post("/api/processes/leave-request/start", {"input": {"days": 1}})
    task = bob_api.get("/api/inbox").json()[0]
    assert error(bob_api.post(f"/api/tasks/{task['id']}/complete", {}), 400)["code"] == "invalid_request"
    assert error(bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve", "data": [1]}), 400)
    assert error(bob_api.post(f"/api/tasks/{task['id']}/delegate", {}), 400)


def test_anonymous_calls_are_401(anonymous):
    for path in ("/api/inbox", "/api/processes", "/api/process-instances"):
        assert error(anonymous.get(path), 401)["code"] == "unauthenticated"


def test_a_reminder_fires_while_the_task_is_open(api, bob_api, people):
    api.post("/api/processes", leave_request("remind", remind_in="PT4H"))
    instance = api.post("/api/processes/remind/start", {"input": {"days": 1}}).json()["id"]
    assert fire_due(timezone.now() + dt.timedelta(hours=5)) == 1
    history = [h["event"] for h in api.get(f"/api/process-instances/{instance}").json()["history"]]
    assert "task.reminded" in history and "task.escalated" not in history


def test_the_palette_lists_every_process_node_type(api):
    types = {t["type"]: t for t in api.get("/api/process-node-types").json()}
    assert set(types) == {"start", "end", "user_task", "decision", "microflow", "timer", "parallel", "join"}
    assert "outcomes" in types["user_task"]["config_schema"]["properties"]
