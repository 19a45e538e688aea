"""How the runtime finds a microflow's latest saved definition (ONEWEB["MICROFLOW_SOURCE"])."""

from __future__ import annotations

from typing import Any

from designer.models import Microflow, MicroflowVersion


def current_version(name: str) -> int:
    """The latest version number of a microflow; LookupError when there is none."""
    version = Microflow.objects.filter(name=name).values_list("current_version", flat=True).first()
    if version is None:
        raise LookupError(name)
    return version


def load_microflow(name: str, version: int) -> dict[str, Any]:
    """The stored definition of one version; LookupError when it does not exist."""
    row = (
        MicroflowVersion.objects.filter(microflow__name=name, version=version)
        .values_list("definition", flat=True)
        .first()
    )
    if row is None:
        raise LookupError(f"{name} v{version}")
    return row
