"""Business objects: named, versioned types over the API, used as microflow params, with
input problems reported as `invalid_input` naming the field path."""

from __future__ import annotations

import pytest

from runtime import business_objects as bo
from runtime.definition import InvalidFlow, compile_flow
from runtime.params import InvalidInput, check_input

pytestmark = pytest.mark.django_db

ADDRESS = {"name": "address", "title": "Address", "fields": [
    {"name": "street", "type": "string", "required": True},
    {"name": "zip", "type": "string", "required": True, "max_length": 10},
    {"name": "country", "type": "string", "default": "NL", "enum": ["NL", "BE", "DE"]},
]}
CUSTOMER = {"name": "customer", "title": "Customer", "fields": [
    {"name": "id", "type": "integer", "required": True},
    {"name": "name", "type": "string", "required": True},
    {"name": "tier", "type": "string", "default": "silver"},
    {"name": "since", "type": "date"},
    {"name": "address", "type": "object", "object": "address"},
    {"name": "tags", "type": "array", "items": {"type": "string"}},
    {"name": "contacts", "type": "array", "items": {"type": "object", "fields": [
        {"name": "email", "type": "string", "required": True}]}},
]}

GREET = {
    "name": "greet", "params": [{"name": "customer", "type": "object", "object": "customer", "required": True}],
    "nodes": [{"id": "start", "type": "start"},
              {"id": "end", "type": "end", "config": {"output": {
                  "text": "'Hello ' + customer.name + ' (' + customer.tier + ', ' + customer.address.country + ')'"}}}],
    "edges": [{"from": "start", "to": "end"}],
}


@pytest.fixture
def defined(api):
    assert api.post("/api/business-objects", ADDRESS).status_code == 201
    response = api.post("/api/business-objects", CUSTOMER)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_business_object_is_defined_versioned_and_read(api, defined):
    assert defined["version"] == 1 and defined["fields"][0]["name"] == "id"
    changed = {**CUSTOMER, "fields": [*CUSTOMER["fields"], {"name": "vip", "type": "boolean", "default": False}]}
    assert api.put("/api/business-objects/customer", changed).json()["version"] == 2
    assert [f["name"] for f in api.get("/api/business-objects/customer").json()["fields"]][-1] == "vip"
    assert "vip" not in [f["name"] for f in api.get("/api/business-objects/customer/versions/1").json()["fields"]]
    assert [v["version"] for v in api.get("/api/business-objects/customer/versions").json()] == [2, 1]
    listed = api.get("/api/business-objects").json()["items"]
    assert {"name": "customer", "title": "Customer", "version": 2} in listed


@pytest.mark.parametrize("definition, field", [
    ({"name": "Bad Name", "fields": []}, "name"),
    ({"name": "x", "fields": [{"name": "a", "type": "money"}]}, "fields.0.type"),
    ({"name": "x", "fields": [{"name": "a"}, {"name": "a"}]}, "fields.a"),
    ({"name": "x", "fields": [{"name": "a", "type": "object", "object": "nowhere"}]}, "fields.a"),
    ({"name": "x", "fields": [{"name": "a", "type": "string", "items": {"type": "string"}}]}, "fields.a"),
])
def test_invalid_definitions_are_400_naming_the_field(api, definition, field):
    response = api.post("/api/business-objects", definition)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_business_object" and field in [d["field"] for d in error["details"]]


def test_duplicates_are_409_unknown_ones_404_and_delete_is_204(api, defined):
    assert api.post("/api/business-objects", ADDRESS).status_code == 409
    assert api.get("/api/business-objects/nothing").status_code == 404
    assert api.put("/api/business-objects/nothing", ADDRESS | {"name": "nothing"}).status_code == 404
    assert api.delete("/api/business-objects/address").status_code == 204
    assert api.delete("/api/business-objects/address").status_code == 404


def test_a_microflow_param_typed_by_a_business_object_gets_defaults(api, defined):
    assert api.post("/api/microflows", GREET).status_code == 201
    customer = {"id": 1, "name": "Ada", "address": {"street": "Main 1", "zip": "1234AB"}}
    response = api.post("/api/microflows/greet/run", {"input": {"customer": customer}})
    assert response.status_code == 200, response.content
    assert response.json()["output"] == {"text": "Hello Ada (silver, NL)"}


def test_bad_input_is_invalid_input_naming_each_field_path(api, defined):
    api.post("/api/microflows", GREET)
    customer = {"id": "one", "address": {"zip": "12345678901", "country": "FR"}, "tags": ["a", 2],
                "contacts": [{"email": "a@b"}, {}], "shoe_size": 44, "since": "31-01-2024"}
    response = api.post("/api/microflows/greet/run", {"input": {"customer": customer}})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert {d["field"] for d in error["details"]} == {
        "customer.id", "customer.name", "customer.address.street", "customer.address.zip",
        "customer.address.country", "customer.tags[1]", "customer.contacts[1].email", "customer.shoe_size",
        "customer.since"}


def test_the_validate_endpoint_checks_a_value(api, defined):
    ok = api.post("/api/business-objects/address/validate", {"value": {"street": "s", "zip": "1"}}).json()
    assert ok == {"valid": True, "value": {"street": "s", "zip": "1", "country": "NL"}, "details": []}
    bad = api.post("/api/business-objects/address/validate", {"value": {"street": 1}}).json()
    assert not bad["valid"] and {d["field"] for d in bad["details"]} == {"address.street", "address.zip"}


def test_a_pinned_version_and_a_list_of_objects():
    objects = {"line": {"fields": [{"name": "qty", "type": "integer", "required": True}]}}
    flow = compile_flow({"name": "order", "params": [
        {"name": "lines", "type": "array", "object": "line", "object_version": 1}],
        "nodes": [{"id": "start", "type": "start"}, {"id": "end", "type": "end"}],
        "edges": [{"from": "start", "to": "end"}]})
    with bo.using(objects):
        assert check_input(flow.params, {"lines": [{"qty": 2.0}]}) == {"lines": [{"qty": 2}]}
        with pytest.raises(InvalidInput) as caught:
            check_input(flow.params, {"lines": [{"qty": 1}, {"qty": "x"}]})
    assert caught.value.details[0]["field"] == "lines[1].qty"


def test_a_business_object_param_must_be_an_object_or_a_list():
    with pytest.raises(InvalidFlow):
        compile_flow({"name": "x", "params": [{"name": "c", "type": "string", "object": "customer"}],
                      "nodes": [{"id": "start", "type": "start"}, {"id": "end", "type": "end"}],
                      "edges": [{"from": "start", "to": "end"}]})


def test_an_unknown_business_object_is_reported_as_invalid_input(api):
    api.post("/api/microflows", GREET)
    response = api.post("/api/microflows/greet/run", {"input": {"customer": {"id": 1}}})
    assert response.status_code == 400
    assert "no business object named 'customer'" in response.json()["error"]["details"][0]["message"]


def test_an_export_carries_the_business_objects_and_runs_embedded(api, defined):
    from runtime.embed import Library

    api.post("/api/microflows", GREET)
    exported = api.get("/api/microflows/greet/bundle").json()
    assert set(exported["business_objects"]) == {"customer", "address"}
    library = Library.from_data(exported)
    result = library.run(input={"customer": {"id": 1, "name": "Bo", "address": {"street": "s", "zip": "1"}}})
    assert result.output == {"text": "Hello Bo (silver, NL)"}
    with pytest.raises(InvalidInput) as caught:
        library.run(input={"customer": {"id": 1, "name": "Bo", "address": {"zip": "1"}}})
    assert caught.value.details[0]["field"] == "customer.address.street"
