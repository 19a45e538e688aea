"""How the runtime finds a microflow's saved definitions (ONEWEB["MICROFLOW_SOURCE"]).

A stored version is identified by its row id *and* its creation time: SQLite may hand a
deleted row's id to a new row, but never with the same timestamp, so caches keyed by the
pair can never serve a stale definition in any process.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from designer.models import MicroflowVersion

# The hot path of every run: plain SQL (the ORM's query building cost more than the query).
_SELECT = (
    "SELECT v.version, v.id, v.created_at FROM designer_microflowversion v "
    "JOIN designer_microflow m ON m.id = v.microflow_id WHERE m.name = %s "
)
_LATEST = _SELECT + "ORDER BY v.version DESC LIMIT 1"
_GIVEN = _SELECT + "AND v.version = %s"


def version_key(name: str, version: int | None = None) -> tuple[int, tuple[int, str]]:
    """(version number, (row id, created_at)) of the latest or given version; LookupError if none."""
    with connection.cursor() as cursor:
        if version is None:
            cursor.execute(_LATEST, [name])
        else:
            cursor.execute(_GIVEN, [name, version])
        found = cursor.fetchone()
    if found is None:
        raise LookupError(name if version is None else f"{name} v{version}")
    number, row_id, created_at = found
    # created_at is text from SQLite's cursor and a datetime elsewhere: only equality matters.
    return number, (row_id, str(created_at))


def load_definition(key: tuple[int, str]) -> dict[str, Any]:
    """The stored definition of one version row (by the key above); LookupError when it is gone."""
    definition = MicroflowVersion.objects.filter(id=key[0]).values_list("definition", flat=True).first()
    if definition is None:
        raise LookupError(key)
    return definition
