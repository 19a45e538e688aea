"""Forms test fixtures."""

from __future__ import annotations

import pytest


def _drop_compiled_flows() -> None:
    from runtime import catalog

    with catalog._lock:
        names = {flow.name for flow in catalog._cache.values()}
    for name in names:
        catalog.forget(name)


@pytest.fixture(autouse=True)
def fresh_microflow_compiles():
    """runtime.catalog caches compiles by MicroflowVersion row id, and a rolled-back test
    frees its ids for the next test's different microflows: start and end with none cached."""
    _drop_compiled_flows()
    yield
    _drop_compiled_flows()
