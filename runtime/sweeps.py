"""Periodic repairs run by the sweeper: lost runs failed, runs whose job vanished re-enqueued.

Each sweep is idempotent and isolated: it may run in several processes at once and a
failure in one row never stops the others.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from runtime import api, catalog
from runtime.conf import setting
from runtime.models import Execution, ExecutionMode, ExecutionStatus, WorkerHeartbeat

log = logging.getLogger(__name__)


def reap_lost_executions() -> int:
    """Handles `running` async runs whose worker stopped sending heartbeats: queued again
    while the flow's `retry_on_worker_loss` allows, else failed with `worker_lost`."""
    cutoff = timezone.now() - timedelta(seconds=setting("WORKER_LOST_AFTER_S"))
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("name", flat=True))
    reaped = 0
    running = Execution.objects.filter(status=ExecutionStatus.RUNNING, mode=ExecutionMode.ASYNC)
    fields = ("id", "worker", "started_at", "created_by_id", "mode", "microflow", "version", "source", "attempts")
    for execution in running.only(*fields):
        if execution.worker in alive:
            continue
        if execution.started_at and execution.started_at > cutoff:
            continue  # give a just-started worker time for its first heartbeat
        try:
            if max(execution.attempts, 1) <= _retries(execution):  # rows from before attempts count as 1
                handled = api.requeue_lost_execution(execution)
            else:
                handled = api.fail_execution(
                    execution, "worker_lost",
                    f"The worker running this execution ({execution.worker or 'unknown'}) stopped "
                    "before the run finished.",
                )
            reaped += int(handled)
        except Exception:
            log.exception("could not handle lost execution %s", execution.id)
    WorkerHeartbeat.objects.filter(seen_at__lt=cutoff - timedelta(minutes=10)).delete()
    return reaped


def _retries(execution: Execution) -> int:
    try:
        return catalog.compiled(execution.microflow, execution.version).spec.retry_on_worker_loss
    except Exception:  # a deleted or no longer valid version: nothing to retry with
        return 0


def requeue_orphaned_executions() -> int:
    """Re-enqueues `queued` runs older than 30 s whose RQ job is gone (e.g. Redis was flushed).

    One pipelined EXISTS per batch, so a long backlog of queued runs costs one round trip."""
    from rq.job import Job

    cutoff = timezone.now() - timedelta(seconds=30)
    queue = api._queue()
    stale = list(
        Execution.objects.filter(status=ExecutionStatus.QUEUED, created_at__lt=cutoff)
        .order_by("created_at").values_list("id", flat=True)[:500]
    )
    if not stale:
        return 0
    pipeline = queue.connection.pipeline(transaction=False)
    for execution_id in stale:
        pipeline.exists(Job.key_for(str(execution_id)))
    requeued = 0
    for execution_id, exists in zip(stale, pipeline.execute(), strict=True):
        if exists:
            continue
        try:
            api.enqueue(execution_id)
            requeued += 1
        except Exception:
            log.exception("could not enqueue execution %s again", execution_id)
    return requeued
