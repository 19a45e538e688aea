"""How the runtime finds a microflow's saved definitions (ONEWEB["MICROFLOW_SOURCE"]).

A stored version is identified by its row id, which never comes back: a microflow that is
deleted and created again gets new rows, so caches keyed by the id can never serve a stale
definition in any process.
"""

from __future__ import annotations

from typing import Any

from designer.models import MicroflowVersion


def version_key(name: str, version: int | None = None) -> tuple[int, int]:
    """(version number, row id) of the latest or of the given version; LookupError if none."""
    rows = MicroflowVersion.objects.filter(microflow__name=name)
    if version is None:
        found = rows.order_by("-version").values_list("version", "id").first()
    else:
        found = rows.filter(version=version).values_list("version", "id").first()
    if found is None:
        raise LookupError(name if version is None else f"{name} v{version}")
    return found


def load_definition(row_id: int) -> dict[str, Any]:
    """The stored definition of one version row; LookupError when it is gone."""
    definition = MicroflowVersion.objects.filter(id=row_id).values_list("definition", flat=True).first()
    if definition is None:
        raise LookupError(row_id)
    return definition
