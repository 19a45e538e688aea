"""The JSON shapes of tasks, instances and history entries (API, pages and pushes share them)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from processes.models import ProcessEvent, ProcessInstance, Task, TaskStatus


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def task_summary(task: Task, group_name: str | None = None, assignee_name: str | None = None) -> dict[str, Any]:
    """The inbox entry; pass names to avoid loading the related rows."""
    if assignee_name is None and task.assignee_id is not None:
        assignee_name = task.assignee.get_username()
    if group_name is None and task.group_id is not None:
        group_name = task.group.name
    return {
        "id": task.id, "title": task.title, "process": task.process_name, "instance": str(task.instance_id),
        "node": task.node, "outcomes": task.outcomes, "assignee": assignee_name, "group": group_name,
        "due_at": iso(task.due_at), "escalated": task.escalated, "created_at": iso(task.created_at),
        "status": task.status, "claimed": task.assignee_id is not None and task.group_id is not None,
        "overdue": bool(task.due_at and task.status == TaskStatus.OPEN and task.due_at < timezone.now()),
    }


def task_detail(task: Task) -> dict[str, Any]:
    instance = task.instance
    variables = instance.variables or {}
    shown = {k: variables[k] for k in task.show if k in variables} if task.show is not None else variables
    return {
        **task_summary(task),
        "form": task.form, "variables": shown,
        "outcome": task.outcome or None, "comment": task.comment, "data": task.data,
        "completed_by": task.completed_by.get_username() if task.completed_by_id else None,
        "completed_at": iso(task.completed_at),
        "instance_status": instance.status,
        "history": history(instance),
    }


def history(instance: ProcessInstance) -> list[dict[str, Any]]:
    return [event_body(e) for e in ProcessEvent.objects.filter(instance=instance).select_related("by").order_by("id")]


def event_body(event: ProcessEvent) -> dict[str, Any]:
    return {"at": iso(event.at), "event": event.event, "node": event.node or None,
            "by": event.by.get_username() if event.by_id else None, "detail": event.detail}


def instance_summary(instance: ProcessInstance) -> dict[str, Any]:
    return {
        "id": str(instance.id), "process": instance.process_id and instance.process.name, "version": instance.version,
        "status": instance.status, "current": instance.current_nodes,
        "started_by": instance.started_by.get_username() if instance.started_by_id else None,
        "started_at": iso(instance.started_at), "finished_at": iso(instance.finished_at), "error": instance.error,
    }


def instance_detail(instance: ProcessInstance) -> dict[str, Any]:
    open_tasks = Task.objects.filter(instance=instance, status=TaskStatus.OPEN).select_related("assignee", "group")
    return {
        **instance_summary(instance),
        "variables": instance.variables,
        "open_tasks": [task_summary(t) for t in open_tasks],
        "history": history(instance),
    }
