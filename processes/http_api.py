"""HTTP API for processes: definitions (versioned), instances, the inbox and task actions."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Body, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from oneweb.errors import ApiError, not_found
from processes import inbox, services
from processes.definition import node_types
from processes.models import ProcessDefinition, ProcessInstance, ProcessVersion, Task
from processes.present import instance_detail, instance_summary, iso, task_detail, task_summary

router = Router(tags=["processes"])


def _version_body(row: ProcessVersion) -> dict[str, Any]:
    return {**row.definition, "version": row.version, "created_at": iso(row.created_at),
            "created_by": row.created_by.get_username() if row.created_by_id else None}


@router.post("/processes", response={201: dict})
def create(request: HttpRequest, definition: Any = Body(...)):
    """Create a process (version 1). 409 when the name is taken."""
    return Status(201, _version_body(services.create_process(definition, request.auth)))


@router.put("/processes/{name}", response=dict)
def update(request: HttpRequest, name: str, definition: Any = Body(...)):
    """Save a new immutable version; running instances stay on theirs."""
    return _version_body(services.update_process(name, definition, request.auth))


@router.get("/process-node-types", response=list[dict])
def process_node_types(request: HttpRequest):
    """The process node types (the designer's palette), with their config JSON Schemas."""
    return node_types()


@router.get("/processes", response=dict)
def list_processes(request: HttpRequest):
    items = [{"name": p.name, "title": p.title, "version": p.current_version, "updated_at": iso(p.updated_at),
              "created_at": iso(p.created_at)} for p in ProcessDefinition.objects.order_by("name")]
    return {"items": items, "count": len(items)}


def _current(name: str) -> ProcessVersion:
    row = ProcessVersion.objects.select_related("created_by").filter(process__name=name).order_by("-version").first()
    if row is None:
        raise not_found(f"The process '{name}'")
    return row


@router.get("/processes/{name}", response=dict)
def read(request: HttpRequest, name: str):
    return _version_body(_current(name))


@router.get("/processes/{name}/versions", response=list[dict])
def list_versions(request: HttpRequest, name: str):
    _current(name)
    rows = ProcessVersion.objects.filter(process__name=name).select_related("created_by").order_by("-version")
    return [{"version": r.version, "created_at": iso(r.created_at), "comment": r.comment,
             "created_by": r.created_by.get_username() if r.created_by_id else None} for r in rows]


@router.get("/processes/{name}/versions/{version}", response=dict)
def read_version(request: HttpRequest, name: str, version: int):
    row = ProcessVersion.objects.select_related("created_by").filter(process__name=name, version=version).first()
    if row is None:
        raise not_found(f"Version {version} of '{name}'")
    return _version_body(row)


@router.delete("/processes/{name}", response={204: None})
def delete(request: HttpRequest, name: str):
    services.delete_process(name)
    return HttpResponse(status=204)


class StartRequest(Schema):
    model_config = ConfigDict(extra="forbid")
    input: dict[str, Any] = Field(default_factory=dict)


@router.post("/processes/{name}/start", response={202: dict})
def start(request: HttpRequest, name: str, body: StartRequest = Body(None)):
    """Start an instance of the latest version: 202 at once; human tasks and timers follow."""
    try:
        instance = services.start_process(name, (body.input if body else {}), request.auth)
    except services.UnknownProcess:
        raise not_found(f"The process '{name}'") from None
    return Status(202, {"id": str(instance.id), "status": instance.status, "process": name, "version": instance.version})


# --- instances -----------------------------------------------------------------------------
def may_see(user, instance: ProcessInstance) -> bool:
    """Superusers, whoever started it, and whoever has (or had) a task in it."""
    if user.is_superuser or instance.started_by_id == user.id:
        return True
    groups = services.group_ids(user)
    return Task.objects.filter(instance=instance).filter(
        Q(assignee=user) | Q(completed_by=user) | Q(group_id__in=groups)).exists()


def _instance(user, instance_id: str) -> ProcessInstance:
    try:
        key = uuid.UUID(str(instance_id))
        found = ProcessInstance.objects.select_related("process", "started_by", "process_version").filter(id=key).first()
    except (ValueError, DjangoValidationError):
        found = None
    if found is None or not may_see(user, found):
        raise not_found("The process instance")
    return found


class InstanceFilter(Schema):
    process: str | None = None
    status: Literal["running", "completed", "failed", "cancelled"] | None = None
    mine: bool = False
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


@router.get("/process-instances", response=dict)
def list_instances(request: HttpRequest, filters: Query[InstanceFilter]):
    """Instances the caller started (all, for a superuser, unless mine=true), newest first."""
    user = request.auth
    rows = ProcessInstance.objects.select_related("process", "started_by")
    if filters.mine or not user.is_superuser:
        rows = rows.filter(started_by=user)
    if filters.process:
        rows = rows.filter(process__name=filters.process)
    if filters.status:
        rows = rows.filter(status=filters.status)
    total = rows.count()
    page = rows.order_by("-started_at")[filters.offset: filters.offset + filters.limit]
    return {"items": [instance_summary(i) for i in page], "count": total, "limit": filters.limit, "offset": filters.offset}


@router.get("/process-instances/{instance_id}", response=dict)
def read_instance(request: HttpRequest, instance_id: str):
    return instance_detail(_instance(request.auth, instance_id))


@router.post("/process-instances/{instance_id}/cancel", response=dict)
def cancel(request: HttpRequest, instance_id: str):
    """Cancel a running instance: its open tasks are withdrawn, its timers dropped."""
    found = _instance(request.auth, instance_id)
    return instance_detail(services.cancel_instance(found.id, request.auth))


# --- inbox and tasks --------------------------------------------------------------------------
@router.get("/inbox", response=list[dict])
def read_inbox(request: HttpRequest, limit: int = 100):
    """My actionable tasks (assigned to me, or to my groups and not held by someone else),
    ordered by due date then creation. The total is in the X-Total-Count header."""
    if not 1 <= limit <= 500:
        raise ApiError(400, "invalid_request", "limit must be between 1 and 500.")
    return inbox.inbox_tasks(request.auth, limit)


@router.get("/inbox/count", response=dict)
def read_inbox_count(request: HttpRequest):
    return {"count": inbox.inbox_count(request.auth)}


def _visible_task(user, task_id: str) -> Task:
    task = services._task(task_id)
    if services.is_candidate(user, task) or task.completed_by_id == user.id:
        return task
    if task.instance.started_by_id == user.id:
        return task
    raise not_found("The task")


@router.get("/tasks/{task_id}", response=dict)
def read_task(request: HttpRequest, task_id: str):
    return task_detail(_visible_task(request.auth, task_id))


class CompleteRequest(Schema):
    model_config = ConfigDict(extra="forbid")
    outcome: str
    comment: str = Field(default="", max_length=10_000)
    data: dict[str, Any] | None = None


class DelegateRequest(Schema):
    model_config = ConfigDict(extra="forbid")
    assignee: str


@router.post("/tasks/{task_id}/complete", response=dict)
def complete(request: HttpRequest, task_id: str, body: CompleteRequest):
    """Complete with an outcome: 403 if you may not act, 409 if no longer open, 400 for a bad outcome."""
    task = services.complete_task(task_id, request.auth, body.outcome, body.comment, body.data)
    return task_summary(task)


@router.post("/tasks/{task_id}/claim", response=dict)
def claim(request: HttpRequest, task_id: str):
    return task_summary(services.claim_task(task_id, request.auth))


@router.post("/tasks/{task_id}/release", response=dict)
def release(request: HttpRequest, task_id: str):
    return task_summary(services.release_task(task_id, request.auth))


@router.post("/tasks/{task_id}/delegate", response=dict)
def delegate(request: HttpRequest, task_id: str, body: DelegateRequest):
    return task_summary(services.delegate_task(task_id, request.auth, body.assignee))
