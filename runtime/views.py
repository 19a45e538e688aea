"""Pages of the execution history: the filterable list and one execution with its trace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@login_required
@ensure_csrf_cookie
def execution_list(request: HttpRequest) -> HttpResponse:
    return render(request, "runtime/executions.html")


@login_required
@ensure_csrf_cookie
def execution_detail(request: HttpRequest, execution_id: str) -> HttpResponse:
    return render(request, "runtime/execution.html", {"execution_id": str(execution_id)})
