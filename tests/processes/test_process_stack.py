"""End-to-end over the real stack (daphne, RQ workers, sweeper, Redis): processes walked over
simulated days with `fire_timers --at`: approve, reject, escalation, timer, parallel branches,
cancel, a microflow step on the workers, live notifications, and a Redis flush losing nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

import pytest
import websockets

from tests.e2e.stack import run_coroutine

pytestmark = pytest.mark.e2e

LEAVE = {
    "name": "e2e-leave",
    "params": [{"name": "days", "type": "integer", "required": True}],
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "mgr", "type": "user_task", "config": {
            "title": "'Leave: ' + string(days) + ' days'", "group": "managers", "outcomes": ["approve", "reject"],
            "due_in": "P2D", "escalate_to": {"group": "directors"}}},
        {"id": "gw", "type": "decision", "config": {"condition": "mgr.outcome == 'approve'"}},
        {"id": "check", "type": "microflow", "config": {"microflow": "credit-check", "input": {"amount": "days * 100"},
                                                        "result": "check"}},
        {"id": "wait", "type": "timer", "config": {"duration": "P1D"}},
        {"id": "done", "type": "end"}, {"id": "rejected", "type": "end"},
    ],
    "edges": [{"from": "start", "to": "mgr"}, {"from": "mgr", "to": "gw"},
              {"from": "gw", "to": "check", "when": "true"}, {"from": "gw", "to": "rejected", "when": "false"},
              {"from": "check", "to": "wait"}, {"from": "wait", "to": "done"}],
}
PARALLEL = {
    "name": "e2e-parallel",
    "nodes": [
        {"id": "start", "type": "start"}, {"id": "fork", "type": "parallel"},
        {"id": "legal", "type": "user_task", "config": {"title": "'Legal review'", "assignee": "'carol'", "outcomes": ["ok"]}},
        {"id": "money", "type": "user_task", "config": {"title": "'Budget review'", "group": "managers", "outcomes": ["ok"]}},
        {"id": "nap", "type": "timer", "config": {"duration": "PT2S"}},
        {"id": "both", "type": "join"}, {"id": "done", "type": "end"},
    ],
    "edges": [{"from": "start", "to": "fork"}, {"from": "fork", "to": "legal"}, {"from": "fork", "to": "money"},
              {"from": "fork", "to": "nap"}, {"from": "legal", "to": "both"}, {"from": "money", "to": "both"},
              {"from": "nap", "to": "both"}, {"from": "both", "to": "done"}],
}


@pytest.fixture(scope="module")
def processes(stack):
    for definition in (LEAVE, PARALLEL):
        response = stack.call("POST", "/api/processes", definition)
        if response.status_code == 409:
            response = stack.call("PUT", f"/api/processes/{definition['name']}", definition)
        assert response.status_code in (200, 201), response.text
    return stack


def start(stack, name: str, given: dict, user: str = "alice") -> str:
    response = stack.call("POST", f"/api/processes/{name}/start", {"input": given}, user=user)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def instance(stack, instance_id: str, user: str = "alice") -> dict:
    response = stack.call("GET", f"/api/process-instances/{instance_id}", user=user)
    assert response.status_code == 200, response.text
    return response.json()


def wait_until(stack, instance_id: str, check, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = instance(stack, instance_id)
        if check(body):
            return body
        time.sleep(0.1)
    raise AssertionError(f"instance never got there: {body}")


def task_of(stack, instance_id: str, user: str, node: str | None = None) -> dict:
    tasks = [t for t in stack.call("GET", "/api/inbox", user=user).json()
             if t["instance"] == instance_id and (node is None or t["node"] == node)]
    assert len(tasks) == 1, tasks
    return tasks[0]


def fire_at(stack, when: dt.datetime) -> None:
    stack.manage("fire_timers", "--at", when.isoformat().replace("+00:00", "Z"))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_approve_runs_the_microflow_on_a_worker_then_waits_a_day(processes):
    stack = processes
    iid = start(stack, "e2e-leave", {"days": 3})
    task = task_of(stack, iid, "bob")
    assert task["title"] == "Leave: 3 days" and task["group"] == "managers"
    done = stack.call("POST", f"/api/tasks/{task['id']}/complete", {"outcome": "approve", "comment": "ok"}, user="bob")
    assert done.status_code == 200
    body = wait_until(stack, iid, lambda b: b["current"] == ["wait"])
    assert body["variables"]["check"]["approved"] is True
    assert "microflow.succeeded" in [h["event"] for h in body["history"]]
    fire_at(stack, now() + dt.timedelta(hours=12))
    assert instance(stack, iid)["status"] == "running"
    fire_at(stack, now() + dt.timedelta(days=1, minutes=5))
    body = instance(stack, iid)
    assert body["status"] == "completed" and body["finished_at"]


def test_reject_ends_at_once(processes):
    stack = processes
    iid = start(stack, "e2e-leave", {"days": 30})
    task = task_of(stack, iid, "bob")
    stack.call("POST", f"/api/tasks/{task['id']}/complete", {"outcome": "reject"}, user="bob")
    body = instance(stack, iid)
    assert body["status"] == "completed" and body["history"][-2]["node"] == "rejected"


def test_an_overdue_task_escalates_to_directors_after_two_days(processes):
    stack = processes
    iid = start(stack, "e2e-leave", {"days": 5})
    task = task_of(stack, iid, "bob")
    fire_at(stack, now() + dt.timedelta(days=1))
    assert task_of(stack, iid, "bob")["escalated"] is False
    fire_at(stack, now() + dt.timedelta(days=2, hours=1))
    assert not [t for t in stack.call("GET", "/api/inbox", user="bob").json() if t["instance"] == iid]
    moved = task_of(stack, iid, "carol")
    assert moved["id"] == task["id"] and moved["escalated"] and moved["group"] == "directors"
    assert stack.call("POST", f"/api/tasks/{task['id']}/complete", {"outcome": "reject"}, user="bob").status_code == 403
    assert stack.call("POST", f"/api/tasks/{task['id']}/complete", {"outcome": "reject"}, user="carol").status_code == 200
    assert instance(stack, iid)["status"] == "completed"


def test_parallel_branches_join_and_the_stack_fires_a_short_timer_by_itself(processes):
    stack = processes
    iid = start(stack, "e2e-parallel", {})
    legal, money = task_of(stack, iid, "carol", "legal"), task_of(stack, iid, "bob", "money")
    assert stack.call("POST", f"/api/tasks/{legal['id']}/complete", {"outcome": "ok"}, user="carol").status_code == 200
    assert stack.call("POST", f"/api/tasks/{money['id']}/complete", {"outcome": "ok"}, user="bob").status_code == 200
    # the PT2S timer is fired by the serving stack's sweeper, with no fire_timers call
    body = wait_until(stack, iid, lambda b: b["status"] != "running", timeout=10)
    assert body["status"] == "completed"
    assert [h["event"] for h in body["history"]].count("join.passed") == 1
    assert "timer.fired" in [h["event"] for h in body["history"]]


def test_cancel_withdraws_the_task_from_every_inbox(processes):
    stack = processes
    iid = start(stack, "e2e-leave", {"days": 2})
    task = task_of(stack, iid, "bob")
    assert stack.call("POST", f"/api/process-instances/{iid}/cancel", user="bob").status_code == 403
    assert stack.call("POST", f"/api/process-instances/{iid}/cancel", user="alice").status_code == 200
    assert instance(stack, iid)["status"] == "cancelled"
    assert task["id"] not in [t["id"] for t in stack.call("GET", "/api/inbox", user="bob").json()]
    assert stack.call("POST", f"/api/tasks/{task['id']}/complete", {"outcome": "approve"}, user="bob").status_code == 409


async def _notify_while(url: str, action, wanted: set[str], timeout: float = 15) -> list[dict]:
    events: list[dict] = []
    async with websockets.connect(url) as socket:
        assert json.loads(await socket.recv())["type"] == "notify.ready"
        await asyncio.get_running_loop().run_in_executor(None, action)
        async with asyncio.timeout(timeout):
            while not wanted <= {e["type"] for e in events}:
                events.append(json.loads(await socket.recv()))
    return events


def test_tasks_and_the_finish_are_pushed_live_over_notify(processes):
    stack = processes
    started: dict = {}

    def begin() -> None:
        started["id"] = start(stack, "e2e-leave", {"days": 1})

    events = run_coroutine(_notify_while(stack.ws_url("/ws/notify/", "bob"), begin, {"task.created"}))
    created = next(e for e in events if e["type"] == "task.created")
    assert created["task"]["instance"] == started["id"] and created["task"]["title"] == "Leave: 1 days"

    def reject() -> None:
        stack.call("POST", f"/api/tasks/{created['task']['id']}/complete", {"outcome": "reject"}, user="bob")

    events = run_coroutine(_notify_while(stack.ws_url("/ws/notify/", "alice"), reject, {"process.finished"}))
    finished = next(e for e in events if e["type"] == "process.finished")
    assert finished["instance"] == started["id"] and finished["status"] == "completed"


def _flush_redis(stack) -> None:
    import redis

    url = stack.env.get("REDIS_URL")
    if url:  # a shared server: drop only this stack's keys
        client = redis.Redis.from_url(url)
        queue = stack.env["ONEWEB_QUEUE"]
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
    else:
        client = redis.Redis(unix_socket_path=str(stack.var_dir / "redis.sock"))
        client.flushall()
    client.close()


def test_flushing_redis_loses_no_instance_task_or_timer(processes):
    stack = processes
    iid = start(stack, "e2e-leave", {"days": 4})
    task = task_of(stack, iid, "bob")
    _flush_redis(stack)
    assert task_of(stack, iid, "bob")["id"] == task["id"]
    stack.call("POST", f"/api/tasks/{task['id']}/complete", {"outcome": "approve"}, user="bob")
    wait_until(stack, iid, lambda b: b["current"] == ["wait"], timeout=30)
    _flush_redis(stack)
    fire_at(stack, now() + dt.timedelta(days=1, hours=1))
    assert instance(stack, iid)["status"] == "completed"
