"""Xero OAuth tokens and where they are kept: the OS keyring, never the database.

A headless server that runs `frontdesk xero worker` often has no keyring; there
`FRONTDESK_XERO_TOKEN_FILE` names a file (created owner-only, mode 0600) to keep
them in instead. Without either, the connector says so plainly.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import keyring
import keyring.errors

from desktop.store.private_file import read_private_json, write_private_json
from desktop.xero.errors import NoKeyring

KEYRING_SERVICE = "Frontdesk Xero"
TOKEN_FILE_ENV = "FRONTDESK_XERO_TOKEN_FILE"


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime
    scope: tuple[str, ...] = ()
    token_type: str = "Bearer"

    @classmethod
    def from_response(cls, body: dict[str, Any], now: datetime) -> TokenSet:
        """From Xero's /connect/token answer; `now` is when we asked."""
        scope = body.get("scope", "")
        scopes = tuple(scope.split() if isinstance(scope, str) else scope)
        return cls(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or ""),
            expires_at=now + timedelta(seconds=int(body.get("expires_in") or 1800)),
            scope=scopes,
            token_type=str(body.get("token_type") or "Bearer"),
        )

    def expires_within(self, now: datetime, margin: timedelta) -> bool:
        return self.expires_at - margin <= now

    def for_sdk(self, now: datetime) -> dict[str, Any]:
        """What xero-python's token getter must return. No `expires_at`: the SDK would
        compare it with the real clock and try (and fail) to refresh by itself; we
        refresh before expiry on our own clock instead."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "scope": list(self.scope),
            "expires_in": max(0, int((self.expires_at - now).total_seconds())),
            "token_type": self.token_type,
        }

    def to_json(self) -> str:
        return json.dumps(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at.isoformat(),
                "scope": list(self.scope),
                "token_type": self.token_type,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        data = json.loads(text)
        expires_at = datetime.fromisoformat(data["expires_at"])
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return cls(
            access_token=data["access_token"],
            refresh_token=data["refresh_token"],
            expires_at=expires_at,
            scope=tuple(data.get("scope") or ()),
            token_type=data.get("token_type") or "Bearer",
        )


class TokenVault(Protocol):
    def load(self, key: str) -> TokenSet | None: ...

    def save(self, key: str, tokens: TokenSet) -> None: ...

    def delete(self, key: str) -> None: ...


_NO_KEYRING = (
    "No keyring is available to keep the Xero connection safe on this computer. "
    f"Install one (e.g. GNOME Keyring or KWallet), or set {TOKEN_FILE_ENV} to a private "
    "file for a server without a desktop."
)


class KeyringVault:
    """Tokens in the OS keyring, one entry per Xero connection."""

    def __init__(self, service: str = KEYRING_SERVICE) -> None:
        self.service = service

    def load(self, key: str) -> TokenSet | None:
        try:
            text = keyring.get_password(self.service, key)
        except keyring.errors.KeyringError as exc:
            raise NoKeyring(_NO_KEYRING) from exc
        return TokenSet.from_json(text) if text else None

    def save(self, key: str, tokens: TokenSet) -> None:
        try:
            keyring.set_password(self.service, key, tokens.to_json())
        except keyring.errors.KeyringError as exc:
            raise NoKeyring(_NO_KEYRING) from exc

    def delete(self, key: str) -> None:
        try:
            keyring.delete_password(self.service, key)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise NoKeyring(_NO_KEYRING) from exc


class FileVault:
    """Tokens in a JSON file readable by its owner only (for headless servers)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        return read_private_json(self.path)

    def load(self, key: str) -> TokenSet | None:
        text = self._read().get(key)
        return TokenSet.from_json(text) if text else None

    def save(self, key: str, tokens: TokenSet) -> None:
        data = self._read()
        data[key] = tokens.to_json()
        self._write(data)

    def delete(self, key: str) -> None:
        data = self._read()
        if data.pop(key, None) is not None:
            self._write(data)

    def _write(self, data: dict[str, str]) -> None:
        write_private_json(self.path, data)


def default_vault() -> TokenVault:
    path = os.environ.get(TOKEN_FILE_ENV, "").strip()
    return FileVault(Path(path)) if path else KeyringVault()
