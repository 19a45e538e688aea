"""WebSocket authentication: Django's session, or `?token=` with an API token."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from oneweb.models import ApiToken


@database_sync_to_async
def _user_for(token: str):
    return ApiToken.objects.user_for(token)


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        token = (query.get("token") or [""])[0]
        if token:
            user = await _user_for(token)
            if user is not None:
                scope = dict(scope, user=user)
        return await super().__call__(scope, receive, send)


def websocket_auth(inner):
    """Session first (AuthMiddlewareStack), then a token from the query string overrides."""
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))


class SameHostOrigin:
    """Refuses a browser's WebSocket from a foreign page (an Origin header whose host is not
    allowed); clients without an Origin header (scripts with a token) pass."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive, send):
        from urllib.parse import urlparse

        from django.conf import settings
        from django.http.request import validate_host

        origin = dict(scope.get("headers", [])).get(b"origin")
        if origin:
            host = urlparse(origin.decode("latin1")).hostname or ""
            allowed = settings.ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
            if not validate_host(host, allowed):
                await send({"type": "websocket.close", "code": 4403})
                return None
        return await self.inner(scope, receive, send)
