"""How the runtime finds a microflow's saved definitions (ONEWEB["MICROFLOW_SOURCE"]).

A stored version is identified by its row id *and* its creation time: SQLite may hand a
deleted row's id to a new row, but never with the same timestamp, so caches keyed by the
pair can never serve a stale definition in any process.
"""

from __future__ import annotations

from typing import Any

from designer.models import MicroflowVersion


def version_key(name: str, version: int | None = None) -> tuple[int, tuple[int, str]]:
    """(version number, (row id, created_at)) of the latest or given version; LookupError if none."""
    rows = MicroflowVersion.objects.filter(microflow__name=name)
    if version is None:
        found = rows.order_by("-version").values_list("version", "id", "created_at").first()
    else:
        found = rows.filter(version=version).values_list("version", "id", "created_at").first()
    if found is None:
        raise LookupError(name if version is None else f"{name} v{version}")
    number, row_id, created_at = found
    return number, (row_id, created_at.isoformat())


def load_definition(key: tuple[int, str]) -> dict[str, Any]:
    """The stored definition of one version row (by the key above); LookupError when it is gone."""
    definition = MicroflowVersion.objects.filter(id=key[0]).values_list("definition", flat=True).first()
    if definition is None:
        raise LookupError(key)
    return definition
