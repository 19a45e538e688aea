"""`http`: a REST call with a real HTTP client (httpx), timeouts and a response size cap.

The result variable gets {"status", "headers", "body"} (body parsed when it is JSON). A
status of 400 or more is an error (`http_status`) unless `fail_on_status` is false; a
call past `timeout_s` fails with `timeout`; a connection problem with `http_error`. With a
`rest` connection (runtime.integrations.rest) `url` is a path under its base URL and the
connection's credentials go into the request headers (which no trace records).
"""

from __future__ import annotations

from typing import Literal

import httpx
from pydantic import Field

from runtime.conf import setting
from runtime.expressions import strict_json_loads
from runtime.integrations import rest
from runtime.integrations.fields import ConnectionName
from runtime.nodes.base import (
    Executor,
    ExpressionCompiler,
    NodeConfig,
    NodeFailure,
    NodeType,
    evaluate,
    evaluate_map,
)
from runtime.nodes.fields import ExpressionMap, ExpressionText, VariableName

_client: httpx.Client | None = None


def client() -> httpx.Client:
    """One pooled client per process (httpx clients are thread-safe)."""
    global _client
    if _client is None:
        _client = httpx.Client(follow_redirects=True, limits=httpx.Limits(max_connections=100))
    return _client


class HttpConfig(NodeConfig):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = "GET"
    url: ExpressionText
    headers: ExpressionMap
    body: ExpressionText | None = None
    timeout_s: float = Field(default=10, gt=0, le=300)
    result: VariableName | None = None
    fail_on_status: bool = True
    connection: ConnectionName | None = Field(
        default=None, description="a rest connection: url is then a path under its base_url, with its auth")


class HttpExecutor(Executor):
    def __init__(self, config: HttpConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.url = compiler.expr("url", config.url)
        self.headers = compiler.exprs("headers", config.headers)
        self.body = compiler.expr("body", config.body) if config.body is not None else None

    def run(self, ctx) -> None:
        url = evaluate(self.url, ctx, "url")
        auth: dict[str, str] = {}
        if self.config.connection:
            url, auth = rest.prepare(self.config.connection, url)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise NodeFailure("http_error", f"url must be an http(s) address, got {url!r}")
        headers = {k: str(v) for k, v in evaluate_map(self.headers, ctx, "headers").items()} | auth
        request_kwargs: dict = {}
        if self.body is not None:
            body = evaluate(self.body, ctx, "body")
            if isinstance(body, (dict, list)):
                request_kwargs["json"] = body
            elif body is not None:
                request_kwargs["content"] = str(body).encode()
        response = self._send(url, headers, request_kwargs)
        if self.config.result:
            ctx.set(self.config.result, response)
        if response["status"] >= 400 and self.config.fail_on_status:
            raise NodeFailure("http_status", f"{self.config.method} {url} answered {response['status']}")
        return None

    def _send(self, url: str, headers: dict[str, str], request_kwargs: dict) -> dict:
        limit = setting("HTTP_MAX_RESPONSE_BYTES")
        timeout = self.config.timeout_s
        try:
            with client().stream(
                self.config.method, url, headers=headers, timeout=timeout, **request_kwargs
            ) as response:
                raw = bytearray()
                for chunk in response.iter_bytes():
                    raw.extend(chunk)
                    if len(raw) > limit:
                        raise NodeFailure("http_error", f"the response is larger than {limit} bytes")
        except httpx.TimeoutException:
            raise NodeFailure("timeout", f"{self.config.method} {url} took longer than {timeout} s") from None
        except httpx.HTTPError as exc:
            raise NodeFailure("http_error", f"{self.config.method} {url} failed: {exc}") from None
        return {"status": response.status_code, "headers": dict(response.headers), "body": _decode(response, bytes(raw))}


def _decode(response: httpx.Response, raw: bytes):
    text = raw.decode(response.encoding or "utf-8", errors="replace")
    if "json" in response.headers.get("content-type", ""):
        try:
            return strict_json_loads(text)
        except ValueError:
            return text
    return text


NODE_TYPE = NodeType(
    type="http", label="HTTP request", category="integration", icon="⇄", color="#0891b2",
    help="Calls a REST endpoint. The result variable gets status, headers and body (parsed when JSON). "
    "A status ≥ 400 is an error unless fail_on_status is off. With a rest connection, url is a path "
    "under its base URL and its credentials are sent along.",
    config=HttpConfig, executor=HttpExecutor,
    example={"method": "GET", "url": "'https://example.org/api/' + id", "result": "response"},
)
