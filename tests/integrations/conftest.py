"""Fixtures for the integration tests."""

from __future__ import annotations

import pytest

from runtime import catalog


@pytest.fixture(autouse=True)
def fresh_compiled_flows():
    """Runs every test between empty compiled-flow caches. The cache is keyed by the stored
    version's row id, and SQLite hands out a rolled-back (or deleted) row's id again, so a
    flow saved by one test could otherwise be served as another test's flow."""
    _clear()
    yield
    _clear()


def _clear() -> None:
    with catalog._lock:
        catalog._cache.clear()
