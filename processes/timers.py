"""The timer sweep: fires every pending timer due by a given time, each row on its own.

Idempotent and safe to run in several processes at once: each row is claimed by a
conditional UPDATE (after a skip-locked select on PostgreSQL) inside its own transaction,
and a failure in one row is logged and recorded on that row without stopping the rest.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from processes import services
from processes.models import Timer, TimerStatus

log = logging.getLogger(__name__)
BATCH = 500


def fire_due(at: dt.datetime | None = None, limit: int | None = None) -> int:
    """Fires what is due by `at` (default now); returns how many timers this call fired."""
    clock = at or timezone.now()
    fired = 0
    skipped: set[int] = set()
    while limit is None or fired < limit:
        due = list(
            Timer.objects.filter(status=TimerStatus.PENDING, due_at__lte=clock).exclude(id__in=skipped)
            .order_by("due_at", "id").values_list("id", flat=True)[:BATCH]
        )
        if not due:
            break
        for timer_id in due:
            try:
                if services.fire_timer(timer_id, clock):
                    fired += 1
                else:
                    skipped.add(timer_id)
            except Exception as exc:
                log.exception("timer %s failed to fire", timer_id)
                skipped.add(timer_id)
                with transaction.atomic():
                    Timer.objects.filter(id=timer_id, status=TimerStatus.PENDING).update(
                        status=TimerStatus.FAILED, error=str(exc)[:2000], fired_at=timezone.now())
    return fired


def sweep() -> int:
    """ONEWEB["SWEEPS"] entry: the serving stack's sweeper calls it about every half second."""
    return fire_due()
