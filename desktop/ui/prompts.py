"""Questions that need a yes or no (delete for good? deactivate?).

Module-level so offscreen tests replace `ask` with an answer instead of blocking
on a modal box, the same way they replace `operations.show_error`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop.domain.repeats import SeriesScope


def ask(parent: QWidget | None, title: str, text: str, confirm: str = "OK") -> bool:
    """True when the user confirms."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def choose(parent: QWidget | None, title: str, text: str, choices: Sequence[str]) -> int | None:
    """Which of `choices` the user picked (its index), or None for Cancel."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    buttons = [box.addButton(label, QMessageBox.ButtonRole.AcceptRole) for label in choices]
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(buttons[0])
    box.exec()
    clicked = box.clickedButton()
    return next((i for i, button in enumerate(buttons) if button is clicked), None)


SCOPE_NOTE = "Appointments already past are left as they are."


def choose_scope(parent: QWidget | None, title: str, question: str) -> SeriesScope | None:
    """This one, this and the following, or all of a repeating series; None for Cancel."""
    scopes = list(SeriesScope)
    index = choose(parent, title, f"{question} {SCOPE_NOTE}", [scope.label for scope in scopes])
    return None if index is None else scopes[index]


def run_dialog(dialog: QDialog) -> bool:
    """Show a dialog modally; True when accepted. Module level so offscreen tests can
    fill and accept the dialog instead of blocking on it."""
    return dialog.exec() == QDialog.DialogCode.Accepted
