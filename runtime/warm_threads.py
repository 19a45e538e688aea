"""Warm threads for sync runs: a small pool whose threads keep their database connections.

Under ASGI, Django runs each request in a thread of its own, so every request that touches
the database opens a new connection (for SQLite: registering Django's functions and reading
the schema again, ~1 ms of CPU). A sync run hands its work to one of these threads, which
keeps its SQLite connection from run to run (a pooled PostgreSQL one goes back to the pool); the request thread itself, with a cached bearer
token, never touches the database. When every warm thread is busy (long `wait` nodes, or a
flow whose `http` node calls this server back), the run simply executes in the request
thread, so the pool can never deadlock or queue runs behind each other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connections

from runtime.conf import setting

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_idle: threading.Semaphore | None = None
_lock = threading.Lock()


def _ensure_pool() -> tuple[ThreadPoolExecutor, threading.Semaphore]:
    global _pool, _idle
    if _pool is None:
        with _lock:
            if _pool is None:
                size = setting("WARM_THREADS")
                _idle = threading.Semaphore(size)
                _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="oneweb-warm")
    assert _pool is not None and _idle is not None
    return _pool, _idle


def _keep_connections_healthy() -> None:
    """After a database error the connection may be broken: drop it; otherwise keep it.
    A pooled connection (PostgreSQL) goes back to its pool, which already keeps it warm."""
    for connection in connections.all(initialized_only=True):
        pooled = bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))
        if pooled or connection.errors_occurred or connection.needs_rollback:
            connection.close()


def _guarded(work: Callable[[], T], idle: threading.Semaphore) -> T:
    try:
        return work()
    finally:
        _keep_connections_healthy()
        idle.release()


def call(work: Callable[[], T]) -> T:
    """Runs `work` on a warm thread when one is free, else right here."""
    if not setting("WARM_THREADS"):
        return work()
    pool, idle = _ensure_pool()
    if not idle.acquire(blocking=False):
        return work()
    try:
        future = pool.submit(_guarded, work, idle)
    except RuntimeError:  # the pool is shutting down
        idle.release()
        return work()
    return future.result()
