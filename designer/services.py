"""Every change to a microflow goes through here: validate, then write a new immutable version."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from designer.models import Microflow, MicroflowVersion
from oneweb.errors import ApiError
from runtime import api as runtime
from runtime import catalog


def _validated(definition: Any) -> dict[str, Any]:
    try:
        compiled = runtime.validate(definition)
    except runtime.InvalidFlow as exc:
        raise ApiError(400, "invalid_flow", "The microflow definition is not valid.", exc.details) from None
    return compiled.spec.model_dump(by_alias=True, exclude_none=True)


def create_microflow(definition: Any, user) -> MicroflowVersion:
    stored = _validated(definition)
    try:
        with transaction.atomic():
            flow = Microflow.objects.create(name=stored["name"], title=stored.get("title", ""), created_by=user)
            return MicroflowVersion.objects.create(microflow=flow, version=1, definition=stored, created_by=user)
    except IntegrityError:
        raise ApiError(409, "conflict", f"A microflow named '{stored['name']}' already exists.") from None


def update_microflow(name: str, definition: Any, user, comment: str = "") -> MicroflowVersion:
    if isinstance(definition, dict) and definition.get("name", name) != name:
        raise ApiError(400, "invalid_flow", "The name in the body differs from the one in the address.",
                       [{"node": None, "field": "name", "message": "renaming is not supported; create a copy"}])
    if isinstance(definition, dict) and "name" not in definition:
        definition = {**definition, "name": name}
    stored = _validated(definition)
    with transaction.atomic():
        flow = Microflow.objects.select_for_update().filter(name=name).first()
        if flow is None:
            raise ApiError(404, "not_found", f"The microflow '{name}' was not found.")
        flow.current_version += 1
        flow.title = stored.get("title", "")
        flow.save(update_fields=["current_version", "title", "updated_at"])
        return MicroflowVersion.objects.create(
            microflow=flow, version=flow.current_version, definition=stored, created_by=user, comment=comment
        )


def save_microflow(definition: Any, user) -> MicroflowVersion:
    """Creates the microflow, or adds a version when the definition differs from the latest
    (used by the demo loader and imports: running it twice changes nothing)."""
    stored = _validated(definition)
    latest = MicroflowVersion.objects.filter(microflow__name=stored["name"]).order_by("-version").first()
    if latest is None:
        return create_microflow(definition, user)
    if latest.definition == stored:
        return latest
    return update_microflow(stored["name"], definition, user, comment="imported")


def delete_microflow(name: str) -> None:
    deleted, _ = Microflow.objects.filter(name=name).delete()
    if not deleted:
        raise ApiError(404, "not_found", f"The microflow '{name}' was not found.")
    catalog.forget(name)
