"""Questions that need a yes or no (delete for good? deactivate?).

Module-level so offscreen tests replace `ask` with an answer instead of blocking
on a modal box, the same way they replace `operations.show_error`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask(parent: QWidget | None, title: str, text: str, confirm: str = "OK") -> bool:
    """True when the user confirms."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes
