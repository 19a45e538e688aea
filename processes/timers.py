"""The timer sweep: fires every pending timer due by a given time, each row on its own.

Idempotent and safe to run in several processes at once: each row is claimed by a
conditional UPDATE (after a skip-locked select on PostgreSQL) inside its own transaction,
and a failure in one row is logged and recorded on that row without stopping the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import connection, transaction
from django.utils import timezone

from processes import services
from processes.models import Timer, TimerStatus

log = logging.getLogger(__name__)
BATCH = 100  # timers fired per transaction (each in its own savepoint)


def fire_due(at: dt.datetime | None = None, limit: int | None = None) -> int:
    """Fires what is due by `at` (default now); returns how many timers this call fired.

    A batch shares one transaction (one commit instead of a hundred) and each timer runs in
    a savepoint of its own, so one that raises is rolled back alone and marked `failed`.
    On PostgreSQL the batch commits with synchronous_commit off: a crash may forget the last
    moments' firings, which then simply fire again (their rows are still pending)."""
    clock = at or timezone.now()
    fired = 0
    skipped: set[int] = set()
    while limit is None or fired < limit:
        due = list(
            Timer.objects.filter(status=TimerStatus.PENDING, due_at__lte=clock).exclude(id__in=skipped)
            .order_by("due_at", "id").values("id", "instance_id", "kind", "node", "task_id")[:BATCH]
        )
        if not due:
            break
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            for row in due:
                timer_id = row["id"]
                try:
                    with transaction.atomic():  # this row's savepoint: all of it or nothing
                        done = services.fire_timer(timer_id, clock, row)
                    if done:
                        fired += 1
                    else:
                        skipped.add(timer_id)
                except Exception as exc:
                    log.exception("timer %s failed to fire", timer_id)
                    skipped.add(timer_id)
                    Timer.objects.filter(id=timer_id, status=TimerStatus.PENDING).update(
                        status=TimerStatus.FAILED, error=str(exc)[:2000], fired_at=timezone.now())
    return fired


def resume_missed_microflow_steps(now: dt.datetime | None = None) -> int:
    """Safety net for the execution listener: a process's microflow run that finished 10-40 s
    ago while its instance still waits on it (the listener died or lost a lock) resumes now.
    Read-only unless something was missed; resuming is idempotent."""
    from processes.models import ProcessInstance
    from runtime.models import Execution, ExecutionStatus

    now = now or timezone.now()
    finished = Execution.objects.filter(
        source__startswith="process:", status__in=[ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED],
        finished_at__gte=now - dt.timedelta(seconds=40), finished_at__lte=now - dt.timedelta(seconds=10),
    ).only("id", "source", "status", "output", "error")
    resumed = 0
    for execution in finished:
        instance_id = execution.source.split(":", 1)[1]
        try:
            state = ProcessInstance.objects.filter(id=instance_id, status="running").values_list("state", flat=True).first()
        except Exception:
            continue
        if state and f"exec:{execution.id}" in state.get("tokens", {}):
            try:
                services.microflow_finished(execution)
                resumed += 1
            except Exception:
                log.exception("could not resume instance %s after execution %s", instance_id, execution.id)
    return resumed


_last_repair = 0.0


def sweep() -> int:
    """ONEWEB["SWEEPS"] entry: the serving stack's sweeper calls it about every half second."""
    global _last_repair
    fired = fire_due()
    if time.monotonic() - _last_repair >= 10:
        _last_repair = time.monotonic()
        resume_missed_microflow_steps()
    return fired
