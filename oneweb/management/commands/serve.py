"""`manage.py serve`: the whole stack in one command, stopped cleanly by Ctrl-C.

Starts the embedded Redis when REDIS_URL is unset, then daphne (HTTP + WebSocket),
ONEWEB_WORKERS RQ worker processes and the sweeper (timers, lost runs). A worker that
dies is restarted; on SIGINT/SIGTERM the children stop first, then Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from oneweb.embedded_redis import EmbeddedRedis
from oneweb.paths import BASE_DIR, embedded_redis_socket
from runtime.conf import setting


class Command(BaseCommand):
    help = "Serve OneWeb: daphne, RQ workers, the sweeper, and the embedded Redis when needed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=setting("WORKERS"))

    def handle(self, *args, port: int, host: str, workers: int, **options) -> None:
        redis_server = EmbeddedRedis(embedded_redis_socket()) if settings.EMBEDDED_REDIS else None
        if redis_server is not None:
            redis_server.start()
        env = dict(os.environ)
        if redis_server is not None:
            env["REDIS_URL"] = redis_server.url
        manage = [sys.executable, str(Path(BASE_DIR) / "manage.py")]
        web = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "oneweb.asgi:application"],
            env=env, cwd=BASE_DIR,
        )
        worker_command = [*manage, "run_worker"]
        pool = [subprocess.Popen(worker_command, env=env, cwd=BASE_DIR) for _ in range(max(workers, 1))]
        sweeper = subprocess.Popen([*manage, "run_sweeper"], env=env, cwd=BASE_DIR)
        self.stdout.write(f"OneWeb at http://{host}:{port}/  ({len(pool)} workers; Ctrl-C stops)")
        self.stdout.flush()

        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                time.sleep(0.2)
                if web.poll() is not None:
                    self.stderr.write("daphne stopped; shutting down")
                    break
                for index, process in enumerate(pool):
                    if process.poll() is not None and not stopping:
                        pool[index] = subprocess.Popen(worker_command, env=env, cwd=BASE_DIR)
                if sweeper.poll() is not None and not stopping:
                    sweeper = subprocess.Popen([*manage, "run_sweeper"], env=env, cwd=BASE_DIR)
        finally:
            children = [web, sweeper, *pool]
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    child.kill()
            if redis_server is not None:
                redis_server.stop()
