"""The SMTP password and the SMS gateway key: in the OS keyring, never in the database.

One keyring entry per clinic and secret, under the service name "Frontdesk".
A server or cron job often has no keyring (no desktop session, no D-Bus), so
the environment variables FRONTDESK_SMTP_PASSWORD and FRONTDESK_SMS_API_KEY
are read first. A server machine without a keyring keeps them instead in an
owner-only file beside its Xero token file (FRONTDESK_XERO_TOKEN_FILE's folder,
SECRETS_FILE_NAME), where an administrator's desk hands them over
(PUT /v1/messaging/secrets). Where none of these exists, saving a secret is refused with a
sentence saying so (and what to do instead), and a send waits with the same
sentence rather than failing obscurely.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from desktop.auth.remembered import keyring_usable
from desktop.domain.errors import DomainError
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
        f"{variable} in the environment of the program that sends messages "
        f"(or, on a server, {TOKEN_FILE_ENV} to a private file)."
    )


class MessagingSecrets:
    """Reads and writes the two messaging secrets of each clinic."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    # --- reading: environment first, then the keyring --------------------------------

    def smtp_password(self, clinic_id: uuid.UUID) -> str | None:
        return os.environ.get(SMTP_PASSWORD_ENV) or self._get(_entry("smtp", clinic_id))

    def sms_api_key(self, clinic_id: uuid.UUID) -> str | None:
        return os.environ.get(SMS_API_KEY_ENV) or self._get(_entry("sms-gateway", clinic_id))

    def has_sms_api_key(self, clinic_id: uuid.UUID) -> bool:
        return bool(self.sms_api_key(clinic_id))

    def has_smtp_password(self, clinic_id: uuid.UUID) -> bool:
        return bool(self.smtp_password(clinic_id))

    # --- writing: the keyring only ----------------------------------------------------

    @property
    def available(self) -> bool:
        return self._keyring_usable() or _secrets_file() is not None

    def _keyring_usable(self) -> bool:
        return keyring_usable(self._keyring)

    def ensure_available(self) -> None:
        if not self.available:
            raise SecretsUnavailable(
                no_keyring_message("password or key", f"{SMTP_PASSWORD_ENV} / {SMS_API_KEY_ENV}")
            )

    def set_smtp_password(self, clinic_id: uuid.UUID, password: str) -> None:
        self._set(_entry("smtp", clinic_id), password, "mail server password", SMTP_PASSWORD_ENV)

    def set_sms_api_key(self, clinic_id: uuid.UUID, key: str) -> None:
        self._set(_entry("sms-gateway", clinic_id), key, "SMS gateway key", SMS_API_KEY_ENV)

    def _get(self, entry: str) -> str | None:
        if not self._keyring_usable():
            file = _secrets_file()
            return read_private_json(file).get(entry) if file is not None else None
        try:
            return self._keyring().get_password(SERVICE, entry)
        except Exception as exc:  # locked, D-Bus gone …: treat as "not stored here"
            log.warning("could not read %s from the keyring: %s", entry, exc)
            return None

    def _set(self, entry: str, value: str, what: str, variable: str) -> None:
        if not self._keyring_usable():
            file = _secrets_file()
            if file is None:
                raise SecretsUnavailable(no_keyring_message(what, variable))
            data = read_private_json(file)
            if value:
                data[entry] = value
            else:
                data.pop(entry, None)
            write_private_json(file, data)
            return
        try:
            if value:
                self._keyring().set_password(SERVICE, entry, value)
            else:
                self._keyring().delete_password(SERVICE, entry)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was stored
        except Exception as exc:
            raise SecretsUnavailable(
                f"The password store (keyring) refused to save the {what} ({exc})."
            ) from exc

    def _keyring(self) -> keyring.backend.KeyringBackend:
        return self._backend or keyring.get_keyring()


def _entry(kind: str, clinic_id: uuid.UUID) -> str:
    return f"{kind} {clinic_id}"


def _secrets_file() -> Path | None:
    """The owner-only file beside the Xero token file, when the server has one."""
    token_file = os.environ.get(TOKEN_FILE_ENV, "").strip()
    return Path(token_file).with_name(SECRETS_FILE_NAME) if token_file else None
