"""The engine in-process, over plain data: every node type, error edges, the step budget."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from runtime.definition import InvalidFlow, compile_flow
from runtime.engine import Runner, run_flow
from runtime.params import InvalidInput, check_input
from tests.flows import CREDIT_CHECK, linear, ten_node_flow


def run(definition, inputs=None, others=None, budget=10_000):
    flows = {name: compile_flow(d) for name, d in (others or {}).items()}
    flow = compile_flow(definition)
    flows[flow.name] = flow

    def load(name):
        if name not in flows:
            raise LookupError(name)
        return flows[name]

    variables = check_input(flow.params, inputs or {})
    return run_flow(flow, variables, Runner(load=load, budget=budget))


def test_a_decision_takes_the_true_branch():
    outcome = run(CREDIT_CHECK, {"amount": 5000})
    assert outcome.status == "succeeded"
    assert outcome.output == {"approved": False, "reason": "too big"}
    assert [s["node"] for s in outcome.steps] == ["start", "big", "no"]


def test_a_decision_takes_the_false_branch():
    assert run(CREDIT_CHECK, {"amount": 10}).output == {"approved": True}


def test_the_trace_has_timing_and_status_for_every_node():
    steps = run(CREDIT_CHECK, {"amount": 10}).steps
    for step in steps:
        assert step["status"] == "succeeded" and step["error"] is None
        assert step["duration_ms"] >= 0 and step["started_at"] > 0


def test_assign_sets_variables_in_order():
    flow = linear("a", [
        {"id": "set", "type": "assign", "config": {"set": {"x": "1", "y": "x + 1"}}},
        {"id": "end", "type": "end", "config": {"output": {"y": "y"}}},
    ])
    outcome = run(flow)
    assert outcome.output == {"y": 2}
    assert outcome.steps[1]["variables"] == {"x": 1, "y": 2}


def test_the_ten_node_flow_visits_ten_nodes():
    outcome = run(ten_node_flow(), {"x": 1})
    assert outcome.output == {"x": 5, "v3": 7}
    assert len(outcome.steps) == 10


def exclusive_gateway():
    return {
        "name": "gw", "params": [{"name": "tier", "type": "string"}],
        "nodes": [
            {"id": "start", "type": "start"}, {"id": "gw", "type": "decision"},
            {"id": "gold", "type": "end", "config": {"output": {"d": "10"}}},
            {"id": "silver", "type": "end", "config": {"output": {"d": "5"}}},
            {"id": "other", "type": "end", "config": {"output": {"d": "0"}}},
        ],
        "edges": [
            {"from": "start", "to": "gw"},
            {"from": "gw", "to": "gold", "condition": "tier == 'gold'"},
            {"from": "gw", "to": "silver", "condition": "tier == 'silver' || tier == 'gold'"},
            {"from": "gw", "to": "other", "when": "otherwise"},
        ],
    }


@pytest.mark.parametrize(("tier", "discount"), [("gold", 10), ("silver", 5), ("tin", 0)])
def test_an_exclusive_gateway_takes_the_first_true_edge_or_otherwise(tier, discount):
    assert run(exclusive_gateway(), {"tier": tier}).output == {"d": discount}


def test_an_exclusive_gateway_without_otherwise_fails_with_no_branch():
    flow = exclusive_gateway()
    flow["edges"].pop()
    flow["nodes"].pop()
    outcome = run(flow, {"tier": "tin"})
    assert outcome.status == "failed" and outcome.error["code"] == "no_branch" and outcome.error["node"] == "gw"


def test_fail_stops_with_a_business_error():
    flow = linear("f", [{"id": "stop", "type": "fail", "config": {"message": "'no ' + name", "code": "refused"}}],
                  [{"name": "name", "type": "string"}])
    outcome = run(flow, {"name": "way"})
    assert outcome.status == "failed"
    assert outcome.error == {"code": "refused", "message": "no way", "node": "stop"}


def test_an_error_edge_catches_a_failure_and_exposes_the_error():
    flow = {
        "name": "e", "nodes": [
            {"id": "start", "type": "start"},
            {"id": "boom", "type": "assign", "config": {"set": {"x": "missing_thing + 1"}}},
            {"id": "caught", "type": "end", "config": {"output": {"code": "error.code", "node": "error.node"}}},
            {"id": "fine", "type": "end"},
        ],
        "edges": [{"from": "start", "to": "boom"}, {"from": "boom", "to": "fine"},
                  {"from": "boom", "to": "caught", "when": "error"}],
    }
    outcome = run(flow)
    assert outcome.status == "succeeded"
    assert outcome.output == {"code": "expression_error", "node": "boom"}
    assert outcome.steps[1]["status"] == "failed"


def test_a_loop_forever_hits_the_step_budget():
    flow = {
        "name": "loop", "nodes": [
            {"id": "start", "type": "start"},
            {"id": "inc", "type": "assign", "config": {"set": {"n": "n + 1"}}},
            {"id": "again", "type": "decision", "config": {"condition": "n > -1"}},
            {"id": "end", "type": "end"},
        ],
        "params": [{"name": "n", "type": "integer", "default": 0}],
        "edges": [{"from": "start", "to": "inc"}, {"from": "inc", "to": "again"},
                  {"from": "again", "to": "inc", "when": "true"}, {"from": "again", "to": "end", "when": "false"}],
    }
    outcome = run(flow, budget=500)
    assert outcome.status == "failed" and outcome.error["code"] == "step_budget_exceeded"
    assert len(outcome.steps) == 500


def test_call_runs_another_microflow_and_keeps_its_output():
    parent = linear("parent", [
        {"id": "c", "type": "call", "config": {"microflow": "credit-check", "input": {"amount": "a"}, "result": "r"}},
        {"id": "end", "type": "end", "config": {"output": {"approved": "r.approved"}}},
    ], [{"name": "a", "type": "number"}])
    assert run(parent, {"a": 3}, {"credit-check": CREDIT_CHECK}).output == {"approved": True}


def test_call_of_an_unknown_microflow_fails_clearly():
    parent = linear("parent", [
        {"id": "c", "type": "call", "config": {"microflow": "ghost"}},
        {"id": "end", "type": "end"},
    ])
    outcome = run(parent)
    assert outcome.error["code"] == "unknown_microflow" and outcome.error["node"] == "c"


def test_endless_recursion_is_stopped():
    me = linear("me", [
        {"id": "c", "type": "call", "config": {"microflow": "me"}},
        {"id": "end", "type": "end"},
    ])
    outcome = run(me)
    assert outcome.status == "failed"
    assert outcome.error["code"] in {"call_depth_exceeded", "step_budget_exceeded"}


def test_foreach_maps_every_item_in_order():
    child = linear("double", [{"id": "end", "type": "end", "config": {"output": {"v": "n * 2"}}}],
                   [{"name": "n", "type": "integer", "required": True}])
    parent = linear("each", [
        {"id": "loop", "type": "foreach", "config": {"items": "xs", "as": "x", "microflow": "double",
                                                      "input": {"n": "x"}, "result": "out"}},
        {"id": "end", "type": "end", "config": {"output": {"out": "out.map(o, o.v)"}}},
    ], [{"name": "xs", "type": "array"}])
    assert run(parent, {"xs": [1, 2, 3]}, {"double": child}).output == {"out": [2, 4, 6]}


def test_wait_sleeps():
    flow = linear("w", [{"id": "w", "type": "wait", "config": {"seconds": 0.2}}, {"id": "end", "type": "end"}])
    began = time.monotonic()
    assert run(flow).status == "succeeded"
    assert time.monotonic() - began >= 0.2


def test_script_returns_a_value_from_vars():
    flow = linear("s", [
        {"id": "js", "type": "script", "config": {"code": "return vars.xs.map(x => x * 10);", "result": "ys"}},
        {"id": "end", "type": "end", "config": {"output": {"ys": "ys"}}},
    ], [{"name": "xs", "type": "array"}])
    assert run(flow, {"xs": [1, 2]}).output == {"ys": [10, 20]}


def test_script_has_no_host_access():
    flow = linear("s", [
        {"id": "js", "type": "script", "config": {
            "code": "return [typeof require, typeof process, typeof fetch, typeof XMLHttpRequest];", "result": "r"}},
        {"id": "end", "type": "end", "config": {"output": {"r": "r"}}},
    ])
    assert run(flow).output == {"r": ["undefined"] * 4}


def test_a_script_that_never_ends_fails_with_timeout():
    flow = linear("s", [
        {"id": "js", "type": "script", "config": {"code": "while (true) {}", "timeout_s": 0.3}},
        {"id": "end", "type": "end"},
    ])
    began = time.monotonic()
    outcome = run(flow)
    assert outcome.error["code"] == "timeout" and outcome.error["node"] == "js"
    assert time.monotonic() - began < 5


def test_a_script_that_eats_memory_is_stopped():
    flow = linear("s", [
        {"id": "js", "type": "script", "config": {
            "code": "let a = []; while (true) { a.push('x'.repeat(1000) + a.length); }", "timeout_s": 20}},
        {"id": "end", "type": "end"},
    ])
    assert run(flow).error["code"] in {"script_memory", "timeout"}


def test_a_script_syntax_error_is_a_node_error():
    flow = linear("s", [{"id": "js", "type": "script", "config": {"code": "return (;"}}, {"id": "end", "type": "end"}])
    outcome = run(flow)
    assert outcome.error["code"] == "script_error" and "SyntaxError" in outcome.error["message"]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(2)
        status = 404 if self.path.startswith("/missing") else 200
        body = json.dumps({"path": self.path, "auth": self.headers.get("X-Key")}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        data = self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"echo": json.loads(data)}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def http_base():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def http_flow(config, error_edge=False):
    flow = linear("h", [{"id": "call", "type": "http", "config": config},
                        {"id": "end", "type": "end", "config": {"output": {"r": "r"}}}],
                  [{"name": "base", "type": "string"}])
    if error_edge:
        flow["nodes"].append({"id": "oops", "type": "end", "config": {"output": {"code": "error.code"}}})
        flow["edges"].append({"from": "call", "to": "oops", "when": "error"})
    return flow


def test_http_gets_json_with_headers(http_base):
    outcome = run(http_flow({"url": "base + '/thing'", "headers": {"X-Key": "'k1'"}, "result": "r"}), {"base": http_base})
    assert outcome.output["r"]["status"] == 200
    assert outcome.output["r"]["body"] == {"path": "/thing", "auth": "k1"}


def test_http_posts_a_map_as_json(http_base):
    config = {"method": "POST", "url": "base + '/p'", "body": "{'a': 1}", "result": "r"}
    outcome = run(http_flow(config), {"base": http_base})
    assert outcome.output["r"]["status"] == 201 and outcome.output["r"]["body"] == {"echo": {"a": 1}}


def test_http_status_400_or_more_is_an_error(http_base):
    outcome = run(http_flow({"url": "base + '/missing'", "result": "r"}), {"base": http_base})
    assert outcome.error["code"] == "http_status"


def test_http_status_can_be_accepted(http_base):
    outcome = run(http_flow({"url": "base + '/missing'", "result": "r", "fail_on_status": False}), {"base": http_base})
    assert outcome.output["r"]["status"] == 404


def test_http_timeout_is_routable_by_an_error_edge(http_base):
    flow = http_flow({"url": "base + '/slow'", "timeout_s": 0.3, "result": "r"}, error_edge=True)
    assert run(flow, {"base": http_base}).output == {"code": "timeout"}


def test_http_to_a_closed_port_is_an_http_error():
    outcome = run(http_flow({"url": "'http://127.0.0.1:9/'", "timeout_s": 2, "result": "r"}), {"base": ""})
    assert outcome.error["code"] in {"http_error", "timeout"}


def test_expressions_cannot_reach_python_internals():
    flow = linear("x", [{"id": "end", "type": "end", "config": {"output": {"r": "s.__class__"}}}],
                  [{"name": "s", "type": "string"}])
    outcome = run(flow, {"s": "abc"})
    assert outcome.status == "failed" and outcome.error["code"] == "expression_error"


def test_expressions_with_too_many_nested_macros_are_refused_at_save():
    src = "xs.map(a, xs.map(b, xs.map(c, xs.map(d, 1))))"
    with pytest.raises(InvalidFlow) as caught:
        compile_flow(linear("x", [{"id": "end", "type": "end", "config": {"output": {"r": src}}}]))
    assert caught.value.details[0]["node"] == "end"


def test_input_is_checked_against_params():
    flow = compile_flow(CREDIT_CHECK)
    with pytest.raises(InvalidInput) as caught:
        check_input(flow.params, {"amount": "lots", "extra": 1})
    fields = {d["field"] for d in caught.value.details}
    assert fields == {"amount", "extra"}
    with pytest.raises(InvalidInput):
        check_input(flow.params, {})
    assert check_input(flow.params, {"amount": 5}) == {"amount": 5, "customer": None}


def _doubling(expression: str) -> dict:
    return {
        "name": "grow", "params": [{"name": "s", "type": "any"}],
        "nodes": [{"id": "start", "type": "start"},
                  {"id": "grow", "type": "assign", "config": {"set": {"s": expression}}},
                  {"id": "again", "type": "decision", "config": {"condition": "true"}},
                  {"id": "end", "type": "end"}],
        "edges": [{"from": "start", "to": "grow"}, {"from": "grow", "to": "again"},
                  {"from": "again", "to": "grow", "when": "true"}, {"from": "again", "to": "end", "when": "false"}],
    }


@pytest.mark.parametrize(("expression", "start"), [("s + s", "ab"), ("s + s", [1]), ("[s, s]", 1)])
def test_values_that_double_every_loop_are_stopped_early(expression, start):
    began = time.monotonic()
    outcome = run(_doubling(expression), {"s": start})
    assert outcome.status == "failed" and outcome.error["code"] == "expression_error"
    assert outcome.error["node"] == "grow"
    assert "more than" in outcome.error["message"] or "longer than" in outcome.error["message"]
    assert len(outcome.steps) < 200
    assert time.monotonic() - began < 10
