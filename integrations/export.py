"""Export of a stored microflow with every microflow it calls, as one bundle (runtime.bundle)."""

from __future__ import annotations

from typing import Any

from runtime import bundle
from runtime.conf import setting


def _latest_definition(name: str) -> dict[str, Any]:
    from importlib import import_module

    source = import_module(setting("MICROFLOW_SOURCE"))
    version = source.current_version(name)
    return {**source.load_microflow(name, version), "version": version}


def export_microflow(name: str) -> dict[str, Any]:
    """The bundle of a microflow's latest version and its callees'; LookupError names a missing one."""
    return bundle.collect(name, _latest_definition)
