"""One event every screen refreshes from (Anki's operations pattern).

A service returns a `Changes` value; whoever called it publishes that value here,
and the calendar, the patient card, the class dialog and the status bar each
decide for themselves whether they need to reload. Nobody refreshes anybody else
directly, so a new screen cannot be forgotten by an old operation.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.services.changes import Changes

# After a refusal the screen that asked may be stale (a practitioner deactivated
# elsewhere, an appointment moved by another desk): reload what the calendar shows.
STALE_SCREEN = Changes(appointments=True, practitioners=True)


class ChangeBus(QObject):
    """The application's change notifications.

    Signals:
        changed(Changes): something was written; listeners reload what it touches.
    """

    changed = Signal(object)

    def publish(self, changes: Changes) -> None:
        if changes.anything:
            self.changed.emit(changes)

    def refresh_stale(self) -> None:
        self.changed.emit(STALE_SCREEN)
