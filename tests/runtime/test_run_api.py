"""Running microflows over the API: sync, async through a real RQ queue, visibility, bad input."""

from __future__ import annotations

import pytest
from django.conf import settings

from runtime.models import Execution
from runtime.worker import run_worker
from tests.designer.test_microflow_api import assert_error
from tests.flows import CREDIT_CHECK, linear

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def credit_check(api):
    assert api.post("/api/microflows", CREDIT_CHECK).status_code == 201


def test_a_sync_run_answers_with_the_output(api, credit_check):
    response = api.post("/api/microflows/credit-check/run", {"input": {"amount": 10}, "mode": "sync"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "succeeded" and body["output"] == {"approved": True}
    assert body["version"] == 1 and body["duration_ms"] >= 0
    stored = api.get(f"/api/executions/{body['id']}").json()
    assert stored["mode"] == "sync" and [s["node"] for s in stored["steps"]] == ["start", "big", "ok"]
    assert stored["steps"][0]["started_at"].endswith("Z")


def test_mode_defaults_to_sync(api, credit_check):
    assert api.post("/api/microflows/credit-check/run", {"input": {"amount": 10}}).json()["status"] == "succeeded"


def test_a_failed_sync_run_is_a_422_with_the_error(api):
    flow = linear("nope", [{"id": "stop", "type": "fail", "config": {"message": "'no'", "code": "refused"}}])
    api.post("/api/microflows", flow)
    response = api.post("/api/microflows/nope/run", {"input": {}})
    assert response.status_code == 422
    assert response.json()["status"] == "failed"
    assert response.json()["error"] == {"code": "refused", "message": "no", "node": "stop"}


def test_input_that_does_not_fit_is_a_400_and_runs_nothing(api, credit_check):
    error = assert_error(api.post("/api/microflows/credit-check/run", {"input": {"amount": "x"}}), 400, "invalid_input")
    assert error["details"][0]["field"] == "amount"
    assert_error(api.post("/api/microflows/credit-check/run", {"input": {}}), 400, "invalid_input")
    assert Execution.objects.count() == 0


def test_unknown_fields_and_modes_are_400(api, credit_check):
    assert_error(api.post("/api/microflows/credit-check/run", {"input": {"amount": 1}, "speed": "max"}), 400, "invalid_request")
    assert_error(api.post("/api/microflows/credit-check/run", {"input": {"amount": 1}, "mode": "later"}), 400, "invalid_request")
    assert_error(api.post("/api/microflows/credit-check/run", {"input": [1]}), 400, "invalid_request")


def test_running_an_unknown_microflow_is_a_404(api):
    assert_error(api.post("/api/microflows/ghost/run", {"input": {}}), 404, "not_found")


def test_an_async_run_answers_202_and_a_worker_finishes_it(api, credit_check):
    response = api.post("/api/microflows/credit-check/run", {"input": {"amount": 5000}, "mode": "async"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert api.get(f"/api/executions/{body['id']}").json()["status"] == "queued"
    run_worker(settings.RQ_QUEUE, burst=True)
    done = api.get(f"/api/executions/{body['id']}").json()
    assert done["status"] == "succeeded" and done["output"] == {"approved": False, "reason": "too big"}
    assert done["mode"] == "async" and done["worker"]


def test_users_see_only_their_own_executions(api, bob_api, admin_api, credit_check):
    run_id = api.post("/api/microflows/credit-check/run", {"input": {"amount": 1}}).json()["id"]
    assert_error(bob_api.get(f"/api/executions/{run_id}"), 404, "not_found")
    assert bob_api.get("/api/executions").json()["count"] == 0
    assert api.get("/api/executions").json()["items"][0]["id"] == run_id
    assert admin_api.get(f"/api/executions/{run_id}").status_code == 200


def test_executions_filter_by_status_and_microflow(api, credit_check):
    api.post("/api/microflows/credit-check/run", {"input": {"amount": 1}})
    flow = linear("nope", [{"id": "stop", "type": "fail", "config": {"message": "'no'"}}])
    api.post("/api/microflows", flow)
    api.post("/api/microflows/nope/run", {"input": {}})
    failed = api.get("/api/executions?status=failed").json()["items"]
    assert [e["microflow"] for e in failed] == ["nope"]
    assert api.get("/api/executions?microflow=credit-check").json()["count"] == 1
    assert_error(api.get("/api/executions?status=sideways"), 400, "invalid_request")


def test_the_node_type_registry_describes_every_contract_type(api):
    types = {t["type"]: t for t in api.get("/api/node-types").json()}
    assert set(types) >= {"start", "end", "assign", "decision", "http", "call", "foreach", "fail", "wait", "script"}
    assert types["decision"]["ports"] == ["true", "false"]
    assert "condition" in types["decision"]["config_schema"]["properties"]
    assert types["http"]["config_schema"]["properties"]["timeout_s"]["default"] == 10


def test_a_malformed_execution_id_is_a_404(api):
    assert_error(api.get("/api/executions/not-a-uuid"), 404, "not_found")
