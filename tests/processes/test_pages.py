"""The process pages render for signed-in users (inbox, task, my requests, instance, designer)."""

from __future__ import annotations

import pytest

from processes.models import Task
from tests.processes.conftest import leave_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(api, people):
    api.post("/api/processes", leave_request())
    return api.post("/api/processes/leave-request/start", {"input": {"days": 3}}).json()["id"]


def test_the_inbox_lists_my_groups_task(client, people, started):
    client.force_login(people["bob"])
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert b"Approve 3 days" in page.content and b'id="inbox-badge"' in page.content


def test_the_task_page_shows_outcomes_variables_and_history(client, people, started):
    client.force_login(people["bob"])
    task = Task.objects.get()
    page = client.get(f"/inbox/tasks/{task.id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-outcome="approve"' in html and 'data-outcome="reject"' in html
    assert "days" in html and "task.created" in html and "Claim" in html


def test_outsiders_cannot_open_a_task_page(client, people, started):
    client.force_login(people["carol"])
    assert client.get(f"/inbox/tasks/{Task.objects.get().id}/").status_code == 404


def test_my_requests_and_the_instance_diagram_highlight_the_current_step(client, people, started):
    client.force_login(people["alice"])
    listing = client.get("/inbox/requests/")
    assert listing.status_code == 200 and started.encode() in listing.content
    page = client.get(f"/processes/instances/{started}/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    assert 'class="node node-current" data-node="mgr"' in html
    assert 'class="node node-done" data-node="start"' in html


def test_the_designer_page_lists_definitions_and_running_instances(client, admin_user, started):
    client.force_login(admin_user)
    page = client.get("/designer/processes/")
    assert page.status_code == 200
    assert b"leave-request" in page.content and b"Running instances" in page.content


def test_pages_need_a_sign_in(client):
    assert client.get("/inbox/").status_code == 302
