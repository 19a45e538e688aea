"""API tokens: `POST /api/auth/token` hands one out; only its SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets

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
        row = self.select_related("user").filter(key_digest=digest(token)).first()
        if row is None or not row.user.is_active:
            return None
        return row.user


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApiTokenManager()

    def __str__(self) -> str:
        return f"token of {self.user}"
