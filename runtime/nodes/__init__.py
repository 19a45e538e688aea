"""The registry of node types: data built from the modules listed in ONEWEB["NODE_TYPE_MODULES"].

Each listed module exposes `NODE_TYPE`; adding a module to the list (or, for plug-ins,
registering one) makes the type known to validation, the engine and the editor palette.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from runtime.conf import setting
from runtime.nodes.base import NodeType


@cache
def registry() -> dict[str, NodeType]:
    types: dict[str, NodeType] = {}
    for module_name in setting("NODE_TYPE_MODULES"):
        node_type: NodeType = import_module(module_name).NODE_TYPE
        types[node_type.type] = node_type
    return types


def get_node_type(name: str) -> NodeType | None:
    return registry().get(name)
