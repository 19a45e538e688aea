"""The processes app's Python API for other apps (forms' process buttons, scripts).

`start_process(name, given, user)` starts the latest version of a process and returns the
instance (walked to its first waits); it raises `UnknownProcess` (a LookupError) for a
name with no process and `oneweb.errors.ApiError` (400 `invalid_input`) for bad input.
`process_exists(name)` and `process_params(name)` let forms check their process buttons.
"""

from __future__ import annotations

from typing import Any

from processes.models import ProcessDefinition, ProcessInstance, ProcessVersion
from processes.services import UnknownProcess
from processes.services import start_process as _start

__all__ = ["UnknownProcess", "start_process", "process_exists", "process_params"]


def start_process(name: str, given: dict[str, Any], user) -> ProcessInstance:
    return _start(name, given, user)


def process_exists(name: str) -> bool:
    return ProcessDefinition.objects.filter(name=name).exists()


def process_params(name: str) -> list[dict[str, Any]]:
    """The params of the latest version (name, type, required, ...); UnknownProcess if none."""
    definition = (
        ProcessVersion.objects.filter(process__name=name).order_by("-version")
        .values_list("definition", flat=True).first()
    )
    if definition is None:
        raise UnknownProcess(name)
    return list(definition.get("params", []))
