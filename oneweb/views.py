"""Project-level pages: the home page, and a bare JSON view used as the benchmark baseline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def bare_json(request: HttpRequest) -> JsonResponse:
    """The smallest Django JSON view: bench/ compares microflow runs against it."""
    return JsonResponse({"ok": True})


def demo_score(request: HttpRequest) -> JsonResponse:
    """A tiny built-in REST endpoint the demo's `http` node calls (no sign-in needed)."""
    try:
        amount = float(request.GET.get("amount", "0"))
    except ValueError:
        return JsonResponse({"error": {"code": "bad_request", "message": "amount must be a number", "details": []}}, status=400)
    return JsonResponse({"score": max(300, 850 - int(amount // 100))})


FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#0f172a"/><circle cx="8" cy="8" r="4" fill="#2563eb"/></svg>'
)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every page (the admin's too); answer with a small icon."""
    response = HttpResponse(FAVICON, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
