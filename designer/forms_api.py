"""HTTP API for forms: definitions (a new version per save), button presses, run results,
and the records users save from a form."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, Router, Schema, Status
from pydantic import ConfigDict, Field

from designer import form_services as services
from designer.form_models import Form, FormRecord, FormVersion
from designer.form_spec import microflow_outline
from oneweb.errors import not_found

router = Router(tags=["forms"])


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _version_body(row: FormVersion) -> dict[str, Any]:
    return {
        **row.definition,
        "version": row.version,
        "created_at": _iso(row.created_at),
        "created_by": row.created_by.get_username() if row.created_by else None,
    }


@router.post("/forms", response={201: dict})
def create(request: HttpRequest, definition: Any = Body(...)):
    """Create a form (version 1). 400 `invalid_flow` with details (as for microflows); 409 when the name is taken."""
    return Status(201, _version_body(services.create_form(definition, request.auth)))


@router.put("/forms/{name}", response=dict)
def update(request: HttpRequest, name: str, definition: Any = Body(...)):
    """Save a new immutable version."""
    return _version_body(services.update_form(name, definition, request.auth))


@router.get("/forms", response=dict)
def list_forms(request: HttpRequest, q: str = ""):
    rows = Form.objects.all()
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(title__icontains=q)
    items = [{"name": f.name, "title": f.title, "version": f.current_version,
              "updated_at": _iso(f.updated_at), "created_at": _iso(f.created_at)} for f in rows.order_by("name")]
    return {"items": items, "count": len(items)}


@router.get("/forms/{name}", response=dict)
def read(request: HttpRequest, name: str):
    return _version_body(services.form_version(name))


@router.get("/forms/{name}/versions", response=list[dict])
def list_versions(request: HttpRequest, name: str):
    services.form_version(name)
    rows = FormVersion.objects.filter(form__name=name).select_related("created_by").order_by("-version")
    return [{"version": r.version, "created_at": _iso(r.created_at), "comment": r.comment,
             "created_by": r.created_by.get_username() if r.created_by else None} for r in rows]


@router.get("/forms/{name}/versions/{version}", response=dict)
def read_version(request: HttpRequest, name: str, version: int):
    return _version_body(services.form_version(name, version))


@router.delete("/forms/{name}", response={204: None})
def delete(request: HttpRequest, name: str):
    services.delete_form(name)
    return HttpResponse(status=204)


class Press(Schema):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, Any] = Field(default_factory=dict)
    version: int | None = Field(default=None, ge=1)


@router.post("/forms/{name}/buttons/{index}/press", response={200: dict, 202: dict, 422: dict})
def press(request: HttpRequest, name: str, index: int, body: Press):
    """Press a button with the form's field values. A blocking microflow button answers with
    the run and its outputs mapped onto fields (`outputs`); a non-blocking one answers 202
    with the execution id at once; a process button answers 202 with the instance."""
    pressed = services.press(name, index, body.values, request.auth, body.version)
    return Status(pressed.status, pressed.body)


@router.get("/forms/{name}/buttons/{index}/result/{execution_id}", response=dict)
def result(request: HttpRequest, name: str, index: int, execution_id: str, version: int | None = None):
    """A run this button started: its status, and once succeeded its outputs mapped onto fields."""
    return services.button_result(name, index, execution_id, request.auth, version)


@router.get("/form-targets/microflows/{name}", response=dict)
def microflow_target(request: HttpRequest, name: str):
    """What the form designer's pickers need about a microflow: its params and output keys."""
    outline = microflow_outline(name)
    if outline is None:
        raise not_found(f"The microflow '{name}'")
    return {"name": name, **outline}


# --- records ---------------------------------------------------------------------------------
class RecordIn(Schema):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, Any] = Field(default_factory=dict)
    version: int | None = Field(default=None, ge=1)


def _record_body(record: FormRecord) -> dict[str, Any]:
    return {"id": record.pk, "form": record.form.name, "version": record.version, "values": record.data,
            "created_by": record.created_by.get_username() if record.created_by else None,
            "created_at": _iso(record.created_at), "updated_at": _iso(record.updated_at)}


@router.post("/forms/{name}/records", response={201: dict})
def create_record(request: HttpRequest, name: str, body: RecordIn):
    """Save the form's values as a record."""
    return Status(201, _record_body(services.save_record(name, body.values, request.auth, body.version)))


@router.get("/forms/{name}/records", response=dict)
def list_records(request: HttpRequest, name: str, limit: int = 50, offset: int = 0):
    """The caller's records of this form (everyone's for a superuser), newest first."""
    services.form_version(name)
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    rows = FormRecord.objects.visible_to(request.auth).filter(form__name=name).select_related("form", "created_by")
    return {"items": [_record_body(r) for r in rows[offset:offset + limit]], "count": rows.count(),
            "limit": limit, "offset": offset}


@router.get("/forms/{name}/records/{record_id}", response=dict)
def read_record(request: HttpRequest, name: str, record_id: int):
    return _record_body(services.record_for(name, record_id, request.auth))


@router.put("/forms/{name}/records/{record_id}", response=dict)
def update_record(request: HttpRequest, name: str, record_id: int, body: RecordIn):
    return _record_body(services.update_record(name, record_id, body.values, request.auth))


@router.delete("/forms/{name}/records/{record_id}", response={204: None})
def delete_record(request: HttpRequest, name: str, record_id: int):
    services.delete_record(name, record_id, request.auth)
    return HttpResponse(status=204)
