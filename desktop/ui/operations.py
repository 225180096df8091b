"""Running a service call from the UI: the one place errors become messages.

Every widget calls services through `run_operation`. A refusal of a rule
(`DomainError`) is shown as a message box with the service's own sentence; the
caller's `on_error` can then refresh (e.g. the calendar after a stale booking).
`SessionExpired` is handed to the session handler installed with
`set_session_handler`, which asks the user to sign in again; when the same user
is back, the same call is retried once (so a booking is saved exactly once).
Without a handler, or when the retry lapses too, it is shown as a message.

`handle_failure` is that policy on its own, for work that ran in the background
(`desktop.ui.background_ops`). Messages go through the module-level `show_error`, so tests (which must never
block on a modal box) replace it with a recorder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.auth.errors import SessionExpired
from desktop.domain.errors import DomainError

T = TypeVar("T")


class SessionHandler(Protocol):
    def reauthenticate(self, parent: QWidget | None, expired: SessionExpired) -> bool:
        """Ask the user to sign in again; True when the same user is signed in again.

        False means "do not retry": the user cancelled, or someone else signed in
        (the handler has told them so). `desktop.ui.signin.ReloginHandler` is the one
        the application installs.
        """
        ...


_session_handler: SessionHandler | None = None


def set_session_handler(handler: SessionHandler | None) -> None:
    global _session_handler  # one handler for the whole application
    _session_handler = handler


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """Tell the user why an operation failed (a warning box; replaceable in tests)."""
    QMessageBox.warning(parent, title, text)


def run_operation(
    parent: QWidget | None,
    action: Callable[[], T],
    *,
    title: str = "Frontdesk",
    on_error: Callable[[Exception], None] | None = None,
) -> T | None:
    """Run `action`; returns its result, or None after telling the user why it failed."""
    for attempt in (1, 2):
        try:
            return action()
        except (SessionExpired, DomainError) as exc:
            if not handle_failure(
                parent, exc, title=title, may_retry=attempt == 1, on_error=on_error
            ):
                return None
    return None  # not reached: the second attempt never asks for a retry


def handle_failure(
    parent: QWidget | None,
    exc: SessionExpired | DomainError,
    *,
    title: str,
    may_retry: bool,
    on_error: Callable[[Exception], None] | None,
) -> bool:
    """Tell the user why an action failed, or have them sign in again.

    True means "run the action again": the session had lapsed, `may_retry` allowed
    one more attempt, and the same user has signed in again. The caller (e.g. a
    half-filled booking dialog) stays as it is while the user signs in. Also used
    by `desktop.ui.background_ops` for work that ran off the GUI thread.
    """
    if isinstance(exc, SessionExpired):
        handler = _session_handler
        if may_retry and handler is not None and handler.reauthenticate(parent, exc):
            return True
        if handler is None or not may_retry:
            show_error(parent, title, exc.message)
    else:
        show_error(parent, title, str(exc))
    if on_error is not None:
        on_error(exc)
    return False
