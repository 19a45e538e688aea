"""Process test fixtures: users in groups (bob in managers, carol in directors), API clients
for each, and small process definitions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.conftest import JsonClient


@pytest.fixture(autouse=True)
def fresh_microflow_compiles():
    """runtime.catalog caches compiles by MicroflowVersion row id; a test's rolled-back rows
    free their ids for the next test's different microflows, so drop the ones we use."""
    yield
    from runtime import catalog

    for name in ("double", "boom", "book-leave", "credit-check"):
        catalog.forget(name)


def client_for(user, password: str) -> JsonClient:
    other = Client()
    response = other.post("/api/auth/token", data=json.dumps({"username": user.username, "password": password}),
                          content_type="application/json")
    assert response.status_code == 200, response.content
    return JsonClient(other, response.json()["token"])


@pytest.fixture
def managers(db):
    return Group.objects.create(name="managers")


@pytest.fixture
def directors(db):
    return Group.objects.create(name="directors")


@pytest.fixture
def carol(django_user_model, directors):
    user = django_user_model.objects.create_user("carol", password="pw-carol")
    user.groups.add(directors)
    return user


@pytest.fixture
def dave(django_user_model, managers):
    user = django_user_model.objects.create_user("dave", password="pw-dave")
    user.groups.add(managers)
    return user


@pytest.fixture
def people(alice, bob, carol, dave, managers):
    bob.groups.add(managers)
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave}


@pytest.fixture
def carol_api(carol) -> JsonClient:
    return client_for(carol, "pw-carol")


@pytest.fixture
def dave_api(dave) -> JsonClient:
    return client_for(dave, "pw-dave")


def leave_request(name: str = "leave-request", **task_extra: Any) -> dict[str, Any]:
    """start -> mgr (managers, approve/reject, P2D, escalates to directors) -> gw -> done/rejected."""
    task = {"title": "'Approve ' + string(days) + ' days'", "group": "managers",
            "outcomes": ["approve", "reject"], "due_in": "P2D", "escalate_to": {"group": "directors"},
            **task_extra}
    return {
        "name": name,
        "params": [{"name": "days", "type": "integer", "required": True}],
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "mgr", "type": "user_task", "config": task},
            {"id": "gw", "type": "decision", "config": {"condition": "mgr.outcome == 'approve'"}},
            {"id": "wait", "type": "timer", "config": {"duration": "P1D"}},
            {"id": "done", "type": "end"},
            {"id": "rejected", "type": "end"},
        ],
        "edges": [{"from": "start", "to": "mgr"}, {"from": "mgr", "to": "gw"},
                  {"from": "gw", "to": "wait", "when": "true"}, {"from": "gw", "to": "rejected", "when": "false"},
                  {"from": "wait", "to": "done"}],
    }


def parallel_process(name: str = "two-signatures") -> dict[str, Any]:
    return {
        "name": name,
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "fork", "type": "parallel"},
            {"id": "legal", "type": "user_task", "config": {"title": "'Legal'", "assignee": "'carol'", "outcomes": ["ok"]}},
            {"id": "money", "type": "user_task", "config": {"title": "'Money'", "group": "managers", "outcomes": ["ok"]}},
            {"id": "both", "type": "join"},
            {"id": "done", "type": "end"},
        ],
        "edges": [{"from": "start", "to": "fork"}, {"from": "fork", "to": "legal"}, {"from": "fork", "to": "money"},
                  {"from": "legal", "to": "both"}, {"from": "money", "to": "both"}, {"from": "both", "to": "done"}],
    }
