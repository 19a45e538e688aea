"""Every change to a microflow goes through here: validate, then write a new immutable version."""

from __future__ import annotations

from typing import Any

from designer.models import Microflow, MicroflowVersion
from oneweb.errors import ApiError
from oneweb.versioned import add_version, create_first_version, named_as_addressed
from runtime import api as runtime
from runtime import catalog


def _validated(definition: Any) -> dict[str, Any]:
    try:
        compiled = runtime.validate(definition)
    except runtime.InvalidFlow as exc:
        raise ApiError(400, "invalid_flow", "The microflow definition is not valid.", exc.details) from None
    return compiled.spec.model_dump(by_alias=True, exclude_none=True)


def create_microflow(definition: Any, user) -> MicroflowVersion:
    return create_first_version(Microflow, MicroflowVersion, _validated(definition), user, "microflow")


def update_microflow(name: str, definition: Any, user, comment: str = "") -> MicroflowVersion:
    stored = _validated(named_as_addressed(definition, name))
    return add_version(Microflow, MicroflowVersion, name, stored, user, "microflow", comment)


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
