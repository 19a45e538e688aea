"""Design-time API for microflows: create, update (a new version per save), read, list, delete."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, Router, Status

from designer import services
from designer.models import Microflow, MicroflowVersion
from oneweb.errors import not_found

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


@router.put("/microflows/{name}", response=dict)
def update(request: HttpRequest, name: str, definition: Any = Body(...)):
    """Save a new immutable version."""
    return _version_body(services.update_microflow(name, definition, request.auth))


@router.get("/microflows", response=dict)
def list_microflows(request: HttpRequest, q: str = ""):
    rows = Microflow.objects.all()
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(title__icontains=q)
    items = [
        {"name": f.name, "title": f.title, "version": f.current_version,
         "updated_at": _iso(f.updated_at), "created_at": _iso(f.created_at)}
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


@router.get("/microflows/{name}/versions/{version}", response=dict)
def read_version(request: HttpRequest, name: str, version: int):
    row = MicroflowVersion.objects.select_related("created_by").filter(microflow__name=name, version=version).first()
    if row is None:
        raise not_found(f"Version {version} of '{name}'")
    return _version_body(row)


@router.delete("/microflows/{name}", response={204: None})
def delete(request: HttpRequest, name: str):
    services.delete_microflow(name)
    return HttpResponse(status=204)
