"""The processes app's Python API for other apps (forms' process buttons, scripts).

`start_process(name, given, user)` starts the latest version of a process and returns the
instance (walked to its first waits); it raises `UnknownProcess` (a LookupError) for a
name with no process and `oneweb.errors.ApiError` (400 `invalid_input`) for bad input.
"""

from __future__ import annotations

from typing import Any

from processes.models import ProcessDefinition, ProcessInstance
from processes.services import UnknownProcess
from processes.services import start_process as _start

__all__ = ["UnknownProcess", "start_process", "process_exists"]


def start_process(name: str, given: dict[str, Any], user) -> ProcessInstance:
    return _start(name, given, user)


def process_exists(name: str) -> bool:
    return ProcessDefinition.objects.filter(name=name).exists()
