"""Keyring backends for tests: an in-memory store, one that notes the thread of each
call, and one that fails on every call."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class ThreadNotingKeyring(MemoryKeyring):
    """An in-memory keyring that notes which thread made each call: the OS keyring's
    calls can wait as long as its unlock prompt does, so none may be the GUI thread's.
    With `refuse_saves` every save fails, as a read-only collection's does."""

    def __init__(self, *, refuse_saves: bool = False) -> None:
        super().__init__()
        self.refuse_saves = refuse_saves
        self.calls: list[tuple[str, threading.Thread]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self._note("get")
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._note("set")
        if self.refuse_saves:
            raise keyring.errors.PasswordSetError("the collection is read-only")
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._note("delete")
        super().delete_password(service, username)

    def made(self) -> list[str]:
        """The calls made so far, in order."""
        return [call for call, _ in self.calls]

    def on_the_gui_thread(self) -> list[str]:
        return [call for call, thread in self.calls if thread is threading.main_thread()]

    def _note(self, call: str) -> None:
        self.calls.append((call, threading.current_thread()))


class BrokenKeyring(keyring.backend.KeyringBackend):
    """A backend that exists but errors (a locked or vanished Secret Service)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


@contextmanager
def using_keyring(backend: keyring.backend.KeyringBackend) -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield
    finally:
        keyring.set_keyring(previous)
