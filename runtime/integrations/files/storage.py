"""The storage root of a connection, and the one way from a flow's path to a real file.

A path from a flow is relative to the root of a `storage` connection. It is resolved
(symbolic links included) and refused with `path_refused` if it is absolute, empty or
ends up anywhere outside the root, so `../../etc/passwd` or a link out of the root
never reaches the disk.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from runtime.conf import setting
from runtime.integrations.connections import Connection
from runtime.nodes.base import NodeFailure

MAX_PATH = 1024


def root_of(connection: Connection) -> Path:
    raw = connection.config.get("root")
    if not raw:
        raise NodeFailure("storage_error", f"the connection '{connection.name}' has no root folder")
    try:
        root = Path(str(raw)).resolve(strict=True)
    except OSError:
        raise NodeFailure("storage_error", f"the root folder of '{connection.name}' does not exist") from None
    if not root.is_dir():
        raise NodeFailure("storage_error", f"the root of '{connection.name}' is not a folder")
    return root


def locate(connection: Connection, relative: Any) -> Path:
    """The absolute path of `relative` inside the connection's root, or `path_refused`."""
    if not isinstance(relative, str) or not relative.strip():
        raise NodeFailure("path_refused", "the path must be a non-empty text")
    if len(relative) > MAX_PATH or "\x00" in relative:
        raise NodeFailure("path_refused", "the path is too long or holds a NUL character")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute() or PureWindowsPath(relative).drive:
        raise NodeFailure("path_refused", f"the path '{relative}' must be relative to the storage root")
    root = root_of(connection)
    full = (root / relative).resolve(strict=False)
    if full == root or root not in full.parents:
        raise NodeFailure("path_refused", f"the path '{relative}' leads outside the storage root")
    return full


def max_bytes(connection: Connection, configured: int | None) -> int:
    """The smallest of the node's, the connection's and the installation's size limits."""
    limits = [int(setting("FILE_MAX_BYTES"))]
    if connection.config.get("max_bytes"):
        limits.append(int(connection.config["max_bytes"]))
    if configured:
        limits.append(configured)
    return min(limits)
