"""API of connections (superusers create, read, change and delete them; everyone else may
list their names and kinds for the editor's pickers; secret values never leave) and the
export of a microflow with everything it calls as one bundle."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router, Status

from integrations import services
from integrations.export import export_microflow
from integrations.models import Connection
from integrations.objects_api import router as objects_router
from oneweb.errors import ApiError, not_found

router = Router(tags=["connections"])
router.add_router("/", objects_router)


def _superuser(request: HttpRequest) -> None:
    if not getattr(request.auth, "is_superuser", False):
        raise ApiError(403, "forbidden", "Only superusers manage connections.")


@router.get("/connections", response=dict)
def list_connections(request: HttpRequest, kind: str = ""):
    """Every connection; non-superusers see only name, kind and description."""
    rows = Connection.objects.select_related("secret").order_by("name")
    if kind:
        rows = rows.filter(kind=kind)
    if getattr(request.auth, "is_superuser", False):
        items = [services.describe(row) for row in rows]
    else:
        items = [{"name": r.name, "kind": r.kind, "description": r.description} for r in rows]
    return {"items": items, "count": len(items)}


@router.post("/connections", response={201: dict})
def create(request: HttpRequest, data: Any = Body(...)):
    _superuser(request)
    return Status(201, services.describe(services.create_connection(data, request.auth)))


@router.get("/connections/{name}", response=dict)
def read(request: HttpRequest, name: str):
    _superuser(request)
    return services.describe(services.get(name))


@router.put("/connections/{name}", response=dict)
def update(request: HttpRequest, name: str, data: Any = Body(...)):
    """Change a connection: secrets given are set, null removes one, absent ones are kept."""
    _superuser(request)
    return services.describe(services.update_connection(name, data, request.auth))


@router.delete("/connections/{name}", response={204: None})
def delete(request: HttpRequest, name: str):
    _superuser(request)
    services.delete_connection(name)
    return Status(204, None)


@router.get("/microflows/{name}/bundle", response=dict, tags=["microflows"])
def bundle(request: HttpRequest, name: str):
    """The microflow and every microflow it calls (latest versions) in one file, for
    `python -m runtime run` and runtime.embed."""
    try:
        return export_microflow(name)
    except LookupError as exc:
        missing = str(exc.args[0]).split(" v")[0] if exc.args else name
        raise not_found(f"The microflow '{missing}'") from None
