"""Encrypts connection secrets at rest (Fernet: AES with an HMAC) and decrypts them for nodes.

The key is ONEWEB["CONNECTION_SECRETS_KEY"] or, by default, derived from SECRET_KEY, so a
copied database alone does not give the credentials away. Changing the key makes stored
secrets unreadable (they must be entered again); `decrypt` then reports that plainly.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from runtime.conf import setting


class UnreadableSecrets(Exception):
    pass


@cache
def _fernet(material: str) -> Fernet:
    digest = hashlib.sha256(b"oneweb-connection-secrets:" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _cipher() -> Fernet:
    return _fernet(setting("CONNECTION_SECRETS_KEY") or settings.SECRET_KEY)


def encrypt(values: dict[str, str]) -> str:
    return _cipher().encrypt(json.dumps(values).encode()).decode("ascii") if values else ""


def decrypt(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_cipher().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError):
        raise UnreadableSecrets("the connection's secrets cannot be decrypted with the current key") from None
