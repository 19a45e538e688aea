"""Pages: the approval inbox, one task, "my requests", one instance, and the process designer/monitor."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie

from oneweb.errors import ApiError
from processes import inbox
from processes.diagram import render_svg
from processes.http_api import _instance, _visible_task
from processes.models import ProcessDefinition, ProcessEvent, ProcessInstance
from processes.present import instance_detail, instance_summary, task_detail


@login_required
@ensure_csrf_cookie
def inbox_page(request: HttpRequest) -> HttpResponse:
    return render(request, "processes/inbox.html", {"tasks": inbox.inbox_tasks(request.user, 100)})


@login_required
@ensure_csrf_cookie
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    try:
        task = _visible_task(request.user, task_id)
    except ApiError:
        raise Http404("No such task") from None
    detail = task_detail(task)
    detail["variables"] = {key: json.dumps(value, ensure_ascii=False) for key, value in detail["variables"].items()}
    return render(request, "processes/task.html", {"task": detail})


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    rows = ProcessInstance.objects.filter(started_by=request.user).select_related("process", "started_by")[:200]
    return render(request, "processes/requests.html", {"instances": [instance_summary(i) for i in rows]})


def _done_nodes(instance: ProcessInstance) -> set[str]:
    return set(ProcessEvent.objects.filter(instance=instance).exclude(node="").values_list("node", flat=True))


@login_required
@ensure_csrf_cookie
def instance_page(request: HttpRequest, instance_id: str) -> HttpResponse:
    try:
        instance = _instance(request.user, instance_id)
    except ApiError:
        raise Http404("No such process instance") from None
    current = instance.current_nodes
    diagram = render_svg(instance.process_version.definition, current, _done_nodes(instance) - set(current))
    detail = instance_detail(instance)
    return render(request, "processes/instance.html", {"instance": detail, "diagram": diagram,
                                                       "variables_json": json.dumps(detail["variables"], indent=2, ensure_ascii=False),
                                                       "can_cancel": instance.status == "running" and (
                                                           request.user.is_superuser or instance.started_by_id == request.user.id)})


def _age(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days}d {hours}h" if days else (f"{hours}h {rest // 60}m" if hours else f"{rest // 60}m {rest % 60}s")


@login_required
@ensure_csrf_cookie
def designer_page(request: HttpRequest) -> HttpResponse:
    """Process definitions (edited as JSON, validated by the API) and the running-instance monitor."""
    running = (ProcessInstance.objects.running().select_related("process", "started_by").order_by("started_at")[:200]
               if request.user.is_superuser else ProcessInstance.objects.none())
    now = timezone.now()
    monitor = [{**instance_summary(i), "age": _age((now - i.started_at).total_seconds())} for i in running]
    return render(request, "processes/designer.html", {
        "processes": ProcessDefinition.objects.order_by("name"), "monitor": monitor})


@login_required
@ensure_csrf_cookie
def process_editor(request: HttpRequest, name: str) -> HttpResponse:
    """The canvas editor for one process (the microflow editor's canvas adapter, process palette)."""
    return render(request, "processes/editor.html", {"process_name": name})
