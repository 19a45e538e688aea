"""The registry of node types: data built from ONEWEB["NODE_TYPE_MODULES"] and plug-ins.

Each listed module exposes `NODE_TYPE`; adding a module to the list makes the type known
to validation, the engine and the editor palette. Installed Python packages add types
through the `oneweb.node_types` entry point group (see docs/integrations.md): each entry
point names a `NodeType`, a module exposing `NODE_TYPE`, or a list of `NodeType`s.
Configured modules win over plug-ins of the same type name; a plug-in that fails to
load is logged and skipped, so one broken package cannot take the runtime down.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

from runtime.conf import setting
from runtime.nodes.base import NodeType

ENTRY_POINT_GROUP = "oneweb.node_types"

log = logging.getLogger(__name__)


def _node_types_of(loaded: Any) -> list[NodeType]:
    if isinstance(loaded, ModuleType):
        loaded = getattr(loaded, "NODE_TYPES", None) or getattr(loaded, "NODE_TYPE", None)
    if isinstance(loaded, NodeType):
        return [loaded]
    if isinstance(loaded, (list, tuple)) and all(isinstance(item, NodeType) for item in loaded):
        return list(loaded)
    raise TypeError("an oneweb.node_types entry point must name a NodeType, a list of them, "
                    "or a module exposing NODE_TYPE")


def plugin_entry_points() -> list[EntryPoint]:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def _plugins() -> list[tuple[EntryPoint, NodeType]]:
    found = []
    for entry_point in plugin_entry_points():
        try:
            node_types = _node_types_of(entry_point.load())
        except Exception:  # a broken plug-in is reported, never fatal
            log.exception("node type plug-in %r (%s) failed to load", entry_point.name, entry_point.value)
            continue
        found.extend((entry_point, node_type) for node_type in node_types)
    return found


@cache
def registry() -> dict[str, NodeType]:
    types: dict[str, NodeType] = {}
    for module_name in setting("NODE_TYPE_MODULES"):
        node_type: NodeType = import_module(module_name).NODE_TYPE
        types[node_type.type] = node_type
    if setting("NODE_TYPE_PLUGINS"):
        for entry_point, node_type in _plugins():
            if node_type.type in types:
                log.warning("node type plug-in %r defines '%s', which already exists; ignored",
                            entry_point.name, node_type.type)
                continue
            types[node_type.type] = node_type
    return types


def get_node_type(name: str) -> NodeType | None:
    return registry().get(name)
