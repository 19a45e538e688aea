"""The RQ worker OneWeb runs: no fork per job (SimpleWorker) and a database heartbeat.

Forking per job costs 11-15 ms; a SimpleWorker runs jobs in its own process. A thread
writes this worker's heartbeat row every second; the sweeper marks `running` executions
of a worker whose heartbeat stopped as failed (`worker_lost`), so a killed worker never
leaves a run `running` forever.
"""

from __future__ import annotations

import os
import socket
import threading

from django.db import close_old_connections, connection, connections
from django.utils import timezone
from rq import SimpleWorker

from runtime import push
from runtime.conf import setting
from runtime.models import WorkerHeartbeat

_name = ""


def current_worker_name() -> str:
    return _name


class Heartbeat(threading.Thread):
    def __init__(self, name: str) -> None:
        super().__init__(name="oneweb-heartbeat", daemon=True)
        self.worker_name = name
        self.stopping = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            name=self.worker_name,
            defaults={"pid": os.getpid(), "host": socket.gethostname(), "seen_at": timezone.now()},
        )

    def run(self) -> None:
        interval = setting("WORKER_HEARTBEAT_S")
        while not self.stopping.wait(interval):
            try:
                self.beat()
            except Exception:
                close_old_connections()
        connection.close()


class OneWebWorker(SimpleWorker):
    """A non-forking RQ worker that announces itself in the database."""


def _keep_database_connections() -> None:
    """A worker is one long-lived process running jobs one after another in one thread, so
    it keeps its database connection between jobs instead of opening one per job (the
    default CONN_MAX_AGE=0 made every job's close_old_connections() reconnect). A broken
    connection is still dropped by close_old_connections() before the next job."""
    for alias in connections:
        if connections[alias].settings_dict.get("OPTIONS", {}).get("pool"):
            continue  # a pooled connection is reused by the pool already
        if connections[alias].settings_dict.get("CONN_MAX_AGE") == 0:
            connections[alias].settings_dict["CONN_MAX_AGE"] = None


def run_worker(queue_name: str, burst: bool = False) -> None:
    import django_rq

    global _name
    _keep_database_connections()
    _name = f"{socket.gethostname()}.{os.getpid()}"
    queue = django_rq.get_queue(queue_name)
    heartbeat = Heartbeat(_name)
    heartbeat.beat()
    heartbeat.start()
    worker = OneWebWorker([queue], connection=queue.connection, name=_name)
    try:
        worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
    finally:
        heartbeat.stopping.set()
        push.flush()
        WorkerHeartbeat.objects.filter(name=_name).delete()
