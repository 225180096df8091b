"""“Remember me”: a refresh secret kept in the operating system's keyring, never in a file.

One entry per database (a clinic PC may open a test database too), under the
service name "Frontdesk". Where the machine has no keyring backend (keyring's
`fail.Keyring`, or a backend that errors), `available` is False, `problem` says
why in a sentence, and nothing is stored: the user is simply asked for the
password. No keyring failure ever escapes as an exception.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import fail

SERVICE = "Frontdesk"
NO_KEYRING = (
    "This computer has no password store (keyring) Frontdesk can use, "
    "so it cannot remember your sign-in. You will be asked for your password each time."
)

log = logging.getLogger(__name__)


def keyring_usable(backend: Callable[[], keyring.backend.KeyringBackend]) -> bool:
    """Whether the keyring `backend()` gives can hold secrets: not the "fail" backend,
    not a chain of none, not one whose configuration is broken."""
    try:
        found = backend()
    except Exception:  # a broken keyring configuration counts as none
        log.warning("no usable keyring", exc_info=True)
        return False
    if isinstance(found, fail.Keyring):
        return False
    children = getattr(found, "backends", None)  # keyring's ChainerBackend
    return children is None or bool(children)


@dataclass(frozen=True, slots=True)
class Remembered:
    username: str
    refresh_token: str


class RememberedSignIn:
    def __init__(self, database_url: str, backend: keyring.backend.KeyringBackend | None = None):
        digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
        self.entry = f"sign-in {digest}"
        self._backend = backend
        self.problem: str | None = None if self._usable() else NO_KEYRING

    @property
    def available(self) -> bool:
        return self.problem is None

    def load(self) -> Remembered | None:
        if not self.available:
            return None
        try:
            stored = self._keyring().get_password(SERVICE, self.entry)
        except Exception as exc:  # any backend failure (locked, D-Bus gone …) means "not here"
            self._failed("read", exc)
            return None
        if not stored:
            return None
        try:
            data = json.loads(stored)
            return Remembered(str(data["username"]), str(data["refresh_token"]))
        except (ValueError, KeyError, TypeError):
            self.forget()  # not ours, or damaged: drop it
            return None

    def save(self, username: str, refresh_token: str) -> bool:
        if not self.available:
            return False
        value = json.dumps({"username": username, "refresh_token": refresh_token})
        try:
            self._keyring().set_password(SERVICE, self.entry, value)
        except Exception as exc:  # see load()
            self._failed("save", exc)
            return False
        return True

    def forget(self) -> None:
        if not self.available:
            return
        try:
            self._keyring().delete_password(SERVICE, self.entry)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was remembered
        except Exception as exc:  # see load()
            self._failed("clear", exc)

    def _keyring(self) -> keyring.backend.KeyringBackend:
        return self._backend or keyring.get_keyring()

    def _usable(self) -> bool:
        return keyring_usable(self._keyring)

    def _failed(self, action: str, exc: Exception) -> None:
        log.warning("could not %s the remembered sign-in in the keyring: %s", action, exc)
        self.problem = (
            f"The password store (keyring) refused to {action} your sign-in ({exc}). "
            "You will be asked for your password."
        )
