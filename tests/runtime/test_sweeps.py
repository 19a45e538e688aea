"""The sweeper's repairs: lost workers' runs are failed, runs whose job vanished are re-enqueued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rq.job import Job

from runtime import api, sweeps
from runtime.models import Execution, WorkerHeartbeat
from runtime.worker import run_worker
from tests.flows import CREDIT_CHECK

pytestmark = pytest.mark.django_db(transaction=True)


def _execution(status: str, worker: str = "", age_s: float = 60) -> Execution:
    then = timezone.now() - timedelta(seconds=age_s)
    return Execution.objects.create(microflow="credit-check", version=1, mode="async", status=status,
                                    input={"amount": 1}, worker=worker, created_at=then, started_at=then)


def test_a_run_whose_worker_stopped_beating_is_failed_as_lost():
    WorkerHeartbeat.objects.create(name="gone.1", pid=1, host="h", seen_at=timezone.now() - timedelta(minutes=1))
    WorkerHeartbeat.objects.create(name="alive.2", pid=2, host="h", seen_at=timezone.now())
    lost = _execution("running", worker="gone.1")
    healthy = _execution("running", worker="alive.2")
    assert sweeps.reap_lost_executions() == 1
    lost.refresh_from_db()
    healthy.refresh_from_db()
    assert lost.status == "failed" and lost.error["code"] == "worker_lost" and lost.finished_at
    assert healthy.status == "running"
    assert sweeps.reap_lost_executions() == 0  # idempotent


def test_a_just_started_run_gets_time_for_the_first_heartbeat():
    fresh = _execution("running", worker="new.3", age_s=0)
    assert sweeps.reap_lost_executions() == 0
    fresh.refresh_from_db()
    assert fresh.status == "running"


def test_a_queued_run_whose_job_vanished_is_enqueued_again_and_then_runs(admin_api):
    admin_api.post("/api/microflows", CREDIT_CHECK)
    orphan = _execution("queued", age_s=120)
    queue = api._queue()
    assert not Job.exists(str(orphan.id), connection=queue.connection)
    assert sweeps.requeue_orphaned_executions() == 1
    assert Job.exists(str(orphan.id), connection=queue.connection)
    assert sweeps.requeue_orphaned_executions() == 0
    run_worker(settings.RQ_QUEUE, burst=True)
    orphan.refresh_from_db()
    assert orphan.status == "succeeded" and orphan.output == {"approved": True}


def test_a_run_is_executed_at_most_once():
    execution = _execution("succeeded")
    assert api.execute_queued(execution.id, worker="w") is None


def _lost_run_of(api_client, retries: int) -> Execution:
    flow = {**CREDIT_CHECK, "retry_on_worker_loss": retries}
    assert api_client.post("/api/microflows", flow).status_code == 201
    WorkerHeartbeat.objects.create(name="gone.9", pid=9, host="h", seen_at=timezone.now() - timedelta(minutes=1))
    return _execution("running", worker="gone.9")


def test_a_flow_that_allows_it_is_queued_again_when_its_worker_dies(admin_api):
    lost = _lost_run_of(admin_api, retries=1)
    Execution.objects.filter(id=lost.id).update(attempts=1)
    assert sweeps.reap_lost_executions() == 1
    lost.refresh_from_db()
    assert lost.status == "queued" and lost.worker == "" and lost.error is None
    assert Job.exists(str(lost.id), connection=api._queue().connection)
    run_worker(settings.RQ_QUEUE, burst=True)
    lost.refresh_from_db()
    assert lost.status == "succeeded" and lost.attempts == 2


def test_a_run_that_used_up_its_retries_fails_as_lost(admin_api):
    lost = _lost_run_of(admin_api, retries=1)
    Execution.objects.filter(id=lost.id).update(attempts=2)
    assert sweeps.reap_lost_executions() == 1
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.error["code"] == "worker_lost"


def test_retries_are_bounded_at_save_time(admin_api):
    response = admin_api.post("/api/microflows", {**CREDIT_CHECK, "retry_on_worker_loss": 99})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_flow"
