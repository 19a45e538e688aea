"""Named connections as the runtime sees them, and where they are looked up.

A flow names a connection (`"connection": "crm-db"`); the node asks `resolve(name, kind)`
for it when it runs. On the server the lookup goes to ONEWEB["CONNECTION_SOURCE"] (the
`integrations` app's database rows); embedded use (`runtime.embed`) supplies its own
connections through `using(...)`, a context variable, so threads and concurrent runs
never see each other's. Secrets stay in `Connection.secrets`; `redact()` scrubs them out
of any message before it can reach a trace, a log or an API answer.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from runtime.conf import setting
from runtime.nodes.base import NodeFailure

KINDS = ("database", "rest", "soap", "smtp", "storage")


@dataclass(frozen=True)
class Connection:
    name: str
    kind: str
    config: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    revision: str = ""  # changes whenever the connection changes (a cache key for clients)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets.values())


Provider = Callable[[str], Connection]
_provider: contextvars.ContextVar[Provider | None] = contextvars.ContextVar("oneweb_connections", default=None)


class UnknownConnection(LookupError):
    pass


def redact(text: str, secrets: Any) -> str:
    """The text with every secret value (at least 3 characters long) replaced by ***."""
    for secret in sorted((s for s in secrets if isinstance(s, str) and len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def from_mapping(connections: Mapping[str, Mapping[str, Any]]) -> Provider:
    """A provider over plain data: {name: {"kind", "config": {...}, "secrets": {...}}}."""
    built = {
        name: Connection(name=name, kind=spec["kind"], config=dict(spec.get("config") or {}),
                         secrets={k: str(v) for k, v in (spec.get("secrets") or {}).items()},
                         revision=_fingerprint(spec))
        for name, spec in connections.items()
    }

    def provide(name: str) -> Connection:
        try:
            return built[name]
        except KeyError:
            raise UnknownConnection(name) from None

    return provide


def _fingerprint(spec: Mapping[str, Any]) -> str:
    """Changes whenever the data changes, so cached clients and pools are rebuilt."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


@contextlib.contextmanager
def using(provider: Provider | Mapping[str, Mapping[str, Any]]) -> Iterator[None]:
    """Within the block (this thread or task only), connections come from `provider`."""
    if not callable(provider):
        provider = from_mapping(provider)
    token = _provider.set(provider)
    try:
        yield
    finally:
        _provider.reset(token)


def _default_provider(name: str) -> Connection:
    from django.apps import apps

    if not apps.ready:  # embedded without a project, and the caller gave no connections
        raise UnknownConnection(name)
    source = import_module(setting("CONNECTION_SOURCE"))
    return source.get_connection(name)


def resolve(name: str, kind: str) -> Connection:
    """The named connection of the given kind, or a NodeFailure a flow can route."""
    provider = _provider.get() or _default_provider
    try:
        connection = provider(name)
    except LookupError:
        raise NodeFailure("unknown_connection", f"there is no connection named '{name}'") from None
    if connection.kind != kind:
        raise NodeFailure("wrong_connection_kind",
                          f"the connection '{name}' is a {connection.kind} connection, not {kind}")
    return connection
