"""The RQ job: one job per async execution, by id; everything else is in the database."""

from __future__ import annotations

from django.db import close_old_connections

from runtime import api
from runtime.worker import current_worker_name


def run_execution(execution_id: str) -> None:
    close_old_connections()
    api.execute_queued(execution_id, worker=current_worker_name())
