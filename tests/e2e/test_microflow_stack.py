"""End-to-end: the real stack (daphne, RQ worker processes, sweeper, Redis) driven as a client would."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.e2e.stack import run_coroutine
from tests.flows import linear

pytestmark = pytest.mark.e2e


def save(stack, definition):
    response = stack.call("POST", "/api/microflows", definition)
    if response.status_code == 409:
        response = stack.call("PUT", f"/api/microflows/{definition['name']}", definition)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _collect(url: str, until_type: str, timeout: float = 30) -> list[dict]:
    events = []
    async with websockets.connect(url) as socket:
        async with asyncio.timeout(timeout):
            while True:
                event = json.loads(await socket.recv())
                events.append(event)
                if event["type"] == until_type or (event["type"] == "execution.state"
                                                   and event["status"] in ("succeeded", "failed")
                                                   and until_type == "execution.finished"):
                    return events


def test_a_sync_run_answers_with_its_output(stack):
    response = stack.call("POST", "/api/microflows/credit-check/run", {"input": {"amount": 10}, "mode": "sync"})
    assert response.status_code == 200
    assert response.json()["output"]["approved"] is True


def test_an_async_run_pushes_node_events_and_its_result_over_a_websocket(stack):
    save(stack, linear("e2e-slow", [
        {"id": "pause", "type": "wait", "config": {"seconds": 1}},
        {"id": "calc", "type": "assign", "config": {"set": {"y": "x * 2"}}},
        {"id": "end", "type": "end", "config": {"output": {"y": "y"}}},
    ], [{"name": "x", "type": "integer", "required": True}]))
    began = time.monotonic()
    response = stack.call("POST", "/api/microflows/e2e-slow/run", {"input": {"x": 21}, "mode": "async"})
    assert response.status_code == 202 and time.monotonic() - began < 0.9
    execution_id = response.json()["id"]
    events = run_coroutine(_collect(stack.ws_url(f"/ws/executions/{execution_id}/"), "execution.finished"))
    assert events[0]["type"] == "execution.state" and events[0]["id"] == execution_id
    assert events[-1]["type"] == "execution.finished"
    assert events[-1]["status"] == "succeeded" and events[-1]["output"] == {"y": 42}
    nodes = [e["node"] for e in events if e["type"] == "node.finished"]
    assert nodes[-2:] == ["calc", "end"]


def test_notify_socket_receives_the_users_async_results(stack):
    async def scenario():
        async with websockets.connect(stack.ws_url("/ws/notify/", user="alice")) as socket:
            assert json.loads(await socket.recv())["type"] == "notify.ready"
            response = await asyncio.to_thread(
                stack.call, "POST", "/api/microflows/credit-check/run",
                {"input": {"amount": 5000}, "mode": "async"}, "alice")
            async with asyncio.timeout(20):
                while True:
                    event = json.loads(await socket.recv())
                    if event["type"] == "execution.finished" and event["execution"] == response.json()["id"]:
                        return event
    event = run_coroutine(scenario())
    assert event["status"] == "succeeded" and event["output"]["approved"] is False


def test_a_late_subscriber_gets_the_final_state_at_once(stack):
    execution_id = stack.call("POST", "/api/microflows/credit-check/run",
                              {"input": {"amount": 1}, "mode": "async"}).json()["id"]
    stack.wait_for(execution_id, {"succeeded"})
    events = run_coroutine(_collect(stack.ws_url(f"/ws/executions/{execution_id}/"), "execution.finished", timeout=5))
    assert events[0]["type"] == "execution.state" and events[0]["status"] == "succeeded"


def test_another_users_execution_socket_is_refused(stack):
    execution_id = stack.call("POST", "/api/microflows/credit-check/run", {"input": {"amount": 1}}, user="alice").json()["id"]

    async def attempt():
        async with websockets.connect(stack.ws_url(f"/ws/executions/{execution_id}/", user="bob")) as socket:
            await socket.recv()

    with pytest.raises(InvalidStatus) as refused:
        run_coroutine(attempt())
    assert refused.value.response.status_code == 403


def test_a_killed_worker_leaves_no_run_running_forever(stack):
    save(stack, linear("e2e-long", [
        {"id": "pause", "type": "wait", "config": {"seconds": 120}},
        {"id": "end", "type": "end"},
    ]))
    execution_id = stack.call("POST", "/api/microflows/e2e-long/run", {"input": {}, "mode": "async"}).json()["id"]
    running = stack.wait_for(execution_id, {"running"})
    pid = int(running["worker"].rsplit(".", 1)[1])
    os.kill(pid, signal.SIGKILL)
    failed = stack.wait_for(execution_id, {"failed"}, timeout=40)
    assert failed["error"]["code"] == "worker_lost"
    assert "stopped" in failed["error"]["message"]
    # the stack restarts the worker: new runs still complete
    again = stack.call("POST", "/api/microflows/credit-check/run", {"input": {"amount": 1}, "mode": "async"}).json()
    assert stack.wait_for(again["id"], {"succeeded"}, timeout=30)["output"]["approved"] is True


class _Api(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"rate": 1.25}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_an_http_node_calls_a_local_server_from_a_worker(stack):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        save(stack, linear("e2e-http", [
            {"id": "get", "type": "http", "config": {"url": f"'http://127.0.0.1:{server.server_address[1]}/rate'", "result": "r"}},
            {"id": "end", "type": "end", "config": {"output": {"rate": "r.body.rate"}}},
        ]))
        execution_id = stack.call("POST", "/api/microflows/e2e-http/run", {"input": {}, "mode": "async"}).json()["id"]
        assert stack.wait_for(execution_id, {"succeeded", "failed"})["output"] == {"rate": 1.25}
    finally:
        server.shutdown()


def test_a_script_that_never_ends_fails_with_timeout_and_the_worker_goes_on(stack):
    save(stack, linear("e2e-spin", [
        {"id": "spin", "type": "script", "config": {"code": "while (true) {}", "timeout_s": 0.5}},
        {"id": "end", "type": "end"},
    ]))
    execution_id = stack.call("POST", "/api/microflows/e2e-spin/run", {"input": {}, "mode": "async"}).json()["id"]
    failed = stack.wait_for(execution_id, {"failed", "succeeded"})
    assert failed["error"]["code"] == "timeout" and failed["error"]["node"] == "spin"
    sync = stack.call("POST", "/api/microflows/e2e-spin/run", {"input": {}})
    assert sync.status_code == 422 and sync.json()["error"]["code"] == "timeout"


def test_a_flow_that_loops_forever_hits_the_step_budget(stack):
    save(stack, {
        "name": "e2e-loop", "params": [],
        "nodes": [{"id": "start", "type": "start"},
                  {"id": "spin", "type": "assign", "config": {"set": {"n": "1"}}},
                  {"id": "again", "type": "decision", "config": {"condition": "n == 1"}},
                  {"id": "end", "type": "end"}],
        "edges": [{"from": "start", "to": "spin"}, {"from": "spin", "to": "again"},
                  {"from": "again", "to": "spin", "when": "true"}, {"from": "again", "to": "end", "when": "false"}],
    })
    response = stack.call("POST", "/api/microflows/e2e-loop/run", {"input": {}})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "step_budget_exceeded"
    execution_id = stack.call("POST", "/api/microflows/e2e-loop/run", {"input": {}, "mode": "async"}).json()["id"]
    assert stack.wait_for(execution_id, {"failed"})["error"]["code"] == "step_budget_exceeded"


def test_a_flow_that_allows_it_is_run_again_after_its_worker_is_killed(stack):
    flow = linear("e2e-retry", [
        {"id": "pause", "type": "wait", "config": {"seconds": 2}},
        {"id": "end", "type": "end", "config": {"output": {"done": "true"}}},
    ])
    save(stack, {**flow, "retry_on_worker_loss": 1})
    execution_id = stack.call("POST", "/api/microflows/e2e-retry/run", {"input": {}, "mode": "async"}).json()["id"]
    running = stack.wait_for(execution_id, {"running"})
    os.kill(int(running["worker"].rsplit(".", 1)[1]), signal.SIGKILL)
    finished = stack.wait_for(execution_id, {"succeeded", "failed"}, timeout=60)
    assert finished["status"] == "succeeded" and finished["output"] == {"done": True}
    assert finished["attempts"] == 2 and finished["worker"] != running["worker"]
