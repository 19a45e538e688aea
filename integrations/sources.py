"""Where the runtime finds a named connection on the server (ONEWEB["CONNECTION_SOURCE"])."""

from __future__ import annotations

from integrations.models import Connection
from integrations.secrets import UnreadableSecrets
from integrations.services import runtime_connection
from runtime.integrations.connections import Connection as RuntimeConnection
from runtime.integrations.connections import UnknownConnection
from runtime.nodes.base import NodeFailure


def get_connection(name: str) -> RuntimeConnection:
    row = Connection.objects.select_related("secret").filter(name=name).first()
    if row is None:
        raise UnknownConnection(name)
    try:
        return runtime_connection(row)
    except UnreadableSecrets as exc:
        raise NodeFailure("connection_error", f"{name}: {exc}") from None
