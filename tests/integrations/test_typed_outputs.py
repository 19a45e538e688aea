"""Typed microflow outputs: declared `outputs` are checked at save time (an end node may only
output declared names) and at run time (values are checked like inputs; a mismatch fails
the run with `invalid_output`, which no error edge can route)."""

from __future__ import annotations

import pytest

from runtime import business_objects as bo
from runtime.definition import InvalidFlow, compile_flow
from tests.integrations.test_business_objects import ADDRESS, CUSTOMER
from tests.runtime.test_engine import run

OBJECTS = {"address": {k: v for k, v in ADDRESS.items() if k != "name"},
           "customer": {k: v for k, v in CUSTOMER.items() if k != "name"}}


def typed(output: dict[str, str], outputs: list[dict] | None = None, error_edge: bool = False) -> dict:
    """start -> end with the given output, declaring `outputs` (a customer and a count)."""
    nodes = [{"id": "start", "type": "start"}, {"id": "end", "type": "end", "config": {"output": output}}]
    edges = [{"from": "start", "to": "end"}]
    if error_edge:
        nodes.append({"id": "oops", "type": "end", "config": {"output": {}}})
        edges.append({"from": "end", "to": "oops", "when": "error"})
    return {
        "name": "typed", "params": [{"name": "c", "type": "any"}],
        "outputs": outputs if outputs is not None else [
            {"name": "customer", "type": "object", "object": "customer", "required": True},
            {"name": "count", "type": "integer"}],
        "nodes": nodes, "edges": edges,
    }


def test_an_end_node_may_only_output_declared_names():
    with pytest.raises(InvalidFlow) as caught:
        compile_flow(typed({"customer": "c", "extra": "1"}))
    assert [(d["node"], d["field"]) for d in caught.value.details] == [("end", "output.extra")]


def test_untyped_flows_stay_valid_and_untouched():
    outcome = run(typed({"anything": "c"}, outputs=[]), {"c": {"x": 1}})
    assert outcome.status == "succeeded" and outcome.output == {"anything": {"x": 1}}
    assert compile_flow(typed({"a": "1"}, outputs=[])).outputs == []


@pytest.mark.parametrize("outputs", [
    [{"name": "a", "type": "string"}, {"name": "a", "type": "string"}],
    [{"name": "a", "type": "string", "object": "customer"}],
    [{"name": "a", "type": "money"}],
    [{"name": "bad name"}],
])
def test_bad_output_declarations_are_invalid_flows(outputs):
    with pytest.raises(InvalidFlow) as caught:
        compile_flow(typed({}, outputs=outputs))
    assert all(d["field"].startswith("outputs") for d in caught.value.details)


def test_a_fitting_output_gets_the_business_object_defaults():
    customer = {"id": 1, "name": "Ada", "address": {"street": "s", "zip": "1"}}
    with bo.using(OBJECTS):
        outcome = run(typed({"customer": "c", "count": "2"}), {"c": customer})
    assert outcome.status == "succeeded", outcome.error
    assert outcome.output["customer"]["tier"] == "silver" and outcome.output["customer"]["address"]["country"] == "NL"
    assert outcome.output["count"] == 2


def test_a_mismatched_output_fails_the_run_naming_the_field_path_even_with_an_error_edge():
    customer = {"id": 1, "name": "Ada", "address": {"street": "s", "zip": "12345678901"}}
    with bo.using(OBJECTS):
        outcome = run(typed({"customer": "c", "count": "'two'"}, error_edge=True), {"c": customer})
    assert outcome.status == "failed" and outcome.output is None
    assert outcome.error["code"] == "invalid_output" and outcome.error["node"] == "end"
    assert "customer.address.zip" in outcome.error["message"] and "count" in outcome.error["message"]
    assert {d["field"] for d in outcome.error["details"]} == {"customer.address.zip", "count"}
    assert [s["node"] for s in outcome.steps] == ["start", "end"]


def test_a_missing_required_output_is_invalid_output():
    with bo.using(OBJECTS):
        outcome = run(typed({"count": "1"}), {"c": None})
    assert outcome.error["code"] == "invalid_output" and outcome.error["details"][0]["field"] == "customer"


@pytest.mark.django_db
def test_over_the_api_save_time_and_run_time(api):
    assert api.post("/api/business-objects", ADDRESS).status_code == 201
    assert api.post("/api/business-objects", CUSTOMER).status_code == 201
    bad = api.post("/api/microflows", typed({"customer": "c", "nope": "1"}))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_flow"
    assert [(d["node"], d["field"]) for d in bad.json()["error"]["details"]] == [("end", "output.nope")]
    assert api.post("/api/microflows", typed({"customer": "c"})).status_code == 201
    good = api.post("/api/microflows/typed/run", {"input": {"c": {"id": 1, "name": "Ada"}}})
    assert good.status_code == 200, good.content
    assert good.json()["output"] == {"customer": {"id": 1, "name": "Ada", "tier": "silver"}}
    failed = api.post("/api/microflows/typed/run", {"input": {"c": {"id": "x", "name": "Ada"}}})
    assert failed.status_code == 422, failed.content
    error = failed.json()["error"]
    assert error["code"] == "invalid_output" and "customer.id" in error["message"]
    assert api.get("/api/microflows/typed").json()["outputs"][0]["object"] == "customer"


@pytest.mark.django_db
def test_an_export_carries_the_business_objects_of_the_outputs_and_checks_them_embedded(api):
    from runtime.embed import Library

    assert api.post("/api/business-objects", ADDRESS).status_code == 201
    assert api.post("/api/business-objects", CUSTOMER).status_code == 201
    assert api.post("/api/microflows", typed({"customer": "c"})).status_code == 201
    exported = api.get("/api/microflows/typed/bundle").json()
    assert set(exported["business_objects"]) == {"customer", "address"}
    library = Library.from_data(exported)
    assert library.run(input={"c": {"id": 1, "name": "Bo"}}).output["customer"]["tier"] == "silver"
    failed = library.run(input={"c": {"id": 1}})
    assert failed.status == "failed" and failed.error["details"][0]["field"] == "customer.name"
