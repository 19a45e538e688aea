"""Config field types the integration nodes share (connection names, relative paths)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

ConnectionName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"),
    Field(description="the name of a connection (managed by superusers)",
          json_schema_extra={"format": "connection"}),
]
