"""Where the runtime finds named connections and business objects on the server
(ONEWEB["CONNECTION_SOURCE"] and ONEWEB["BUSINESS_OBJECT_SOURCE"])."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from integrations.models import BusinessObject, BusinessObjectVersion, Connection
from integrations.secrets import UnreadableSecrets
from integrations.services import runtime_connection
from runtime.business_objects import BusinessObjectSpec, UnknownBusinessObject
from runtime.integrations.connections import Connection as RuntimeConnection
from runtime.integrations.connections import UnknownConnection
from runtime.nodes.base import NodeFailure

CACHE_SIZE = 512
_specs: OrderedDict[tuple[int, int], BusinessObjectSpec] = OrderedDict()
_lock = Lock()


def get_connection(name: str) -> RuntimeConnection:
    row = Connection.objects.select_related("secret").filter(name=name).first()
    if row is None:
        raise UnknownConnection(name)
    try:
        return runtime_connection(row)
    except UnreadableSecrets as exc:
        raise NodeFailure("connection_error", f"{name}: {exc}") from None


def get_business_object(name: str, version: int | None = None) -> BusinessObjectSpec:
    """A business object's definition (the latest version unless given); versions are
    immutable, so each is parsed once per process (keyed by row id, so a re-created
    object of the same name never gets the old one's definitions)."""
    found = BusinessObject.objects.filter(name=name).values_list("pk", "current_version").first()
    if found is None:
        raise UnknownBusinessObject(name)
    key = (found[0], version or found[1])
    with _lock:
        spec = _specs.get(key)
        if spec is not None:
            _specs.move_to_end(key)
            return spec
    definition = BusinessObjectVersion.objects.filter(business_object_id=key[0], version=key[1]).values_list(
        "definition", flat=True).first()
    if definition is None:
        raise UnknownBusinessObject(f"{name} v{key[1]}")
    spec = BusinessObjectSpec.model_validate(definition)
    with _lock:
        _specs[key] = spec
        while len(_specs) > CACHE_SIZE:
            _specs.popitem(last=False)
    return spec
