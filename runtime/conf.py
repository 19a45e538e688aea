"""The ONEWEB settings dict, read lazily with defaults (DRF style) and dotted paths resolved."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "WORKERS": 2,
    "STEP_BUDGET": 10_000,
    "MAX_CALL_DEPTH": 32,
    "MICROFLOW_SOURCE": "designer.sources",
    "SWEEPS": [],
    "EXECUTION_LISTENERS": [],
    "NODE_TYPE_MODULES": [
        "runtime.nodes.start",
        "runtime.nodes.end",
        "runtime.nodes.assign",
        "runtime.nodes.decision",
        "runtime.nodes.http",
        "runtime.nodes.call",
        "runtime.nodes.foreach",
        "runtime.nodes.fail",
        "runtime.nodes.wait",
        "runtime.nodes.script",
        "runtime.integrations.database",
        "runtime.integrations.files.read",
        "runtime.integrations.files.write",
        "runtime.integrations.soap",
        "runtime.integrations.email",
        "runtime.integrations.notify",
    ],
    # Node types from installed packages (entry point group `oneweb.node_types`).
    "NODE_TYPE_PLUGINS": True,
    # Where named connections come from (a module with `get_connection(name)`).
    "CONNECTION_SOURCE": "integrations.sources",
    # Where business objects come from (a module with `get_business_object(name, version)`).
    "BUSINESS_OBJECT_SOURCE": "integrations.sources",
    # Encrypts connection secrets at rest; None derives a key from SECRET_KEY.
    "CONNECTION_SECRETS_KEY": None,
    "DATABASE_MAX_ROWS": 1000,
    "DATABASE_TIMEOUT_S": 30.0,
    "FILE_MAX_BYTES": 50 * 1024 * 1024,
    "FILE_MAX_ROWS": 100_000,
    "WARM_THREADS": 16,
    "WORKER_HEARTBEAT_S": 1.0,
    "WORKER_LOST_AFTER_S": 5.0,
    "SCRIPT_TIMEOUT_S": 1.0,
    "SCRIPT_MAX_MEMORY_BYTES": 64 * 1024 * 1024,
    "HTTP_MAX_RESPONSE_BYTES": 5 * 1024 * 1024,
}


def setting(name: str) -> Any:
    """An option from settings.ONEWEB, or its default (also when Django is not configured:
    the engine runs embedded, without a project, through `python -m runtime`)."""
    if not settings.configured:
        return DEFAULTS[name]
    configured = getattr(settings, "ONEWEB", {})
    return configured.get(name, DEFAULTS[name])


@cache
def import_string(dotted: str) -> Any:
    module_name, _, attribute = dotted.rpartition(".")
    return getattr(import_module(module_name), attribute)
