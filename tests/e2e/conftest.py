"""The session's real stack for end-to-end tests (see stack.py)."""

from __future__ import annotations

import pytest

from tests.e2e.stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack"), workers=2).start()
    yield running
    running.stop()
