"""Shared fixtures: the embedded Redis for the session (unless REDIS_URL is set), users, API clients."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings

from oneweb.embedded_redis import EmbeddedRedis
from oneweb.paths import embedded_redis_socket


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real stack (daphne, 2 RQ workers, sweeper, Redis) in fresh state, shared by the
    end-to-end and browser tests of one session."""
    from tests.e2e.stack import Stack

    running = Stack(tmp_path_factory.mktemp("stack"), workers=2).start()
    yield running
    running.stop()


@pytest.fixture(scope="session", autouse=True)
def redis_server():
    server = EmbeddedRedis(embedded_redis_socket()).start() if settings.EMBEDDED_REDIS else None
    yield server
    if server is not None:
        server.stop()


class JsonClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, body: Any = None, raw: str | bytes | None = None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json", **self.headers}
        if data is not None:
            kwargs["data"] = data
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str):
        return self._send("get", path)

    def post(self, path: str, body: Any = None, raw: str | bytes | None = None):
        return self._send("post", path, body, raw)

    def put(self, path: str, body: Any = None, raw: str | bytes | None = None):
        return self._send("put", path, body, raw)

    def delete(self, path: str):
        return self._send("delete", path)


def _token_for(client, username: str, password: str) -> str:
    response = client.post("/api/auth/token", data=json.dumps({"username": username, "password": password}),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="pw-alice")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="pw-bob")


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw-root")


@pytest.fixture
def api(client, alice) -> JsonClient:
    return JsonClient(client, _token_for(client, "alice", "pw-alice"))


@pytest.fixture
def bob_api(client, bob) -> JsonClient:
    from django.test import Client

    other = Client()
    return JsonClient(other, _token_for(other, "bob", "pw-bob"))


@pytest.fixture
def admin_api(admin_user) -> JsonClient:
    from django.test import Client

    other = Client()
    return JsonClient(other, _token_for(other, "root", "pw-root"))


@pytest.fixture
def anonymous(client) -> JsonClient:
    return JsonClient(client, None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Warm threads have their own database connections, which cannot see a test's open
    # transaction; tests/runtime/test_warm_threads.py and the real stack exercise them.
    settings.ONEWEB = {**settings.ONEWEB, "WARM_THREADS": 0}
