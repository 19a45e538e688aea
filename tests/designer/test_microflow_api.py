"""The design-time microflow API: versions, validation details, errors in the contract's shape."""

from __future__ import annotations

import copy

import pytest

from tests.flows import CREDIT_CHECK

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    return body["error"]


def test_it_creates_a_microflow_at_version_one(api):
    response = api.post("/api/microflows", CREDIT_CHECK)
    assert response.status_code == 201
    assert response.json()["name"] == "credit-check"
    assert response.json()["version"] == 1


def test_it_refuses_a_second_microflow_with_the_same_name(api):
    api.post("/api/microflows", CREDIT_CHECK)
    assert_error(api.post("/api/microflows", CREDIT_CHECK), 409, "conflict")


def test_every_save_is_a_new_immutable_version(api):
    api.post("/api/microflows", CREDIT_CHECK)
    changed = copy.deepcopy(CREDIT_CHECK)
    changed["nodes"][1]["config"]["condition"] = "amount > 5000"
    response = api.put("/api/microflows/credit-check", changed)
    assert response.status_code == 200 and response.json()["version"] == 2
    assert api.get("/api/microflows/credit-check").json()["nodes"][1]["config"]["condition"] == "amount > 5000"
    old = api.get("/api/microflows/credit-check/versions/1").json()
    assert old["version"] == 1 and old["nodes"][1]["config"]["condition"] == "amount > 1000"
    assert [v["version"] for v in api.get("/api/microflows/credit-check/versions").json()] == [2, 1]


def test_it_keeps_node_layout_in_ui(api):
    flow = copy.deepcopy(CREDIT_CHECK)
    flow["nodes"][0]["ui"] = {"x": 12, "y": 34}
    api.post("/api/microflows", flow)
    assert api.get("/api/microflows/credit-check").json()["nodes"][0]["ui"] == {"x": 12, "y": 34}


def test_it_lists_and_deletes_microflows(api):
    api.post("/api/microflows", CREDIT_CHECK)
    assert [m["name"] for m in api.get("/api/microflows").json()["items"]] == ["credit-check"]
    assert api.delete("/api/microflows/credit-check").status_code == 204
    assert_error(api.get("/api/microflows/credit-check"), 404, "not_found")
    assert_error(api.delete("/api/microflows/credit-check"), 404, "not_found")


def test_it_rejects_unknown_node_type(api):
    flow = copy.deepcopy(CREDIT_CHECK)
    flow["nodes"].append({"id": "x", "type": "teleport"})
    error = assert_error(api.post("/api/microflows", flow), 400, "invalid_flow")
    assert {"node": "x", "field": "type", "message": "unknown node type 'teleport'"} in error["details"]


def test_it_reports_expression_errors_with_their_position(api):
    flow = copy.deepcopy(CREDIT_CHECK)
    flow["nodes"][1]["config"]["condition"] = "amount >"
    error = assert_error(api.post("/api/microflows", flow), 400, "invalid_flow")
    detail = error["details"][0]
    assert detail["node"] == "big" and detail["field"] == "condition"
    assert detail["position"] == {"line": 1, "column": 9}


@pytest.mark.parametrize(
    ("mutate", "node", "fragment"),
    [
        (lambda f: f["nodes"].pop(0), None, "exactly one start"),
        (lambda f: f["nodes"].append({"id": "s2", "type": "start"}), "s2", "exactly one start"),
        (lambda f: f["edges"].append({"from": "ok", "to": "ghost"}), "ok", "missing node 'ghost'"),
        (lambda f: f["params"].append({"name": "p", "type": "money"}), None, "Input should be"),
        (lambda f: f["edges"].pop(2), "big", "both branches"),
        (lambda f: f["nodes"][1]["config"].update(colour="red"), "big", "Extra inputs"),
    ],
)
def test_it_rejects_broken_definitions_naming_the_node(api, mutate, node, fragment):
    flow = copy.deepcopy(CREDIT_CHECK)
    mutate(flow)
    error = assert_error(api.post("/api/microflows", flow), 400, "invalid_flow")
    assert any(d["node"] == node and fragment in d["message"] for d in error["details"]), error["details"]


def test_an_update_must_not_rename(api):
    api.post("/api/microflows", CREDIT_CHECK)
    renamed = {**CREDIT_CHECK, "name": "other"}
    assert_error(api.put("/api/microflows/credit-check", renamed), 400, "invalid_flow")


def test_malformed_json_is_a_clear_400(api):
    error = assert_error(api.post("/api/microflows", raw="{not json"), 400, "malformed_json")
    assert "JSON" in error["message"]


def test_a_definition_that_is_not_an_object_is_invalid(api):
    assert_error(api.post("/api/microflows", [1, 2, 3]), 400, "invalid_flow")


def test_oversized_bodies_are_refused_with_413(api):
    huge = {**CREDIT_CHECK, "description": "x" * 2_000_000}
    assert_error(api.post("/api/microflows", huge), 413, "payload_too_large")


def test_anonymous_calls_get_401(anonymous):
    assert_error(anonymous.get("/api/microflows"), 401, "unauthenticated")


def test_bad_credentials_get_401(anonymous):
    assert_error(anonymous.post("/api/auth/token", {"username": "nobody", "password": "x"}), 401, "invalid_credentials")


def test_the_openapi_document_is_served(api, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/microflows/{name}/run" in response.json()["paths"]
