"""Pages of the execution history: the filterable list and one execution with its trace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from runtime.api import get_execution


@login_required
@ensure_csrf_cookie
def execution_list(request: HttpRequest) -> HttpResponse:
    return render(request, "runtime/executions.html")


@login_required
@ensure_csrf_cookie
def execution_detail(request: HttpRequest, execution_id: str) -> HttpResponse:
    if get_execution(execution_id, request.user) is None:  # someone else's, or none at all
        raise Http404("There is no such execution.")
    return render(request, "runtime/execution.html", {"execution_id": str(execution_id)})
