"""From the sync thread to the GUI thread: plain callbacks in, Qt signals out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.auth.errors import SessionExpired

if TYPE_CHECKING:
    from desktop.sync.runner import SyncStatus


class SyncSignals(QObject):
    """Pass `report_status` / `report_session_expired` to `desktop.sync.setup.start_sync`.

    Signals:
        status_changed(SyncStatus): how sync stands now (emitted on any thread,
            delivered on the GUI thread).
        session_expired(SessionExpired): the server wants a sign-in before syncing
            goes on; show the sign-in prompt, then call the runner's `signed_in()`.
        progress(str, int, int): phase, done, total of a pass with work to do.
    """

    status_changed = Signal(object)
    session_expired = Signal(object)
    progress = Signal(str, int, int)

    def report_status(self, status: SyncStatus) -> None:
        self.status_changed.emit(status)

    def report_session_expired(self, expired: SessionExpired) -> None:
        self.session_expired.emit(expired)

    def report_progress(self, phase: str, done: int, total: int) -> None:
        self.progress.emit(phase, done, total)
