"""What each kind of connection holds: a pydantic model of its public config and the names
of the secrets it may have. Used by the API, the admin and the service alike."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(max_length=2000)]


class KindConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseConnection(KindConfig):
    url: Text = Field(description="sqlite:///path or postgresql://user@host:5432/db (password as a secret)")


class RestConnection(KindConfig):
    base_url: Annotated[str, StringConstraints(pattern=r"^https?://", max_length=2000)]
    auth: Literal["none", "basic", "bearer", "header"] = "none"
    username: Text | None = None
    header_name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,100}$")] | None = None
    timeout_s: float = Field(default=30, gt=0, le=600)


class SoapConnection(KindConfig):
    wsdl: Annotated[str, StringConstraints(pattern=r"^(https?|file)://", max_length=2000)]
    service: Text | None = None
    port: Text | None = None
    auth: Literal["none", "basic", "wsse"] = "none"
    username: Text | None = None


class SmtpConnection(KindConfig):
    host: Text
    port: int = Field(default=25, ge=1, le=65535)
    username: Text | None = None
    use_tls: bool = False
    use_ssl: bool = False
    timeout_s: float = Field(default=30, gt=0, le=600)
    from_email: Text | None = None


class StorageConnection(KindConfig):
    root: Text = Field(description="an absolute folder on the server; flows cannot leave it")
    max_bytes: int | None = Field(default=None, ge=1)


KINDS: dict[str, tuple[type[KindConfig], tuple[str, ...]]] = {
    "database": (DatabaseConnection, ("password",)),
    "rest": (RestConnection, ("password", "token")),
    "soap": (SoapConnection, ("password",)),
    "smtp": (SmtpConnection, ("password",)),
    "storage": (StorageConnection, ()),
}
