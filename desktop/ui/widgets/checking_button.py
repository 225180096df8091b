"""A dialog's accept button whose check (a password, a sign-in) runs in the background.

While the check runs the button is greyed and reads "Checking…"; a second press (Enter
twice) starts nothing; closing the dialog drops a check still under way, so no late
answer signs anyone in behind a dialog the user cancelled. The sign-in dialogs and the
server's sign-in prompt share it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QPushButton, QWidget

from desktop.ui.background_ops import BackgroundOp, runner

T = TypeVar("T")


class CheckingButton:
    def __init__(self, button: QPushButton, owner: QWidget, text: str) -> None:
        self.button = button
        self.owner = owner
        self.text = text
        self.key = f"check-{id(owner)}"
        self.checking = False
        self._show(False)

    def check(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[Exception], None],
        *,
        reports: tuple[type[Exception], ...],
        title: str = "Frontdesk",
    ) -> None:
        """Run `work` off the GUI thread, then `done(result)` or `failed(error)` (for
        the `reports` errors) on it, the button back as it was."""
        if self.checking:
            return  # Enter pressed twice: one check at a time

        def answered(result: T) -> None:
            self._show(False)
            done(result)

        def refused(exc: Exception) -> None:
            self._show(False)
            failed(exc)

        self._show(True)
        BackgroundOp(work, parent=self.owner, key=self.key, title=title, reports=reports).success(
            answered
        ).failure(refused).run()

    def cancel(self) -> None:
        """The dialog is closing: a check still running is dropped unanswered."""
        runner().cancel(self.key)
        self._show(False)

    def _show(self, checking: bool) -> None:
        self.checking = checking
        self.button.setEnabled(not checking)
        self.button.setText("Checking…" if checking else self.text)
