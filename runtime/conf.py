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
    ],
    "WORKER_HEARTBEAT_S": 1.0,
    "WORKER_LOST_AFTER_S": 5.0,
    "SCRIPT_TIMEOUT_S": 1.0,
    "SCRIPT_MAX_MEMORY_BYTES": 64 * 1024 * 1024,
    "HTTP_MAX_RESPONSE_BYTES": 5 * 1024 * 1024,
}


def setting(name: str) -> Any:
    configured = getattr(settings, "ONEWEB", {})
    return configured.get(name, DEFAULTS[name])


@cache
def import_string(dotted: str) -> Any:
    module_name, _, attribute = dotted.rpartition(".")
    return getattr(import_module(module_name), attribute)
