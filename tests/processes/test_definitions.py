"""Process definitions: validation on save (invalid_flow with node/field/message) and versions."""

from __future__ import annotations

import copy

import pytest

from tests.processes.conftest import leave_request, parallel_process

pytestmark = pytest.mark.django_db


def problems(response) -> list[dict]:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid_flow"
    return body["details"]


def test_a_valid_definition_is_saved_as_version_1_and_each_save_adds_a_version(api):
    created = api.post("/api/processes", leave_request())
    assert created.status_code == 201 and created.json()["version"] == 1
    changed = leave_request()
    changed["title"] = "Leave v2"
    updated = api.put("/api/processes/leave-request", changed)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert api.get("/api/processes/leave-request").json()["title"] == "Leave v2"
    assert api.get("/api/processes/leave-request/versions/1").json().get("title", "") == ""
    assert [v["version"] for v in api.get("/api/processes/leave-request/versions").json()] == [2, 1]
    assert api.post("/api/processes", leave_request()).status_code == 409
    assert api.get("/api/processes").json()["count"] == 1


def test_a_user_task_with_nobody_to_do_it_is_refused(api):
    definition = leave_request()
    del definition["nodes"][1]["config"]["group"]
    details = problems(api.post("/api/processes", definition))
    assert {"node": "mgr", "field": "assignee"}.items() <= details[0].items()


def test_a_user_task_without_outcomes_is_refused(api):
    definition = leave_request()
    definition["nodes"][1]["config"]["outcomes"] = []
    assert any(d["node"] == "mgr" and d["field"] == "outcomes" for d in problems(api.post("/api/processes", definition)))


def test_a_decision_without_both_branches_is_refused(api):
    definition = leave_request()
    definition["edges"] = [e for e in definition["edges"] if e.get("when") != "false"]
    definition["nodes"] = [n for n in definition["nodes"] if n["id"] != "rejected"]
    details = problems(api.post("/api/processes", definition))
    assert any(d["node"] == "gw" and "both branches" in d["message"] for d in details)


def test_an_unknown_microflow_is_refused(api):
    definition = leave_request()
    definition["nodes"].append({"id": "book", "type": "microflow", "config": {"microflow": "no-such-flow"}})
    definition["edges"][3] = {"from": "wait", "to": "book"}
    definition["edges"].append({"from": "book", "to": "done"})
    details = problems(api.post("/api/processes", definition))
    assert any(d["node"] == "book" and d["field"] == "microflow" for d in details)


def test_an_unreachable_node_is_refused(api):
    definition = leave_request()
    definition["nodes"].append({"id": "orphan", "type": "end"})
    details = problems(api.post("/api/processes", definition))
    assert any(d["node"] == "orphan" and "reached" in d["message"] for d in details)


def test_a_join_without_a_parallel_fork_is_refused(api):
    definition = parallel_process()
    definition["nodes"][1]["type"] = "decision"
    definition["nodes"][1]["config"] = {}
    definition["edges"][1] = {"from": "fork", "to": "legal", "condition": "true"}
    definition["edges"][2] = {"from": "fork", "to": "money", "when": "otherwise"}
    details = problems(api.post("/api/processes", definition))
    assert any(d["node"] == "both" and "parallel" in d["message"] for d in details)


def test_a_bad_expression_and_a_bad_duration_are_reported_with_their_fields(api):
    definition = leave_request(title="'Approve ' +", due_in="two days")
    details = problems(api.post("/api/processes", definition))
    fields = {(d["node"], d["field"]) for d in details}
    assert ("mgr", "title") in fields and ("mgr", "due_in") in fields


def test_unknown_node_types_and_a_missing_start_are_refused(api):
    definition = leave_request()
    definition["nodes"][0]["type"] = "begin"
    details = problems(api.post("/api/processes", definition))
    assert any(d["node"] == "start" and d["field"] == "type" for d in details)
    assert any("start node" in d["message"] for d in details)


def test_garbage_bodies_are_400_not_500(api):
    assert api.post("/api/processes", raw="{not json").status_code == 400
    assert problems(api.post("/api/processes", ["a", "list"]))
    assert problems(api.post("/api/processes", {"name": "Bad Name!", "nodes": []}))


def test_a_definition_can_be_deleted_only_while_it_has_no_instances(api, people):
    api.post("/api/processes", leave_request())
    api.post("/api/processes", leave_request("other"))
    api.post("/api/processes/leave-request/start", {"input": {"days": 1}})
    assert api.delete("/api/processes/leave-request").status_code == 409
    assert api.delete("/api/processes/other").status_code == 204
    assert api.get("/api/processes/other").status_code == 404


def test_the_stored_definition_round_trips(api):
    definition = parallel_process()
    api.post("/api/processes", copy.deepcopy(definition))
    stored = api.get("/api/processes/two-signatures").json()
    assert [n["id"] for n in stored["nodes"]] == [n["id"] for n in definition["nodes"]]
    assert stored["edges"][0] == {"from": "start", "to": "fork", "ui": {}}
