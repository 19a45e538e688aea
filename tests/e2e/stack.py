"""Starts the real OneWeb stack (`manage.py serve`: daphne, RQ workers, sweeper, embedded Redis)
in fresh state for end-to-end tests, and talks to it as an outside client would."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """One running stack with its own database, var folder and queue name."""

    def __init__(self, var_dir: Path, workers: int = 1) -> None:
        self.var_dir = var_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.pg_database: str | None = None
        self.env = self._environment()
        self.tokens: dict[str, str] = {}
        self.http = httpx.Client(base_url=self.base, timeout=30)

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DJANGO_SETTINGS_MODULE"}}
        env.update({
            "ONEWEB_VAR_DIR": str(self.var_dir), "PORT": str(self.port), "DEBUG": "1",
            "ONEWEB_WORKERS": str(self.workers), "ONEWEB_QUEUE": f"e2e-{uuid.uuid4().hex[:8]}",
            "PYTHONUNBUFFERED": "1",
        })
        outer = os.environ.get("DATABASE_URL", "")
        if outer.startswith("postgres"):
            self.pg_database = f"oneweb_e2e_{uuid.uuid4().hex[:10]}"
            env["DATABASE_URL"] = urlparse(outer)._replace(path=f"/{self.pg_database}").geturl()
            self._pg_admin(f'CREATE DATABASE "{self.pg_database}"')
        return env

    def _pg_admin(self, statement: str) -> None:
        import psycopg

        outer = urlparse(os.environ["DATABASE_URL"])
        with psycopg.connect(outer._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(statement)

    def manage(self, *args: str, timeout: float = 180) -> str:
        result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=self.env, cwd=ROOT,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> Stack:
        self.manage("migrate", "--noinput")
        self.manage("load_demo")
        log = open(self.var_dir / "serve.log", "w")  # noqa: SIM115 - kept open for the process
        self.process = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "serve"], env=self.env,
                                        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("serve exited:\n" + (self.var_dir / "serve.log").read_text())
            try:
                if self.http.get("/accounts/login/").status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the stack did not come up:\n" + (self.var_dir / "serve.log").read_text())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.http.close()
        if self.pg_database:
            try:
                self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)')
            except Exception:
                pass

    # --- client helpers ---------------------------------------------------------------
    def token(self, username: str = "admin", password: str | None = None) -> str:
        if username not in self.tokens:
            password = password or ("admin" if username == "admin" else "demo")
            response = self.http.post("/api/auth/token", json={"username": username, "password": password})
            response.raise_for_status()
            self.tokens[username] = response.json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, body: Any = None, user: str = "admin") -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(user)}"}
        if body is None:
            return self.http.request(method, path, headers=headers)
        return self.http.request(method, path, headers=headers, content=json.dumps(body),
                                 params=None, extensions=None)

    def ws_url(self, path: str, user: str = "admin") -> str:
        return f"ws://127.0.0.1:{self.port}{path}?token={self.token(user)}"

    def wait_for(self, execution_id: str, statuses: set[str], timeout: float = 30, user: str = "admin") -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.call("GET", f"/api/executions/{execution_id}", user=user).json()
            if body["status"] in statuses:
                return body
            time.sleep(0.1)
        raise AssertionError(f"execution {execution_id} never reached {statuses}: {body}")


def run_coroutine(coroutine) -> Any:
    """asyncio.run in a thread of its own, so it works even when the calling thread already
    runs an event loop (Playwright's sync API keeps one running in the main thread)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
