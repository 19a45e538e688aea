"""API of business objects: define, version, read, delete, and check a value against one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router, Status

from integrations import objects
from integrations.models import BusinessObject, BusinessObjectVersion
from runtime import business_objects as bo

router = Router(tags=["business objects"])


@router.post("/business-objects", response={201: dict})
def create(request: HttpRequest, definition: Any = Body(...)):
    """Define a business object (version 1); 409 when the name is taken."""
    return Status(201, objects.describe(objects.create(definition, request.auth)))


@router.put("/business-objects/{name}", response=dict)
def update(request: HttpRequest, name: str, definition: Any = Body(...)):
    """Save a new immutable version."""
    return objects.describe(objects.update(name, definition, request.auth))


@router.get("/business-objects", response=dict)
def list_objects(request: HttpRequest):
    rows = BusinessObject.objects.order_by("name")
    items = [{"name": r.name, "title": r.title, "version": r.current_version} for r in rows]
    return {"items": items, "count": len(items)}


@router.get("/business-objects/{name}", response=dict)
def read(request: HttpRequest, name: str):
    return objects.describe(objects.version(name))


@router.get("/business-objects/{name}/versions", response=list[dict])
def versions(request: HttpRequest, name: str):
    objects.version(name)
    rows = BusinessObjectVersion.objects.filter(business_object__name=name).order_by("-version")
    return [{"version": r.version, "created_at": objects.describe(r)["created_at"]} for r in rows]


@router.get("/business-objects/{name}/versions/{number}", response=dict)
def read_version(request: HttpRequest, name: str, number: int):
    return objects.describe(objects.version(name, number))


@router.delete("/business-objects/{name}", response={204: None})
def delete(request: HttpRequest, name: str):
    objects.delete(name)
    return Status(204, None)


@router.post("/business-objects/{name}/validate", response=dict)
def validate(request: HttpRequest, name: str, body: Any = Body(...)):
    """Check `{"value": ..., "version": n}` against the business object: `valid`, the value
    with defaults filled in, and every problem with its field path."""
    row = objects.version(name, body.get("version") if isinstance(body, dict) else None)
    value = body.get("value") if isinstance(body, dict) else None
    cleaned, details = bo.check(name, value, name, version=row.version)
    return {"valid": not details, "value": cleaned if not details else None, "details": details}
