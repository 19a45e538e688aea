"""NaN and infinities are not JSON: refused at the API, in expressions and HTTP bodies, and a
result the database cannot hold is stored as a failed run instead of a 500 or a stuck run."""

from __future__ import annotations

import pytest
from django.conf import settings

from runtime import api as runtime
from runtime.engine import Outcome
from runtime.models import Execution
from runtime.worker import run_worker
from tests.flows import CREDIT_CHECK, linear

pytestmark = pytest.mark.django_db(transaction=True)


def test_nan_in_a_request_body_is_malformed_json(api):
    api.post("/api/microflows", CREDIT_CHECK)
    for constant in ("NaN", "Infinity", "-Infinity"):
        response = api.post("/api/microflows/credit-check/run", raw='{"input": {"amount": ' + constant + "}}")
        assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_json"
    assert Execution.objects.count() == 0


def test_an_expression_that_makes_nan_fails_at_its_node(api):
    api.post("/api/microflows", linear("nan", [
        {"id": "calc", "type": "assign", "config": {"set": {"x": "0.0 / 0.0"}}},
        {"id": "end", "type": "end", "config": {"output": {"x": "x"}}},
    ]))
    response = api.post("/api/microflows/nan/run", {"input": {}})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "expression_error" and response.json()["error"]["node"] == "calc"


def _nan_outcome(*args, **kwargs) -> Outcome:
    return Outcome("succeeded", {"x": float("nan")}, None, [], {})


def test_a_sync_result_the_database_refuses_is_stored_as_failed(api, monkeypatch):
    api.post("/api/microflows", CREDIT_CHECK)
    monkeypatch.setattr(runtime, "run_flow", _nan_outcome)
    response = api.post("/api/microflows/credit-check/run", {"input": {"amount": 1}})
    assert response.status_code == 422 and response.json()["error"]["code"] == "unstorable_result"
    assert Execution.objects.get().status == "failed"


def test_an_async_result_the_database_refuses_does_not_leave_the_run_running(api, monkeypatch):
    api.post("/api/microflows", CREDIT_CHECK)
    execution_id = api.post("/api/microflows/credit-check/run", {"input": {"amount": 1}, "mode": "async"}).json()["id"]
    monkeypatch.setattr(runtime, "run_flow", _nan_outcome)
    run_worker(settings.RQ_QUEUE, burst=True)
    stored = api.get(f"/api/executions/{execution_id}").json()
    assert stored["status"] == "failed" and stored["error"]["code"] == "unstorable_result"
