"""What a `rest` connection adds to an `http` node's request: its base URL and its auth.

With `"connection": "crm-api"` the node's `url` is a path under the connection's
`base_url` (or a full URL that starts with it) and the request carries the connection's
credentials (basic, bearer token, or a token in a named header). The credentials live in
the connection's secrets and go only into request headers, which no trace records.
"""

from __future__ import annotations

import base64
from typing import Any

from runtime.integrations.connections import Connection, resolve
from runtime.nodes.base import NodeFailure


def prepare(connection_name: str, url: Any) -> tuple[str, dict[str, str]]:
    """(absolute URL, auth headers) for a request through the named rest connection."""
    connection = resolve(connection_name, "rest")
    return join(connection, url), auth_headers(connection)


def join(connection: Connection, url: Any) -> str:
    base = str(connection.config.get("base_url") or "").rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise NodeFailure("http_error", f"the connection '{connection.name}' has no http(s) base_url")
    if not isinstance(url, str):
        raise NodeFailure("http_error", f"url must be a text, got {url!r}")
    if url.startswith(("http://", "https://")):
        if url != base and not url.startswith(base + "/") and not url.startswith(base + "?"):
            raise NodeFailure("http_error", f"the url must stay under the connection's base_url {base}")
        full = url
    else:
        if url.startswith("//"):
            raise NodeFailure("http_error", "a url through a connection is a path under its base_url")
        full = f"{base}/{url.lstrip('/')}" if url else base
    path = full[len(base):].split("?", 1)[0]
    if any(segment in ("..", ".") for segment in path.split("/")):
        raise NodeFailure("http_error", "the url must stay under the connection's base_url (no '..')")
    return full


def auth_headers(connection: Connection) -> dict[str, str]:
    config, secrets = connection.config, connection.secrets
    kind = config.get("auth", "none")
    if kind == "basic":
        pair = f"{config.get('username') or ''}:{secrets.get('password', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    if kind == "bearer":
        return {"Authorization": f"Bearer {secrets.get('token', '')}"}
    if kind == "header":
        return {str(config.get("header_name") or "X-API-Key"): secrets.get("token", "")}
    return {}
