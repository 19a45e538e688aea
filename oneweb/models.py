"""API tokens: `POST /api/auth/token` hands one out; only its SHA-256 digest is stored.

Looking a token up costs a joined query; each process remembers a token's user for
TOKEN_CACHE_S seconds, so a deactivated user or a deleted token stops working within
that time everywhere (and at once in the process that made the change).
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import threading
import time

from django.conf import settings
from django.db import models


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenManager(models.Manager["ApiToken"]):
    def issue(self, user) -> str:
        token = secrets.token_urlsafe(32)
        self.create(user=user, key_digest=digest(token))
        return token

    def user_for(self, token: str):
        key = digest(token)
        now = time.monotonic()
        cached = _recent.get(key)
        if cached is not None and cached[0] > now:
            return copy.copy(cached[1])  # a copy per request: nobody shares a mutable user
        row = self.select_related("user").filter(key_digest=key).first()
        if row is None or not row.user.is_active:
            _recent.pop(key, None)
            return None
        with _recent_lock:
            if len(_recent) >= TOKEN_CACHE_SIZE:
                _recent.clear()
            _recent[key] = (now + TOKEN_CACHE_S, row.user)
        return copy.copy(row.user)


TOKEN_CACHE_S = 30.0
TOKEN_CACHE_SIZE = 10_000
_recent: dict[str, tuple[float, object]] = {}
_recent_lock = threading.Lock()


def forget_cached_tokens(**_: object) -> None:
    """Drops this process's remembered tokens (on any user or token change)."""
    _recent.clear()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApiTokenManager()

    def __str__(self) -> str:
        return f"token of {self.user}"


models.signals.post_save.connect(forget_cached_tokens, sender=settings.AUTH_USER_MODEL)
models.signals.post_delete.connect(forget_cached_tokens, sender=ApiToken)
