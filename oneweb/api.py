"""The one NinjaAPI: authentication (session or bearer token), the error shape, the routers.

Every 4xx answer has the contract's shape {"error": {"code", "message", "details"}}; the
handlers below translate ninja's, pydantic's and Django's own exceptions into it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from oneweb.errors import ApiError
from oneweb.models import ApiToken
from runtime.expressions import strict_json_loads


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.objects.user_for(token)
        if user is not None:
            request.user = user
        return user


class StrictJsonParser(Parser):
    """Request bodies are JSON as specified: NaN and Infinity are malformed, not numbers."""

    def parse_body(self, request: HttpRequest) -> Any:
        return strict_json_loads(request.body)


api = NinjaAPI(
    title="OneWeb API",
    version="1",
    # Bearer first (scripts); then the session, which checks CSRF on unsafe methods.
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    parser=StrictJsonParser(),
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: list | None = None) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details or []}}, status=status
    )


def _where(loc: list | tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"field": _where(err.get("loc", ())), "message": err.get("msg", "invalid")} for err in exc.errors
    ]
    if any("JSON" in d["message"] or "json" in d["message"] for d in details):
        return _error(request, 400, "malformed_json", "The request body is not valid JSON.", details)
    return _error(request, 400, "invalid_request", "The request does not fit the expected shape.", details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Sign in or send a bearer token.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and "parse request body" in str(exc):
        return _error(request, 400, "malformed_json", "The request body is not valid JSON.")
    codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "http_error"), str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "payload_too_large", "The request body is too large.")


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@api.post("/auth/token", auth=None, response=TokenOut, tags=["auth"])
def issue_token(request: HttpRequest, credentials: Credentials) -> dict[str, str]:
    """Trade a username and password for a bearer token."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None or not user.is_active:
        raise ApiError(401, "invalid_credentials", "The username or password is wrong.")
    return {"token": ApiToken.objects.issue(user)}


def register_routers() -> None:
    from designer.api import router as designer_router
    from processes.http_api import router as processes_router
    from runtime.http_api import router as runtime_router

    api.add_router("/", designer_router)
    api.add_router("/", runtime_router)
    from designer.forms_api import router as forms_router; api.add_router("/", forms_router)  # noqa: E702, I001
    from integrations.api import router as integrations_router; api.add_router("/", integrations_router)  # noqa: E702, I001
    api.add_router("/", processes_router)


register_routers()
