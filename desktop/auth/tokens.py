"""Session and refresh secrets: random, handed to the client once, stored only as a hash.

The secrets carry 256 bits of randomness, so a plain SHA-256 is enough to store
them (a slow password hash protects low-entropy secrets; it adds nothing here and
would cost every service call). A leaked database therefore yields no usable token.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh URL-safe secret (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps instead of the token: hex SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
