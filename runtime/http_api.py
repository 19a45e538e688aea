"""HTTP API of the runtime: run a microflow, read executions, read the node-type registry."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from oneweb.errors import ApiError, not_found
from runtime import api as runtime
from runtime import warm_threads
from runtime.models import Execution, ExecutionStatus
from runtime.nodes import registry

router = Router(tags=["runtime"])


class RunRequest(Schema):
    model_config = ConfigDict(extra="forbid")
    input: dict[str, Any] = Field(default_factory=dict)
    mode: Literal["sync", "async"] = "sync"


def _run(name: str, body: RunRequest, user, source: str) -> Status:
    try:
        if body.mode == "async":
            execution = warm_threads.call(lambda: runtime.run_async(name, body.input, user, source=source))
            return Status(202, {"id": str(execution.id), "status": execution.status})
        execution = warm_threads.call(lambda: runtime.run_sync(name, body.input, user, source=source))
    except runtime.UnknownMicroflow:
        raise not_found(f"The microflow '{name}'") from None
    except runtime.InvalidInput as exc:
        raise ApiError(400, "invalid_input", "The input does not fit the microflow's params.", exc.details) from None
    body_out: dict[str, Any] = {"id": str(execution.id), "status": execution.status,
                                "version": execution.version, "duration_ms": execution.duration_ms}
    if execution.status == ExecutionStatus.SUCCEEDED:
        return Status(200, {**body_out, "output": execution.output})
    return Status(422, {**body_out, "error": execution.error})


@router.post("/microflows/{name}/run", response={200: dict, 202: dict, 422: dict})
def run_microflow(request: HttpRequest, name: str, body: RunRequest):
    """Run the latest version: `sync` answers with the output, `async` answers 202 at once."""
    return _run(name, body, request.auth, source="api")


class ExecutionFilter(Schema):
    microflow: str | None = None
    status: Literal["queued", "running", "succeeded", "failed"] | None = None
    mode: Literal["sync", "async"] | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


SUMMARY_FIELDS = ("id", "microflow", "version", "mode", "status", "created_at", "finished_at", "duration_ms", "source")


@router.get("/executions", response=dict)
def list_executions(request: HttpRequest, filters: Query[ExecutionFilter]):
    """The caller's executions (all of them for a superuser), newest first, paginated."""
    rows = Execution.objects.visible_to(request.auth)
    if filters.microflow:
        rows = rows.filter(microflow=filters.microflow)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.mode:
        rows = rows.filter(mode=filters.mode)
    total = rows.count()
    page = rows.order_by("-created_at").values(*SUMMARY_FIELDS, "error")[filters.offset : filters.offset + filters.limit]
    items = []
    for row in page:
        row["id"] = str(row["id"])
        for key in ("created_at", "finished_at"):
            if row[key]:
                row[key] = row[key].isoformat().replace("+00:00", "Z")
        items.append(row)
    return {"items": items, "count": total, "limit": filters.limit, "offset": filters.offset}


@router.get("/executions/{execution_id}", response=dict)
def read_execution(request: HttpRequest, execution_id: str):
    execution = runtime.get_execution(execution_id, request.auth)
    if execution is None:
        raise not_found("The execution")
    return execution.as_dict()


@router.get("/node-types", response=list[dict])
def node_types(request: HttpRequest):
    """The registry the editor's palette is built from."""
    return [node_type.describe() for node_type in registry().values()]
