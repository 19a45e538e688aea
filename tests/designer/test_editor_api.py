"""The API the flow editor leans on: node-type registry, version restore and diff, expression check."""

from __future__ import annotations

import copy

import pytest

from designer.diff import diff_definitions
from tests.designer.test_microflow_api import assert_error
from tests.flows import CREDIT_CHECK

pytestmark = pytest.mark.django_db


def test_the_registry_describes_every_node_type_for_the_palette(api):
    types = {t["type"]: t for t in api.get("/api/node-types").json()}
    assert {"start", "end", "assign", "decision", "http", "call", "foreach", "fail", "wait", "script"} <= set(types)
    for described in types.values():
        assert described["label"] and described["category"] and described["help"]
        assert described["config_schema"]["type"] == "object"
        assert isinstance(described["ports"], list)
    assert types["decision"]["ports"] == ["true", "false"]
    assert types["end"]["terminal"] is True
    assert types["decision"]["config_schema"]["properties"]["condition"]["anyOf"][0]["format"] == "cel"
    assert types["call"]["config_schema"]["properties"]["microflow"]["format"] == "microflow"
    assert types["assign"]["config_schema"]["properties"]["set"]["format"] == "cel-map"


def test_the_registry_needs_a_user(anonymous):
    assert_error(anonymous.get("/api/node-types"), 401, "unauthenticated")


def _saved_twice(api) -> None:
    api.post("/api/microflows", CREDIT_CHECK)
    changed = copy.deepcopy(CREDIT_CHECK)
    changed["nodes"][1]["config"]["condition"] = "amount > 5000"
    changed["nodes"][2]["ui"] = {"x": 10, "y": 20}
    changed["nodes"].append({"id": "audit", "type": "assign", "config": {"set": {"seen": "true"}}})
    changed["nodes"].append({"id": "fin", "type": "end"})
    changed["edges"].append({"from": "audit", "to": "fin"})
    changed["params"].append({"name": "note", "type": "string"})
    changed["title"] = "Credit check 2"
    assert api.put("/api/microflows/credit-check", changed).status_code == 200


def test_the_diff_lists_nodes_edges_and_params_added_removed_and_changed(api):
    _saved_twice(api)
    response = api.get("/api/microflows/credit-check/diff?from=1&to=2")
    assert response.status_code == 200, response.content
    diff = response.json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert [n["id"] for n in diff["nodes"]["added"]] == ["audit", "fin"]
    assert diff["nodes"]["removed"] == []
    assert [(c["id"], c["fields"]) for c in diff["nodes"]["changed"]] == [("big", ["config"])]
    assert diff["nodes"]["moved"] == ["ok"]
    assert [(e["from"], e["to"]) for e in diff["edges"]["added"]] == [("audit", "fin")]
    assert [p["name"] for p in diff["params"]["added"]] == ["note"]
    assert diff["flow"] == ["title"]
    backwards = api.get("/api/microflows/credit-check/diff?from=2&to=1").json()
    assert [n["id"] for n in backwards["nodes"]["removed"]] == ["audit", "fin"]
    assert [(e["from"], e["to"]) for e in backwards["edges"]["removed"]] == [("audit", "fin")]


def test_a_diff_of_a_version_with_itself_is_empty():
    diff = diff_definitions(CREDIT_CHECK, copy.deepcopy(CREDIT_CHECK))
    assert all(not v for part in ("nodes", "edges", "params") for v in diff[part].values())
    assert diff["flow"] == []


def test_an_edge_whose_branch_changes_is_removed_and_added():
    new = copy.deepcopy(CREDIT_CHECK)
    new["edges"][1]["when"] = "false"
    new["edges"][2]["when"] = "true"
    diff = diff_definitions(CREDIT_CHECK, new)
    assert len(diff["edges"]["added"]) == 2 and len(diff["edges"]["removed"]) == 2


def test_a_diff_with_an_unknown_version_is_a_404(api):
    _saved_twice(api)
    assert_error(api.get("/api/microflows/credit-check/diff?from=1&to=9"), 404, "not_found")
    assert_error(api.get("/api/microflows/credit-check/diff?from=x&to=1"), 400, "invalid_request")
    assert_error(api.get("/api/microflows/credit-check/diff?to=1"), 400, "invalid_request")


def test_restoring_a_version_saves_it_again_as_the_newest(api):
    _saved_twice(api)
    response = api.post("/api/microflows/credit-check/versions/1/restore")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 3
    latest = api.get("/api/microflows/credit-check").json()
    assert latest["version"] == 3 and latest["nodes"][1]["config"]["condition"] == "amount > 1000"
    versions = api.get("/api/microflows/credit-check/versions").json()
    assert versions[0]["comment"] == "restored from version 1"
    assert_error(api.post("/api/microflows/credit-check/versions/7/restore"), 404, "not_found")


def test_the_list_shows_the_last_run_status(api):
    api.post("/api/microflows", CREDIT_CHECK)
    assert api.get("/api/microflows").json()["items"][0]["last_run"] is None
    api.post("/api/microflows/credit-check/run", {"input": {"amount": 5}})
    row = api.get("/api/microflows").json()["items"][0]
    assert row["last_run"]["status"] == "succeeded"


def test_the_expression_check_accepts_a_good_expression(api):
    response = api.post("/api/expressions/check", {"expression": "amount > 1000 && customer.tier == 'gold'"})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "errors": [], "variables": ["amount", "customer"]}


def test_the_expression_check_reports_line_and_column(api):
    body = api.post("/api/expressions/check", {"expression": "a +\n (b"}).json()
    assert body["ok"] is False
    assert (body["errors"][0]["line"], body["errors"][0]["column"]) == (2, 4)
    assert "missing ')'" in body["errors"][0]["message"]


def test_the_expression_check_refuses_bad_bodies_in_the_error_shape(api):
    assert_error(api.post("/api/expressions/check", {"expression": 3}), 400, "invalid_request")
    assert_error(api.post("/api/expressions/check", raw="{nope"), 400, "malformed_json")
    assert api.post("/api/expressions/check", {"expression": ""}).json()["ok"] is False


def test_validate_answers_the_problems_of_a_draft_without_saving(api):
    broken = copy.deepcopy(CREDIT_CHECK)
    broken["nodes"][1]["config"]["condition"] = "amount >"
    body = api.post("/api/microflows/validate", broken).json()
    assert body["ok"] is False
    assert [(d["node"], d["field"]) for d in body["details"]] == [("big", "condition")]
    assert api.post("/api/microflows/validate", CREDIT_CHECK).json() == {"ok": True, "details": []}
    assert_error(api.get("/api/microflows/credit-check"), 404, "not_found")
    assert api.post("/api/microflows/validate", [1, 2]).json()["ok"] is False


def test_a_test_run_answers_the_execution_with_its_trace(api):
    api.post("/api/microflows", CREDIT_CHECK)
    body = api.post("/api/microflows/credit-check/test-run", {"input": {"amount": 5000}}).json()
    assert body["status"] == "succeeded" and body["output"]["approved"] is False
    assert [s["node"] for s in body["steps"]] == ["start", "big", "no"]
    assert body["source"] == "designer"


def test_a_failed_test_run_or_bad_input_is_an_outcome_not_an_error(api):
    api.post("/api/microflows", CREDIT_CHECK)
    refused = api.post("/api/microflows/credit-check/test-run", {"input": {"amount": "lots"}})
    assert refused.status_code == 200
    assert refused.json()["status"] == "invalid_input" and refused.json()["error"]["details"]
    assert_error(api.post("/api/microflows/nope/test-run", {"input": {}}), 404, "not_found")
    assert_error(api.post("/api/microflows/credit-check/test-run", {"mode": "later"}), 400, "invalid_request")
