"""The SECRET_KEY: required from the environment in production, generated once and kept for local runs."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def resolve_secret_key(configured: str, debug: bool, keep_file: Path) -> str:
    if configured:
        return configured
    if not debug:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    if keep_file.exists():
        return keep_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    keep_file.write_text(key)
    keep_file.chmod(0o600)
    return key
