"""Sync runs go to warm threads (persistent connections) and fall back to the request thread."""

from __future__ import annotations

import threading

import pytest

from runtime import api as runtime
from runtime import warm_threads
from tests.flows import CREDIT_CHECK

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def warm(settings):
    settings.ONEWEB = {**settings.ONEWEB, "WARM_THREADS": 1}
    warm_threads._pool = None  # a pool sized for this test
    yield
    if warm_threads._pool is not None:
        warm_threads._pool.shutdown(wait=True)
    warm_threads._pool = None


def _spy_threads(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = runtime.run_sync

    def spy(*args, **kwargs):
        seen.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(runtime, "run_sync", spy)
    return seen


def test_a_sync_run_executes_on_a_warm_thread(api, warm, monkeypatch):
    api.post("/api/microflows", CREDIT_CHECK)
    seen = _spy_threads(monkeypatch)
    for _ in range(3):
        response = api.post("/api/microflows/credit-check/run", {"input": {"amount": 5}})
        assert response.status_code == 200 and response.json()["output"] == {"approved": True}
    assert len(seen) == 3 and all(name.startswith("oneweb-warm") for name in seen)
    assert len(set(seen)) == 1  # the same thread, so the same open connection, every time


def test_when_every_warm_thread_is_busy_the_run_happens_in_the_request_thread(api, warm, monkeypatch):
    api.post("/api/microflows", CREDIT_CHECK)
    release = threading.Event()
    started = threading.Event()

    def occupy():
        started.set()
        release.wait(10)

    blocker = threading.Thread(target=warm_threads.call, args=(occupy,))
    blocker.start()
    assert started.wait(5)
    seen = _spy_threads(monkeypatch)
    try:
        response = api.post("/api/microflows/credit-check/run", {"input": {"amount": 5000}})
    finally:
        release.set()
        blocker.join()
    assert response.status_code == 200 and response.json()["output"]["approved"] is False
    assert seen == [threading.current_thread().name]


def test_a_database_error_drops_the_warm_threads_connection(warm):
    from django.db import DatabaseError, connection

    def broken():
        with connection.cursor() as cursor:
            try:
                cursor.execute("SELECT * FROM no_such_table")
            except DatabaseError:
                pass
        return connection.connection is not None

    assert warm_threads.call(broken) is True
    assert warm_threads.call(lambda: connection.connection is None) is True
