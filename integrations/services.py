"""Every change to a connection goes through here (API and admin alike): check, then do.

Config is validated against its kind (`kinds.py`); secrets are merged (a value sets,
null removes, absent keeps), encrypted and stored apart; a password written into a
database URL is moved into the secrets so the URL can be shown. `describe()` is the only
way a connection leaves the server: config and the *names* of its secrets, no values.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticError

from integrations import secrets as crypto
from integrations.kinds import KINDS
from integrations.models import Connection, ConnectionSecret
from oneweb.errors import ApiError, not_found
from runtime.integrations import connections as runtime_connections

Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
MAX_SECRET = 10_000


class ConnectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    kind: str
    description: str = Field(default="", max_length=500)
    config: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, str | None] = Field(default_factory=dict)


def _invalid(message: str, details: list[dict[str, Any]] | None = None) -> ApiError:
    return ApiError(400, "invalid_connection", message, details or [])


def _details(exc: PydanticError, prefix: str) -> list[dict[str, Any]]:
    return [
        {"field": ".".join([prefix, *(str(p) for p in err.get("loc", ()))]).strip("."), "message": err.get("msg", "invalid")}
        for err in exc.errors()
    ]


def _parse(data: Any) -> ConnectionIn:
    if not isinstance(data, dict):
        raise _invalid("A connection must be a JSON object.")
    try:
        return ConnectionIn.model_validate(data)
    except PydanticError as exc:
        raise _invalid("The connection does not fit the expected shape.", _details(exc, "")) from None


def _clean(incoming: ConnectionIn) -> tuple[dict[str, Any], dict[str, str | None]]:
    if incoming.kind not in KINDS:
        raise _invalid(f"Unknown connection kind '{incoming.kind}'.",
                       [{"field": "kind", "message": f"one of {', '.join(KINDS)}"}])
    model, secret_names = KINDS[incoming.kind]
    try:
        config = model.model_validate(incoming.config).model_dump(exclude_none=True)
    except PydanticError as exc:
        raise _invalid("The connection's config does not fit its kind.", _details(exc, "config")) from None
    updates = dict(incoming.secrets)
    for key, value in updates.items():
        if key not in secret_names:
            raise _invalid(f"A {incoming.kind} connection has no secret '{key}'.",
                           [{"field": f"secrets.{key}", "message": f"allowed: {', '.join(secret_names) or 'none'}"}])
        if value is not None and len(value) > MAX_SECRET:
            raise _invalid("A secret is too long.", [{"field": f"secrets.{key}", "message": "too long"}])
    if incoming.kind == "database":
        config["url"] = _split_password(config["url"], updates)
    if incoming.kind == "storage" and not PurePath(config["root"]).is_absolute():
        raise _invalid("The storage root must be an absolute folder.", [{"field": "config.root", "message": "not absolute"}])
    return config, updates


def _split_password(raw: str, updates: dict[str, str | None]) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except ArgumentError:
        raise _invalid("The database URL does not parse.", [{"field": "config.url", "message": "not a URL"}]) from None
    if url.get_backend_name() not in ("sqlite", "postgres", "postgresql"):
        raise _invalid("Only sqlite and postgresql databases are supported.",
                       [{"field": "config.url", "message": f"unsupported: {url.get_backend_name()}"}])
    if url.password:
        updates.setdefault("password", str(url.password))
        url = url._replace(password=None)  # URL.set() ignores None
    return url.render_as_string(hide_password=False)


def check(data: Any) -> None:
    """Raises the ApiError create/update would raise for this data (the admin form's check)."""
    _clean(_parse(data))


def _store_secrets(row: Connection, updates: dict[str, str | None]) -> None:
    secret, _ = ConnectionSecret.objects.get_or_create(connection=row)
    values = crypto.decrypt(secret.ciphertext) if secret.ciphertext else {}
    for key, value in updates.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    secret.ciphertext = crypto.encrypt(values)
    secret.names = sorted(values)
    secret.save()


def create_connection(data: Any, user=None) -> Connection:
    incoming = _parse(data)
    config, updates = _clean(incoming)
    try:
        with transaction.atomic():
            row = Connection.objects.create(name=incoming.name, kind=incoming.kind, description=incoming.description,
                                            config=config, created_by=user)
            _store_secrets(row, updates)
    except IntegrityError:
        raise ApiError(409, "conflict", f"A connection named '{incoming.name}' exists already.") from None
    return row


def get(name: str) -> Connection:
    row = Connection.objects.select_related("secret").filter(name=name).first()
    if row is None:
        raise not_found(f"The connection '{name}'")
    return row


def update_connection(name: str, data: Any, user=None) -> Connection:
    row = get(name)
    if isinstance(data, dict):
        data = {"name": name, "kind": row.kind, "description": row.description, "config": row.config, **data}
    incoming = _parse(data)
    if incoming.name != name:
        raise _invalid("A connection cannot be renamed.", [{"field": "name", "message": "differs from the URL"}])
    config, updates = _clean(incoming)
    if incoming.kind != row.kind:
        # secrets of another kind make no sense: keep only those this kind knows
        known = KINDS[incoming.kind][1]
        updates = {**{k: None for k in _secret_names(row) if k not in known}, **updates}
    with transaction.atomic():
        row.kind, row.description, row.config = incoming.kind, incoming.description, config
        row.revision += 1
        row.save()
        _store_secrets(row, updates)
    return get(name)


def delete_connection(name: str) -> None:
    get(name).delete()


def _secret_names(row: Connection) -> list[str]:
    try:
        return list(row.secret.names)
    except ConnectionSecret.DoesNotExist:
        return []


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def describe(row: Connection) -> dict[str, Any]:
    """The public face of a connection: never a secret value."""
    names = _secret_names(row)
    return {
        "name": row.name, "kind": row.kind, "description": row.description, "config": row.config,
        "secrets": names, "revision": row.revision,
        "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at),
    }


def runtime_connection(row: Connection) -> runtime_connections.Connection:
    try:
        secret = row.secret
    except ConnectionSecret.DoesNotExist:
        secret = None
    values = crypto.decrypt(secret.ciphertext) if secret is not None else {}
    return runtime_connections.Connection(
        name=row.name, kind=row.kind, config=dict(row.config), secrets=values,
        revision=f"{row.pk}:{row.revision}",
    )
