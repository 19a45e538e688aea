"""Finds and compiles microflows: each saved version is compiled once per process and cached.

Versions are immutable, so (name, version) is a perfect cache key: a run costs one small
query for the current version number, and a compile only the first time a version is met.
"""

from __future__ import annotations

from collections import OrderedDict
from importlib import import_module
from threading import Lock
from types import ModuleType

from runtime.conf import setting
from runtime.definition import CompiledFlow, compile_flow

CACHE_SIZE = 1024
_cache: OrderedDict[tuple[str, int], CompiledFlow] = OrderedDict()
_lock = Lock()


def _source() -> ModuleType:
    return import_module(setting("MICROFLOW_SOURCE"))


def latest(name: str) -> CompiledFlow:
    """The latest version of a microflow, compiled; LookupError when there is no such microflow."""
    return compiled(name, _source().current_version(name))


def compiled(name: str, version: int) -> CompiledFlow:
    key = (name, version)
    with _lock:
        flow = _cache.get(key)
        if flow is not None:
            _cache.move_to_end(key)
            return flow
    flow = compile_flow(_source().load_microflow(name, version), version)
    with _lock:
        _cache[key] = flow
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return flow


def forget(name: str) -> None:
    """Drops cached versions of a deleted microflow (a re-created one restarts at version 1)."""
    with _lock:
        for key in [k for k in _cache if k[0] == name]:
            del _cache[key]
