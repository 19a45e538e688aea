"""Instances and tasks through the API: start, inbox, claim/release/delegate/complete, permissions,
cancel, parallel branches, microflow steps, timers and escalation with fire_timers."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from designer import services as designer
from processes.models import InstanceStatus, ProcessInstance, Task, Timer, TimerStatus
from runtime import api as runtime
from runtime.models import Execution
from tests.flows import linear
from tests.processes.conftest import leave_request, parallel_process

pytestmark = pytest.mark.django_db


def start(client, name: str = "leave-request", _expect: str = "running", **given) -> str:
    response = client.post(f"/api/processes/{name}/start", {"input": given})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == _expect
    return response.json()["id"]


def fire(at: dt.datetime) -> str:
    out = StringIO()
    call_command("fire_timers", "--at", at.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def leave(api, people):
    assert api.post("/api/processes", leave_request()).status_code == 201


def test_starting_creates_a_task_in_the_group_inbox_with_its_title(api, bob_api, dave_api, carol_api, leave):
    instance = start(api, days=3)
    bob_inbox = bob_api.get("/api/inbox").json()
    assert [t["title"] for t in bob_inbox] == ["Approve 3 days"]
    entry = bob_inbox[0]
    assert entry["group"] == "managers" and entry["assignee"] is None and entry["instance"] == instance
    assert entry["outcomes"] == ["approve", "reject"] and entry["due_at"] and not entry["escalated"]
    assert [t["id"] for t in dave_api.get("/api/inbox").json()] == [entry["id"]]
    assert carol_api.get("/api/inbox").json() == []
    assert api.get("/api/inbox").json() == []
    assert api.get("/api/inbox/count").json() == {"count": 0}
    assert bob_api.get("/api/inbox/count").json() == {"count": 1}


def test_bad_input_is_400_and_an_unknown_process_404(api, leave):
    response = api.post("/api/processes/leave-request/start", {"input": {"days": "many"}})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_input"
    assert api.post("/api/processes/nope/start", {"input": {}}).status_code == 404
    assert ProcessInstance.objects.count() == 0


def test_approving_walks_on_and_the_task_result_becomes_a_variable(api, bob_api, leave):
    instance = start(api, days=2)
    task = bob_api.get("/api/inbox").json()[0]
    done = bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve", "comment": "enjoy"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    body = api.get(f"/api/process-instances/{instance}").json()
    assert body["variables"]["mgr"] == {"outcome": "approve", "comment": "enjoy", "by": "bob", "data": {}}
    assert body["status"] == "running" and body["current"] == ["wait"] and body["open_tasks"] == []
    events = [h["event"] for h in body["history"]]
    assert events == ["started", "task.created", "task.completed", "decision", "timer.started"]
    assert bob_api.get("/api/inbox").json() == []
    # completed exactly once
    again = bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "task_closed"


def test_rejecting_completes_the_instance(api, bob_api, leave):
    instance = start(api, days=2)
    task = bob_api.get("/api/inbox").json()[0]
    bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "reject"})
    body = api.get(f"/api/process-instances/{instance}").json()
    assert body["status"] == "completed" and body["finished_at"]
    assert body["history"][-2]["event"] == "end" and body["history"][-2]["node"] == "rejected"


def test_an_outcome_not_offered_is_400(api, bob_api, leave):
    start(api, days=2)
    task = bob_api.get("/api/inbox").json()[0]
    response = bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "maybe"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_outcome"
    assert Task.objects.get(id=task["id"]).status == "open"


def test_outsiders_get_403_and_unknown_tasks_404(api, bob_api, carol_api, leave):
    start(api, days=2)
    task = bob_api.get("/api/inbox").json()[0]
    for action, body in [("complete", {"outcome": "approve"}), ("claim", None), ("release", None),
                         ("delegate", {"assignee": "carol"})]:
        response = carol_api.post(f"/api/tasks/{task['id']}/{action}", body)
        assert response.status_code == 403, (action, response.content)
        assert response.json()["error"]["code"] == "forbidden"
    assert carol_api.get(f"/api/tasks/{task['id']}").status_code == 404
    assert bob_api.post("/api/tasks/999999/claim").status_code == 404
    assert bob_api.post("/api/tasks/abc/claim").status_code == 404


def test_a_superuser_may_act_on_any_task(api, admin_api, bob_api, leave):
    start(api, days=2)
    task = bob_api.get("/api/inbox").json()[0]
    assert admin_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "reject"}).status_code == 200


def test_claiming_hides_the_task_from_the_rest_of_the_group_until_released(api, bob_api, dave_api, leave):
    start(api, days=2)
    task = bob_api.get("/api/inbox").json()[0]
    claimed = bob_api.post(f"/api/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.json()["assignee"] == "bob"
    assert dave_api.get("/api/inbox").json() == []
    assert [t["assignee"] for t in bob_api.get("/api/inbox").json()] == ["bob"]
    assert dave_api.post(f"/api/tasks/{task['id']}/claim").status_code == 409
    taken = dave_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "task_taken"
    assert dave_api.post(f"/api/tasks/{task['id']}/release").status_code == 403
    assert bob_api.post(f"/api/tasks/{task['id']}/claim").status_code == 200  # idempotent for the holder
    assert bob_api.post(f"/api/tasks/{task['id']}/release").status_code == 200
    assert [t["id"] for t in dave_api.get("/api/inbox").json()] == [task["id"]]
    assert dave_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve"}).status_code == 200


def test_delegating_moves_the_task_to_one_person(api, bob_api, carol_api, dave_api, leave):
    start(api, days=2)
    task = bob_api.get("/api/inbox").json()[0]
    bad = bob_api.post(f"/api/tasks/{task['id']}/delegate", {"assignee": "nobody"})
    assert bad.status_code == 400
    assert bob_api.post(f"/api/tasks/{task['id']}/delegate", {"assignee": "carol"}).status_code == 200
    assert bob_api.get("/api/inbox").json() == [] and dave_api.get("/api/inbox").json() == []
    assert [t["assignee"] for t in carol_api.get("/api/inbox").json()] == ["carol"]
    assert carol_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve"}).status_code == 200


def test_a_task_assigned_by_expression_goes_to_that_person(api, carol_api, bob_api, people):
    definition = leave_request("direct")
    config = definition["nodes"][1]["config"]
    del config["group"]
    config["assignee"] = "boss"
    definition["params"].append({"name": "boss", "type": "string", "required": True})
    assert api.post("/api/processes", definition).status_code == 201
    start(api, "direct", days=1, boss="carol")
    task = carol_api.get("/api/inbox").json()[0]
    assert task["assignee"] == "carol" and task["group"] is None
    assert bob_api.post(f"/api/tasks/{task['id']}/claim").status_code == 403
    assert carol_api.post(f"/api/tasks/{task['id']}/release").status_code == 409


def test_a_task_for_an_unknown_user_fails_the_instance_visibly(api, people):
    definition = leave_request("direct")
    config = definition["nodes"][1]["config"]
    del config["group"]
    config["assignee"] = "'ghost'"
    api.post("/api/processes", definition)
    instance = start(api, "direct", _expect="failed", days=1)
    body = api.get(f"/api/process-instances/{instance}").json()
    assert body["status"] == "failed" and body["error"]["code"] == "unknown_assignee"
    assert body["error"]["node"] == "mgr" and body["history"][-1]["event"] == "failed"


def test_form_data_is_checked_against_the_form_fields(api, bob_api, people):
    api.post("/api/processes", leave_request("with-form", form=[{"name": "note", "type": "string", "required": True},
                                                                {"name": "hours", "type": "number"}]))
    instance = start(api, "with-form", days=1)
    task = bob_api.get("/api/inbox").json()[0]
    missing = bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve", "data": {"hours": "x"}})
    assert missing.status_code == 400
    assert {d["field"] for d in missing.json()["error"]["details"]} == {"note", "hours"}
    ok = bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve", "data": {"note": "fine", "hours": 4}})
    assert ok.status_code == 200
    assert api.get(f"/api/process-instances/{instance}").json()["variables"]["mgr"]["data"] == {"note": "fine", "hours": 4}


def test_the_task_page_data_shows_variables_form_and_history(api, bob_api, leave):
    start(api, days=5)
    task = bob_api.get("/api/inbox").json()[0]
    detail = bob_api.get(f"/api/tasks/{task['id']}").json()
    assert detail["variables"] == {"days": 5} and detail["form"] == []
    assert [h["event"] for h in detail["history"]] == ["started", "task.created"]


def test_cancel_withdraws_open_tasks_and_only_the_starter_may_cancel(api, bob_api, leave):
    instance = start(api, days=2)
    assert bob_api.post(f"/api/process-instances/{instance}/cancel").status_code == 403
    response = api.post(f"/api/process-instances/{instance}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert bob_api.get("/api/inbox").json() == []
    assert Task.objects.get().status == "cancelled"
    assert not Timer.objects.filter(status=TimerStatus.PENDING).exists()
    assert api.post(f"/api/process-instances/{instance}/cancel").status_code == 409
    assert api.get("/api/process-instances/not-a-uuid").status_code == 404


def test_running_instances_stay_on_their_version(api, bob_api, leave):
    old = start(api, days=1)
    changed = leave_request()
    changed["nodes"][1]["config"]["title"] = "'v2: ' + string(days)"
    api.put("/api/processes/leave-request", changed)
    new = start(api, days=1)
    assert api.get(f"/api/process-instances/{old}").json()["version"] == 1
    assert api.get(f"/api/process-instances/{new}").json()["version"] == 2
    assert sorted(t["title"] for t in bob_api.get("/api/inbox").json()) == ["Approve 1 days", "v2: 1"]


def test_the_inbox_is_ordered_by_due_date_then_creation(api, bob_api, people):
    api.post("/api/processes", leave_request("slow", due_in="P5D"))
    api.post("/api/processes", leave_request("fast", due_in="PT1H"))
    api.post("/api/processes", leave_request("never", due_in=None, escalate_to=None))
    start(api, "never", days=1)
    start(api, "slow", days=2)
    start(api, "fast", days=3)
    start(api, "slow", days=4)
    assert [t["title"] for t in bob_api.get("/api/inbox").json()] == [
        "Approve 3 days", "Approve 2 days", "Approve 4 days", "Approve 1 days"]
    assert len(bob_api.get("/api/inbox?limit=2").json()) == 2
    assert bob_api.get("/api/inbox?limit=0").status_code == 400


def test_a_timer_fires_only_when_due_and_only_once(api, bob_api, leave):
    instance = start(api, days=1)
    task = bob_api.get("/api/inbox").json()[0]
    bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve"})
    now = timezone.now()
    assert "fired 0" in fire(now + dt.timedelta(hours=23))
    assert api.get(f"/api/process-instances/{instance}").json()["status"] == "running"
    assert "fired 1" in fire(now + dt.timedelta(days=1, minutes=1))
    assert api.get(f"/api/process-instances/{instance}").json()["status"] == "completed"
    assert "fired 0" in fire(now + dt.timedelta(days=9))


def test_an_overdue_task_escalates_to_the_other_group(api, bob_api, carol_api, leave):
    instance = start(api, days=1)
    task = bob_api.get("/api/inbox").json()[0]
    bob_api.post(f"/api/tasks/{task['id']}/claim")
    fire(timezone.now() + dt.timedelta(days=1))
    assert len(bob_api.get("/api/inbox").json()) == 1  # not due yet
    fire(timezone.now() + dt.timedelta(days=2, minutes=1))
    assert bob_api.get("/api/inbox").json() == []
    moved = carol_api.get("/api/inbox").json()
    assert [t["id"] for t in moved] == [task["id"]] and moved[0]["escalated"] and moved[0]["group"] == "directors"
    assert moved[0]["assignee"] is None
    assert "task.escalated" in [h["event"] for h in api.get(f"/api/process-instances/{instance}").json()["history"]]
    assert bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve"}).status_code == 403
    assert carol_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "approve"}).status_code == 200


def test_a_completed_task_never_escalates(api, bob_api, carol_api, leave):
    start(api, days=1)
    task = bob_api.get("/api/inbox").json()[0]
    bob_api.post(f"/api/tasks/{task['id']}/complete", {"outcome": "reject"})
    fire(timezone.now() + dt.timedelta(days=3))
    assert carol_api.get("/api/inbox").json() == []
    assert not Task.objects.filter(escalated=True).exists()


def test_a_timer_until_an_expression_waits_for_that_time(api, people):
    api.post("/api/processes", {
        "name": "until", "params": [{"name": "when", "type": "string"}],
        "nodes": [{"id": "start", "type": "start"}, {"id": "t", "type": "timer", "config": {"until": "when"}},
                  {"id": "end", "type": "end"}],
        "edges": [{"from": "start", "to": "t"}, {"from": "t", "to": "end"}]})
    instance = start(api, "until", when="2030-01-02T03:04:05Z")
    assert Timer.objects.get().due_at == dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    fire(dt.datetime(2030, 1, 2, 3, 4, 4, tzinfo=dt.UTC))
    assert ProcessInstance.objects.get(id=instance).status == InstanceStatus.RUNNING
    fire(dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    assert ProcessInstance.objects.get(id=instance).status == InstanceStatus.COMPLETED


def test_parallel_branches_wait_for_each_other_at_the_join(api, bob_api, carol_api, people):
    api.post("/api/processes", parallel_process())
    instance = start(api, "two-signatures")
    legal = carol_api.get("/api/inbox").json()[0]
    money = bob_api.get("/api/inbox").json()[0]
    carol_api.post(f"/api/tasks/{legal['id']}/complete", {"outcome": "ok"})
    body = api.get(f"/api/process-instances/{instance}").json()
    assert body["status"] == "running" and body["current"] == ["money"]
    bob_api.post(f"/api/tasks/{money['id']}/complete", {"outcome": "ok"})
    body = api.get(f"/api/process-instances/{instance}").json()
    assert body["status"] == "completed"
    assert [h["event"] for h in body["history"]].count("join.passed") == 1


def _microflow_process(api, microflow: dict, with_error_edge: bool) -> None:
    designer.create_microflow(microflow, None)
    nodes = [{"id": "start", "type": "start"},
             {"id": "calc", "type": "microflow", "config": {"microflow": microflow["name"], "input": {"x": "days"},
                                                            "result": "calculated"}},
             {"id": "done", "type": "end"}, {"id": "oops", "type": "end"}]
    edges = [{"from": "start", "to": "calc"}, {"from": "calc", "to": "done"}]
    if with_error_edge:
        edges.append({"from": "calc", "to": "oops", "when": "error"})
    else:
        nodes.pop()
    response = api.post("/api/processes", {"name": "with-step", "params": [{"name": "days", "type": "integer"}],
                                           "nodes": nodes, "edges": edges})
    assert response.status_code == 201, response.content


def _run_pending() -> None:
    for execution in Execution.objects.filter(status="queued"):
        runtime.execute_queued(execution.id)


def test_a_microflow_step_runs_async_and_its_output_becomes_a_variable(api, people):
    _microflow_process(api, linear("double", [{"id": "end", "type": "end", "config": {"output": {"y": "x * 2"}}}],
                                   [{"name": "x", "type": "integer"}]), with_error_edge=False)
    instance = start(api, "with-step", days=21)
    execution = Execution.objects.get()
    assert execution.source == f"process:{instance}" and execution.mode == "async"
    _run_pending()
    body = api.get(f"/api/process-instances/{instance}").json()
    assert body["status"] == "completed" and body["variables"]["calculated"] == {"y": 42}
    # a second listener call (e.g. retried delivery) changes nothing
    from processes.listeners import on_execution_finished

    on_execution_finished(Execution.objects.get())
    assert ProcessInstance.objects.get(id=instance).variables["calculated"] == {"y": 42}


def test_a_failed_microflow_step_follows_the_error_edge_or_fails_the_instance(api, people):
    failing = linear("boom", [{"id": "f", "type": "fail", "config": {"message": "'no way'", "code": "nope"}}],
                     [{"name": "x", "type": "integer"}])
    _microflow_process(api, failing, with_error_edge=True)
    routed = start(api, "with-step", days=1)
    _run_pending()
    body = api.get(f"/api/process-instances/{routed}").json()
    assert body["status"] == "completed" and body["variables"]["error"]["code"] == "nope"
    assert "microflow.failed" in [h["event"] for h in body["history"]]

    plain = leave_request("plain-step")
    plain["nodes"] = [{"id": "start", "type": "start"},
                      {"id": "calc", "type": "microflow", "config": {"microflow": "boom", "input": {"x": "days"}}},
                      {"id": "done", "type": "end"}]
    plain["edges"] = [{"from": "start", "to": "calc"}, {"from": "calc", "to": "done"}]
    api.post("/api/processes", plain)
    failed = start(api, "plain-step", days=1)  # waits on its microflow step
    _run_pending()
    body = api.get(f"/api/process-instances/{failed}").json()
    assert body["status"] == "failed" and body["error"]["code"] == "nope" and body["error"]["node"] == "calc"


def test_instances_are_listed_for_their_starter(api, bob_api, leave):
    start(api, days=1)
    start(api, days=2)
    assert api.get("/api/process-instances").json()["count"] == 2
    assert bob_api.get("/api/process-instances").json()["count"] == 0
    task = bob_api.get("/api/inbox").json()[0]
    assert bob_api.get(f"/api/process-instances/{task['instance']}").status_code == 200  # involved


def test_a_microflow_result_the_listener_missed_is_picked_up_by_the_sweep(api, people, settings):
    from processes.timers import resume_missed_microflow_steps

    _microflow_process(api, linear("double", [{"id": "end", "type": "end", "config": {"output": {"y": "x * 2"}}}],
                                   [{"name": "x", "type": "integer"}]), with_error_edge=False)
    instance = start(api, "with-step", days=4)
    settings.ONEWEB = {**settings.ONEWEB, "EXECUTION_LISTENERS": []}  # the listener never runs
    _run_pending()
    assert ProcessInstance.objects.get(id=instance).status == InstanceStatus.RUNNING
    assert resume_missed_microflow_steps() == 0  # too fresh: the listener may still be on it
    assert resume_missed_microflow_steps(timezone.now() + dt.timedelta(seconds=15)) == 1
    body = api.get(f"/api/process-instances/{instance}").json()
    assert body["status"] == "completed" and body["variables"]["calculated"] == {"y": 8}
    assert resume_missed_microflow_steps(timezone.now() + dt.timedelta(seconds=15)) == 0


def test_a_timer_that_raises_is_marked_failed_and_the_others_still_fire(api, people, monkeypatch):
    from processes import services
    from processes.timers import fire_due

    api.post("/api/processes", {"name": "nap", "nodes": [
        {"id": "start", "type": "start"}, {"id": "t", "type": "timer", "config": {"duration": "PT1M"}},
        {"id": "end", "type": "end"}], "edges": [{"from": "start", "to": "t"}, {"from": "t", "to": "end"}]})
    instances = [start(api, "nap") for _ in range(3)]
    bad = Timer.objects.get(instance_id=instances[1])
    real = services.fire_timer

    def flaky(timer_id, clock, known=None):
        result = real(timer_id, clock, known)
        if timer_id == bad.id:
            raise RuntimeError("boom")
        return result

    monkeypatch.setattr(services, "fire_timer", flaky)
    assert fire_due(timezone.now() + dt.timedelta(minutes=2)) == 2
    bad.refresh_from_db()
    assert bad.status == TimerStatus.FAILED and "boom" in bad.error
    statuses = [ProcessInstance.objects.get(id=i).status for i in instances]
    assert statuses == ["completed", "running", "completed"]  # the failed one's changes were rolled back
