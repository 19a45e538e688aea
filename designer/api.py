"""Design-time API for microflows: create, update (a new version per save), read, list, delete;
version history (restore, diff) and what the browser editor needs besides: a dry validation,
a test run and the live expression check. The editor's calls answer 200 for outcomes that
are normal while editing (an invalid draft, a failed test run), so the page logs no errors."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from ninja import Body, Field, Query, Router, Schema, Status

from designer import services
from designer.diff import diff_definitions
from designer.models import Microflow, MicroflowVersion
from oneweb.errors import not_found
from runtime import api as runtime
from runtime.expressions import ExpressionError, compile_expression
from runtime.models import Execution

router = Router(tags=["microflows"])


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _version_body(row: MicroflowVersion) -> dict[str, Any]:
    return {
        **row.definition,
        "version": row.version,
        "created_at": _iso(row.created_at),
        "created_by": row.created_by.get_username() if row.created_by else None,
    }


@router.post("/microflows", response={201: dict})
def create(request: HttpRequest, definition: Any = Body(...)):
    """Create a microflow (version 1). 409 when the name is taken."""
    row = services.create_microflow(definition, request.auth)
    return Status(201, _version_body(row))


@router.post("/microflows/validate", response=dict)
def validate(request: HttpRequest, definition: Any = Body(...)):
    """Check a draft without saving: {"ok", "details"} with the details a save would answer."""
    try:
        runtime.validate(definition)
    except runtime.InvalidFlow as exc:
        return {"ok": False, "details": exc.details}
    return {"ok": True, "details": []}


@router.put("/microflows/{name}", response=dict)
def update(request: HttpRequest, name: str, definition: Any = Body(...)):
    """Save a new immutable version."""
    return _version_body(services.update_microflow(name, definition, request.auth))


@router.get("/microflows", response=dict)
def list_microflows(request: HttpRequest, q: str = ""):
    rows = Microflow.objects.all()
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(title__icontains=q)
    # The last run the caller may see (all runs for a superuser), for the list's status column.
    runs = Execution.objects.visible_to(request.auth).filter(microflow=OuterRef("name")).order_by("-created_at")
    rows = rows.annotate(last_status=Subquery(runs.values("status")[:1]),
                         last_run_at=Subquery(runs.values("created_at")[:1]))
    items = [
        {"name": f.name, "title": f.title, "version": f.current_version,
         "updated_at": _iso(f.updated_at), "created_at": _iso(f.created_at),
         "last_run": {"status": f.last_status, "at": _iso(f.last_run_at)} if f.last_status else None}
        for f in rows.order_by("name")
    ]
    return {"items": items, "count": len(items)}


def _current(name: str) -> MicroflowVersion:
    row = (
        MicroflowVersion.objects.select_related("microflow", "created_by")
        .filter(microflow__name=name)
        .order_by("-version")
        .first()
    )
    if row is None:
        raise not_found(f"The microflow '{name}'")
    return row


@router.get("/microflows/{name}", response=dict)
def read(request: HttpRequest, name: str):
    return _version_body(_current(name))


@router.get("/microflows/{name}/versions", response=list[dict])
def list_versions(request: HttpRequest, name: str):
    _current(name)
    rows = MicroflowVersion.objects.filter(microflow__name=name).select_related("created_by").order_by("-version")
    return [
        {"version": r.version, "created_at": _iso(r.created_at), "comment": r.comment,
         "created_by": r.created_by.get_username() if r.created_by else None}
        for r in rows
    ]


def _version(name: str, version: int) -> MicroflowVersion:
    row = MicroflowVersion.objects.select_related("created_by").filter(microflow__name=name, version=version).first()
    if row is None:
        raise not_found(f"Version {version} of '{name}'")
    return row


@router.get("/microflows/{name}/versions/{version}", response=dict)
def read_version(request: HttpRequest, name: str, version: int):
    return _version_body(_version(name, version))


@router.post("/microflows/{name}/versions/{version}/restore", response=dict)
def restore_version(request: HttpRequest, name: str, version: int):
    """Save an old version's definition again as the newest version (history is never rewritten)."""
    old = _version(name, version)
    row = services.update_microflow(name, old.definition, request.auth, comment=f"restored from version {version}")
    return _version_body(row)


class DiffQuery(Schema):
    from_: int = Field(..., alias="from", ge=1)
    to: int = Field(..., ge=1)


@router.get("/microflows/{name}/diff", response=dict)
def diff_versions(request: HttpRequest, name: str, query: Query[DiffQuery]):
    """Nodes, edges and params added, removed and changed between two versions."""
    old, new = _version(name, query.from_), _version(name, query.to)
    return {"name": name, "from": old.version, "to": new.version,
            **diff_definitions(old.definition, new.definition)}


@router.delete("/microflows/{name}", response={204: None})
def delete(request: HttpRequest, name: str):
    services.delete_microflow(name)
    return HttpResponse(status=204)


class ExpressionCheck(Schema):
    expression: str = Field(..., max_length=20_000)


@router.post("/expressions/check", response=dict, tags=["expressions"])
def check_expression(request: HttpRequest, body: ExpressionCheck):
    """Compile a CEL expression as a save would; errors carry a 1-based line and column."""
    try:
        compiled = compile_expression(body.expression)
    except ExpressionError as exc:
        return {"ok": False, "errors": [{"message": exc.message, "line": exc.line, "column": exc.column}]}
    return {"ok": True, "errors": [], "variables": sorted(compiled.names)}


class TestRun(Schema):
    input: Any = None
    mode: Literal["sync", "async"] = "sync"


@router.post("/microflows/{name}/test-run", response={200: dict, 202: dict}, tags=["editor"])
def test_run(request: HttpRequest, name: str, body: TestRun):
    """The editor's test panel: like /run, but a failed run or refused input is a 200 outcome
    ({"status": "failed" | "invalid_input", ...}) and a sync answer carries the trace."""
    given = {} if body.input is None else body.input
    try:
        if body.mode == "async":
            execution = runtime.run_async(name, given, request.auth, source="designer")
            return Status(202, {"id": str(execution.id), "status": execution.status})
        execution = runtime.run_sync(name, given, request.auth, source="designer")
    except runtime.UnknownMicroflow:
        raise not_found(f"The microflow '{name}'") from None
    except runtime.InvalidInput as exc:
        return {"id": None, "status": "invalid_input",
                "error": {"code": "invalid_input", "message": "The input does not fit the microflow's params.",
                          "details": exc.details}}
    return execution.as_dict()
