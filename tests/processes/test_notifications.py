"""Notifications on /ws/notify/: who hears about a task arriving, being claimed or completed,
and a process finishing; all sent only after the commit."""

from __future__ import annotations

import pytest

from runtime import push
from tests.processes.conftest import leave_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    messages: list[tuple[str, dict]] = []
    monkeypatch.setattr(push, "push", lambda group, message: messages.append((group, message)))
    return messages


def to(sent, user, kind: str) -> list[dict]:
    return [m for g, m in sent if g == push.user_group(user.pk) and m["type"] == kind]


def test_task_events_reach_the_people_concerned_after_commit(api, bob_api, people, sent,
                                                             django_capture_on_commit_callbacks):
    alice, bob, dave, carol = people["alice"], people["bob"], people["dave"], people["carol"]
    api.post("/api/processes", leave_request())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api.post("/api/processes/leave-request/start", {"input": {"days": 2}})
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert to(sent, bob, "task.created")[0]["task"]["title"] == "Approve 2 days"
    assert to(sent, dave, "task.created") and not to(sent, carol, "task.created") and not to(sent, alice, "task.created")
    task_id = to(sent, bob, "task.created")[0]["task"]["id"]

    with django_capture_on_commit_callbacks(execute=True):
        bob_api.post(f"/api/tasks/{task_id}/claim")
    assert to(sent, dave, "task.claimed")[0]["by"] == "bob"

    with django_capture_on_commit_callbacks(execute=True):
        bob_api.post(f"/api/tasks/{task_id}/complete", {"outcome": "reject"})
    assert to(sent, bob, "task.completed")[0]["task"]["id"] == task_id
    finished = to(sent, alice, "process.finished")
    assert finished and finished[0]["status"] == "completed" and finished[0]["process"] == "leave-request"


def test_a_cancel_tells_the_group_the_task_was_withdrawn(api, people, sent, django_capture_on_commit_callbacks):
    api.post("/api/processes", leave_request())
    instance = api.post("/api/processes/leave-request/start", {"input": {"days": 2}}).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/process-instances/{instance}/cancel")
    assert to(sent, people["dave"], "task.withdrawn")
    assert to(sent, people["alice"], "process.finished")[0]["status"] == "cancelled"
