"""The SMTP password and the SMS gateway key: in the OS keyring, never in the database.

One keyring entry per clinic and secret, under the service name "Frontdesk".
A server or cron job often has no keyring (no desktop session, no D-Bus), so
the environment variables FRONTDESK_SMTP_PASSWORD and FRONTDESK_SMS_API_KEY
are read first. The machine that sends — the server, where an administrator's
desk hands them over (PUT /v1/messaging/secrets) or `frontdesk messages
set-secret` sets them — keeps them in its keyring, and when that keyring is
missing or refuses (a headless Linux box has none), in an owner-only (0600)
file: `secrets_file()`, beside the Xero token file when FRONTDESK_XERO_TOKEN_FILE
names one, else in the data folder. That file is read before the keyring, and a
secret saved to the keyring later is removed from it, so the newest wins.
A desk keeps its own secrets in its keyring only (or the file, when
FRONTDESK_XERO_TOKEN_FILE is set); where neither exists, saving a secret is
refused with a sentence saying so (and what to do instead), and a send waits
with the same sentence rather than failing obscurely.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from desktop.auth.remembered import keyring_usable
from desktop.domain.errors import DomainError
from desktop.store.locations import data_folder
from desktop.store.private_file import read_private_json, write_private_json
from desktop.xero.tokens import TOKEN_FILE_ENV

SERVICE = "Frontdesk"
SMTP_PASSWORD_ENV = "FRONTDESK_SMTP_PASSWORD"
SMS_API_KEY_ENV = "FRONTDESK_SMS_API_KEY"
SECRETS_FILE_NAME = "messaging-secrets.json"

log = logging.getLogger(__name__)


class SecretsUnavailable(DomainError):
    """There is nowhere safe to keep a password or key on this computer."""


def no_keyring_message(what: str, variable: str) -> str:
    return (
        f"This computer has no password store (keyring) Frontdesk can use, so the {what} "
        f"cannot be saved. Install a keyring (e.g. GNOME Keyring or KWallet), or set "
        f"{variable} in the environment of the program that sends messages. (A clinic "
        f"server keeps them by itself, in an owner-only file when it has no keyring.)"
    )


class MessagingSecrets:
    """Reads and writes the two messaging secrets of each clinic."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    # --- reading: environment first, then the file, then the keyring --------------------

    def smtp_password(self, clinic_id: uuid.UUID) -> str | None:
        return os.environ.get(SMTP_PASSWORD_ENV) or self._get(_entry("smtp", clinic_id))

    def sms_api_key(self, clinic_id: uuid.UUID) -> str | None:
        return os.environ.get(SMS_API_KEY_ENV) or self._get(_entry("sms-gateway", clinic_id))

    def has_sms_api_key(self, clinic_id: uuid.UUID) -> bool:
        return bool(self.sms_api_key(clinic_id))

    def has_smtp_password(self, clinic_id: uuid.UUID) -> bool:
        return bool(self.smtp_password(clinic_id))

    # --- writing: the keyring, else the owner-only file ---------------------------------

    @property
    def available(self) -> bool:
        return self._keyring_usable() or _configured_file() is not None

    def _keyring_usable(self) -> bool:
        return keyring_usable(self._keyring)

    def ensure_available(self) -> None:
        if not self.available:
            raise SecretsUnavailable(
                no_keyring_message("password or key", f"{SMTP_PASSWORD_ENV} / {SMS_API_KEY_ENV}")
            )

    def set_smtp_password(self, clinic_id: uuid.UUID, password: str) -> None:
        entry = _entry("smtp", clinic_id)
        self._store(
            {entry: password}, _configured_file(), "mail server password", SMTP_PASSWORD_ENV
        )

    def set_sms_api_key(self, clinic_id: uuid.UUID, key: str) -> None:
        entry = _entry("sms-gateway", clinic_id)
        self._store({entry: key}, _configured_file(), "SMS gateway key", SMS_API_KEY_ENV)

    def keep_on_this_machine(
        self,
        clinic_id: uuid.UUID,
        *,
        smtp_password: str | None = None,
        sms_api_key: str | None = None,
    ) -> Path | None:
        """The sending machine's way: into the keyring, or — when it has none or it
        refuses — the owner-only `secrets_file()`. None left out stays as it is; ""
        removes. Returns the file they went to, or None for the keyring. An OSError
        when even the file cannot be written."""
        values = {
            _entry(kind, clinic_id): value
            for kind, value in (("smtp", smtp_password), ("sms-gateway", sms_api_key))
            if value is not None
        }
        if not values:
            return None
        return self._store(values, secrets_file(), "password or key", SMS_API_KEY_ENV)

    def _get(self, entry: str) -> str | None:
        file = secrets_file()
        kept = read_private_json(file) if file.exists() else {}
        if entry in kept:  # put there when the keyring could not take it: the newest
            return kept[entry] or None
        if not self._keyring_usable():
            return None
        try:
            return self._keyring().get_password(SERVICE, entry)
        except Exception as exc:  # locked, D-Bus gone …: treat as "not stored here"
            log.warning("could not read %s from the keyring: %s", entry, exc)
            return None

    def _store(
        self, values: dict[str, str], fallback: Path | None, what: str, variable: str
    ) -> Path | None:
        """Into the keyring; if it cannot, into `fallback` (None: refused). Returns the
        file written, or None for the keyring."""
        refusal: Exception | None = None
        if self._keyring_usable():
            try:
                for entry, value in values.items():
                    self._keyring_put(entry, value)
            except Exception as exc:
                refusal = exc
            else:
                _forget_in_file(values)  # an older copy there would shadow the keyring's
                return None
        if fallback is None:
            if refusal is not None:
                raise SecretsUnavailable(
                    f"The password store (keyring) refused to save the {what} ({refusal})."
                ) from refusal
            raise SecretsUnavailable(no_keyring_message(what, variable))
        if refusal is not None:
            log.warning("the keyring refused the %s (%s); kept in %s", what, refusal, fallback)
        data = read_private_json(fallback)
        data.update(values)  # "" stays as "removed", over anything the keyring still has
        write_private_json(fallback, data)
        return fallback

    def _keyring_put(self, entry: str, value: str) -> None:
        if value:
            self._keyring().set_password(SERVICE, entry, value)
            return
        with contextlib.suppress(keyring.errors.PasswordDeleteError):  # nothing was stored
            self._keyring().delete_password(SERVICE, entry)

    def _keyring(self) -> keyring.backend.KeyringBackend:
        return self._backend or keyring.get_keyring()


def _entry(kind: str, clinic_id: uuid.UUID) -> str:
    return f"{kind} {clinic_id}"


def secrets_file() -> Path:
    """Where the sending machine keeps the secrets its keyring cannot: beside the Xero
    token file when FRONTDESK_XERO_TOKEN_FILE names one, else in the data folder."""
    return _configured_file() or data_folder() / SECRETS_FILE_NAME


def _configured_file() -> Path | None:
    """The owner-only file beside the Xero token file, when this machine has one."""
    token_file = os.environ.get(TOKEN_FILE_ENV, "").strip()
    return Path(token_file).with_name(SECRETS_FILE_NAME) if token_file else None


def _forget_in_file(entries: dict[str, str]) -> None:
    file = secrets_file()
    if not file.exists():
        return
    data = read_private_json(file)
    if any(entry in data for entry in entries):
        write_private_json(file, {k: v for k, v in data.items() if k not in entries})
