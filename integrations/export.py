"""Export of a stored microflow with every microflow it calls, as one bundle (runtime.bundle).

Definitions are read through the runtime's catalog (the latest version of each, as the
server would run it), so the export does not depend on how the designer stores them.
"""

from __future__ import annotations

from typing import Any

from runtime import bundle, business_objects, catalog


def _latest_definition(name: str) -> dict[str, Any]:
    flow = catalog.latest(name)  # LookupError when there is no such microflow
    return {**flow.spec.model_dump(mode="json", by_alias=True, exclude_none=True), "version": flow.version}


def export_microflow(name: str) -> dict[str, Any]:
    """The bundle of a microflow's latest version and its callees', with the business objects
    their params and outputs use (and those refer to); LookupError names a missing microflow."""
    data = bundle.collect(name, _latest_definition)
    objects = _business_objects(data["microflows"])
    if objects:
        data["business_objects"] = objects
    return data


def _business_objects(definitions: list[dict[str, Any]]) -> dict[str, Any]:
    from integrations.sources import get_business_object

    pending = [(p["object"], p.get("object_version")) for d in definitions
               for p in [*d.get("params", []), *d.get("outputs", [])] if p.get("object")]
    found: dict[str, Any] = {}
    while pending:
        name, version = pending.pop()
        if name in found:
            continue
        try:
            spec = get_business_object(name, version)
        except LookupError:
            continue  # the run will report it, as the server would
        found[name] = spec.model_dump(mode="json", exclude_none=True, exclude={"name"})
        pending.extend((ref, None) for ref in _references(spec))
    return found


def _references(spec: business_objects.BusinessObjectSpec) -> list[str]:
    names: list[str] = []
    stack: list[business_objects.TypeSpec] = list(spec.fields)
    while stack:
        item = stack.pop()
        if item.object:
            names.append(item.object)
        stack.extend(item.fields or [])
        if item.items is not None:
            stack.append(item.items)
    return names
