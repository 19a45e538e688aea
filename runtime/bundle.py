"""One file holding a microflow and every microflow it calls, for embedded use and transport.

`collect(name, load)` follows every node's `microflow` config key (call, foreach, and any
plug-in that calls a microflow by the same key) from the named flow, loading each
definition once; `split(data)` reads a bundle, or a single definition, back. Plain
Python: loading from the database is the caller's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

FORMAT = "oneweb.bundle"
VERSION = 1


class InvalidBundle(ValueError):
    pass


def called_microflows(definition: dict[str, Any]) -> list[str]:
    names = []
    for node in definition.get("nodes") or []:
        target = (node.get("config") or {}).get("microflow") if isinstance(node, dict) else None
        if isinstance(target, str) and target not in names:
            names.append(target)
    return names


def collect(name: str, load: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The bundle of `name` and everything it calls; `load` raises LookupError for a missing one."""
    flows: dict[str, dict[str, Any]] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in flows:
            continue
        definition = load(current)
        flows[current] = definition
        pending.extend(n for n in called_microflows(definition) if n not in flows)
    return {
        "format": FORMAT,
        "version": VERSION,
        "main": name,
        "exported_at": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        "microflows": [flows[name], *(flows[n] for n in sorted(flows) if n != name)],
    }


def split(data: Any) -> tuple[str, list[dict[str, Any]]]:
    """(main flow name, definitions) from a bundle or a single definition."""
    if not isinstance(data, dict):
        raise InvalidBundle("a flow file holds a JSON object (a microflow or a bundle)")
    if data.get("format") == FORMAT:
        flows = data.get("microflows")
        if not isinstance(flows, list) or not flows or not all(isinstance(f, dict) for f in flows):
            raise InvalidBundle("the bundle's microflows must be a non-empty list of definitions")
        main = data.get("main") or flows[0].get("name")
        return str(main), flows
    if "nodes" in data:
        return str(data.get("name")), [data]
    raise InvalidBundle("the file is neither a microflow definition nor a oneweb.bundle")
