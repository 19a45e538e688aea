"""The one error type API code raises; the API turns it into the contract's error shape."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A client error: HTTP status, a slug code, a human sentence and optional details."""

    def __init__(self, status: int, code: str, message: str, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} was not found.")
