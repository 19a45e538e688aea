"""Export of a stored microflow with every microflow it calls, as one bundle (runtime.bundle).

Definitions are read through the runtime's catalog (the latest version of each, as the
server would run it), so the export does not depend on how the designer stores them.
"""

from __future__ import annotations

from typing import Any

from runtime import bundle, catalog


def _latest_definition(name: str) -> dict[str, Any]:
    flow = catalog.latest(name)  # LookupError when there is no such microflow
    return {**flow.spec.model_dump(mode="json", by_alias=True, exclude_none=True), "version": flow.version}


def export_microflow(name: str) -> dict[str, Any]:
    """The bundle of a microflow's latest version and its callees'; LookupError names a missing one."""
    return bundle.collect(name, _latest_definition)
