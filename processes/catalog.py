"""Compiled process versions, cached by (name, version, saved at): versions never change, and the
save time tells a re-created process (which restarts at version 1) from the deleted one."""

from __future__ import annotations

from threading import Lock

from processes.definition import CompiledProcess, compile_process
from processes.models import ProcessVersion

_cache: dict[tuple, CompiledProcess] = {}
_lock = Lock()


def compiled(row: ProcessVersion, name: str) -> CompiledProcess:
    key = (name, row.version, row.created_at)
    with _lock:
        found = _cache.get(key)
    if found is None:
        # Stored versions were validated on save; a microflow deleted since fails at run time.
        found = compile_process(row.definition, row.version, microflow_exists=lambda _name: True)
        with _lock:
            if len(_cache) > 512:
                _cache.clear()
            _cache[key] = found
    return found


def forget(name: str) -> None:
    with _lock:
        for key in [k for k in _cache if k[0] == name]:
            del _cache[key]
