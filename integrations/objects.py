"""Every change to a business object goes through here: check, then store a new version.

A definition is checked against runtime.business_objects' shape and rules, and every
`object` it refers to must exist (or be itself, for trees). Versions are immutable: a
save adds one; flows use the latest unless a param pins `object_version`.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from pydantic import ValidationError as PydanticError

from integrations.models import BusinessObject, BusinessObjectVersion
from oneweb.errors import ApiError, not_found
from runtime import business_objects as bo

READ_ONLY_KEYS = {"version", "created_at", "created_by", "updated_at"}


def _invalid(message: str, details: list[dict[str, Any]]) -> ApiError:
    return ApiError(400, "invalid_business_object", message, details)


def parse(definition: Any) -> bo.BusinessObjectSpec:
    if not isinstance(definition, dict):
        raise _invalid("A business object must be a JSON object.", [])
    cleaned = {k: v for k, v in definition.items() if k not in READ_ONLY_KEYS}
    try:
        spec = bo.BusinessObjectSpec.model_validate(cleaned)
    except PydanticError as exc:
        details = [{"field": ".".join(str(p) for p in err.get("loc", ())) or None, "message": err.get("msg", "invalid")}
                   for err in exc.errors()]
        raise _invalid("The business object does not fit the expected shape.", details) from None
    details = bo.problems_in(spec)
    for where, name in _references(spec.fields, "fields."):
        if name != spec.name and not BusinessObject.objects.filter(name=name).exists():
            details.append({"field": where, "message": f"there is no business object named '{name}'"})
    if details:
        raise _invalid("The business object is not valid.", details)
    return spec


def _references(fields: list[bo.FieldSpec], path: str) -> list[tuple[str, str]]:
    found = []

    def walk(spec: bo.TypeSpec, where: str) -> None:
        if spec.object is not None:
            found.append((where, spec.object))
        for item in spec.fields or []:
            walk(item, f"{where}.{item.name}")
        if spec.items is not None:
            walk(spec.items, f"{where}[]")

    for item in fields:
        walk(item, f"{path}{item.name}")
    return found


def create(definition: Any, user=None) -> BusinessObjectVersion:
    spec = parse(definition)
    try:
        with transaction.atomic():
            row = BusinessObject.objects.create(name=spec.name, title=spec.title, created_by=user)
            return BusinessObjectVersion.objects.create(
                business_object=row, version=1, definition=spec.model_dump(exclude_none=True), created_by=user)
    except IntegrityError:
        raise ApiError(409, "conflict", f"A business object named '{spec.name}' exists already.") from None


def update(name: str, definition: Any, user=None) -> BusinessObjectVersion:
    if isinstance(definition, dict) and definition.get("name", name) != name:
        raise _invalid("A business object cannot be renamed.", [{"field": "name", "message": "differs from the URL"}])
    spec = parse({**definition, "name": name} if isinstance(definition, dict) else definition)
    with transaction.atomic():
        row = BusinessObject.objects.select_for_update().filter(name=name).first()
        if row is None:
            raise not_found(f"The business object '{name}'")
        BusinessObject.objects.filter(pk=row.pk).update(current_version=F("current_version") + 1, title=spec.title)
        row.refresh_from_db()
        return BusinessObjectVersion.objects.create(
            business_object=row, version=row.current_version, definition=spec.model_dump(exclude_none=True),
            created_by=user)


def version(name: str, number: int | None = None) -> BusinessObjectVersion:
    rows = BusinessObjectVersion.objects.select_related("business_object", "created_by").filter(
        business_object__name=name)
    row = rows.filter(version=number).first() if number is not None else rows.order_by("-version").first()
    if row is None:
        raise not_found(f"The business object '{name}'" + (f" version {number}" if number is not None else ""))
    return row


def delete(name: str) -> None:
    deleted, _ = BusinessObject.objects.filter(name=name).delete()
    if not deleted:
        raise not_found(f"The business object '{name}'")


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def describe(row: BusinessObjectVersion) -> dict[str, Any]:
    return {**row.definition, "version": row.version, "created_at": _iso(row.created_at),
            "created_by": row.created_by.get_username() if row.created_by else None}
