"""A process param typed by a business object: `POST /api/processes/{name}/start` checks the
input against the object's fields and names each bad one by its path."""

from __future__ import annotations

import pytest

from tests.integrations.test_business_objects import ADDRESS, CUSTOMER

pytestmark = pytest.mark.django_db

ONBOARD = {
    "name": "onboard",
    "params": [{"name": "customer", "type": "object", "object": "customer", "required": True}],
    "nodes": [{"id": "start", "type": "start"}, {"id": "end", "type": "end"}],
    "edges": [{"from": "start", "to": "end"}],
}


@pytest.fixture
def process(api):
    assert api.post("/api/business-objects", ADDRESS).status_code == 201
    assert api.post("/api/business-objects", CUSTOMER).status_code == 201
    response = api.post("/api/processes", ONBOARD)
    assert response.status_code == 201, response.content


def test_bad_nested_input_to_a_process_is_invalid_input_naming_the_paths(api, process):
    customer = {"id": "one", "name": "Ada", "address": {"street": "Main 1", "zip": "12345678901"}}
    response = api.post("/api/processes/onboard/start", {"input": {"customer": customer}})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert {d["field"] for d in error["details"]} == {"customer.id", "customer.address.zip"}


def test_good_input_starts_the_process_and_missing_input_is_named(api, process):
    customer = {"id": 1, "name": "Ada", "address": {"street": "Main 1", "zip": "1234AB"}}
    response = api.post("/api/processes/onboard/start", {"input": {"customer": customer}})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "completed"
    assert api.post("/api/processes/onboard/start", {"input": {}}).json()["error"]["details"][0]["field"] == "customer"
