"""The designer and execution pages: sign-in required, 404 for what does not exist or is not yours."""

from __future__ import annotations

import pytest

from tests.flows import CREDIT_CHECK

pytestmark = pytest.mark.django_db


def test_the_pages_need_a_signed_in_user(client):
    for path in ("/designer/", "/designer/microflows/credit-check/", "/executions/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_editor_page_carries_the_name_as_json_and_sets_the_csrf_cookie(client, api, alice):
    api.post("/api/microflows", CREDIT_CHECK)
    client.force_login(alice)
    response = client.get("/designer/microflows/credit-check/")
    assert response.status_code == 200
    assert b'<script id="flow-name-data" type="application/json">"credit-check"</script>' in response.content
    assert "csrftoken" in response.cookies
    assert b"vendor/drawflow/drawflow.min.js" in response.content


def test_the_editor_of_a_missing_microflow_is_a_404(client, alice):
    client.force_login(alice)
    assert client.get("/designer/microflows/nope/").status_code == 404


def test_an_execution_page_is_only_for_its_owner(client, api, alice, bob):
    api.post("/api/microflows", CREDIT_CHECK)
    run_id = api.post("/api/microflows/credit-check/run", {"input": {"amount": 5}}).json()["id"]
    client.force_login(alice)
    assert client.get(f"/executions/{run_id}/").status_code == 200
    client.force_login(bob)
    assert client.get(f"/executions/{run_id}/").status_code == 404
    assert client.get("/executions/00000000-0000-0000-0000-000000000000/").status_code == 404
