"""Running a service call from the UI: the one place errors become messages.

Every widget calls services through `run_operation`. A refusal of a rule
(`DomainError`) is shown as a message box with the service's own sentence; the
caller's `on_error` can then refresh (e.g. the calendar after a stale booking).
`SessionExpired` is handed to the session handler installed with
`set_session_handler`, which asks the user to sign in again and retries the same
call; until one is installed it is shown as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.domain.errors import DomainError
from desktop.services.context import SessionExpired

T = TypeVar("T")


class SessionHandler(Protocol):
    def reauthenticate(self, parent: QWidget | None, reason: str) -> bool:
        """Ask the user to sign in again; True when the same user is signed in again."""
        ...


_session_handler: SessionHandler | None = None


def set_session_handler(handler: SessionHandler | None) -> None:
    global _session_handler  # one handler for the whole application
    _session_handler = handler


def run_operation(
    parent: QWidget | None,
    action: Callable[[], T],
    *,
    title: str = "Frontdesk",
    on_error: Callable[[Exception], None] | None = None,
) -> T | None:
    """Run `action`; returns its result, or None after telling the user why it failed."""
    while True:
        try:
            return action()
        except SessionExpired as exc:
            handler = _session_handler
            if handler is not None and handler.reauthenticate(parent, exc.reason):
                continue  # signed in again as the same user: retry the interrupted action once
            if handler is None:
                QMessageBox.warning(parent, title, exc.reason)
            if on_error is not None:
                on_error(exc)
            return None
        except DomainError as exc:
            QMessageBox.warning(parent, title, str(exc))
            if on_error is not None:
                on_error(exc)
            return None
