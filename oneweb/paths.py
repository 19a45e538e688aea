"""Where OneWeb keeps its local state (SQLite file, generated secret, embedded Redis socket).

Everything lives under one `var` folder so a checkout stays clean and a test run never
shares a Redis socket or database with a `make run` started beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """The state folder: ONEWEB_VAR_DIR, else var/run (var/test under pytest)."""
    configured = os.environ.get("ONEWEB_VAR_DIR")
    if configured:
        path = Path(configured)
    else:
        path = BASE_DIR / "var" / ("test" if os.environ.get("PYTEST_VERSION") else "run")
    path.mkdir(parents=True, exist_ok=True)
    return path


def under_pytest() -> bool:
    return bool(os.environ.get("PYTEST_VERSION"))


def embedded_redis_socket() -> Path:
    """The embedded Redis socket; each pytest process gets its own, so parallel runs never
    share (or stop) one another's server."""
    return var_dir() / (f"redis-{os.getpid()}.sock" if under_pytest() else "redis.sock")
