"""Finds and compiles microflows: each stored version is compiled once per process and cached.

Stored versions are immutable and keyed by an opaque key from the source (designer/sources.py:
row id plus creation time, as SQLite may reuse a deleted row's id), so a run costs one small
query for the version and key, and a compile happens only the first time a process meets it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from importlib import import_module
from threading import Lock
from types import ModuleType

from runtime.conf import setting
from runtime.definition import CompiledFlow, compile_flow

CACHE_SIZE = 1024
_cache: OrderedDict[Hashable, CompiledFlow] = OrderedDict()
_lock = Lock()


def _source() -> ModuleType:
    return import_module(setting("MICROFLOW_SOURCE"))


def latest(name: str) -> CompiledFlow:
    """The latest version of a microflow, compiled; LookupError when there is no such microflow."""
    version, key = _source().version_key(name)
    return _compiled(key, version)


def compiled(name: str, version: int) -> CompiledFlow:
    """One given version, compiled; LookupError when it does not exist (any more)."""
    version, key = _source().version_key(name, version)
    return _compiled(key, version)


def _compiled(key: Hashable, version: int) -> CompiledFlow:
    with _lock:
        flow = _cache.get(key)
        if flow is not None:
            _cache.move_to_end(key)
            return flow
    flow = compile_flow(_source().load_definition(key), version)
    with _lock:
        _cache[key] = flow
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return flow


def forget(name: str) -> None:
    """Drops this process's cached versions of a microflow (others age out of the LRU)."""
    with _lock:
        for key in [k for k, flow in _cache.items() if flow.name == name]:
            del _cache[key]
