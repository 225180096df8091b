"""A test fails, at once and by name, when the code opens a modal box nobody answers.

Offscreen, `QMessageBox.exec()` / `QDialog.exec()` (and the static helpers such as
`QMessageBox.warning`, `QInputDialog.getText`, `QFileDialog.getSaveFileName`) wait
for a click that never comes: the test hangs and CI times out with no message.
While a test runs, these are replaced: the box is not shown, it counts as
dismissed (Rejected / Cancel / nothing chosen), and the test fails when it ends
with the box's title and text.

Tests answer boxes as before, by replacing the module-level function the code
calls (`prompts.ask`, `prompts.choose`, `prompts.run_dialog`,
`operations.show_error`, … see tests/ui/money_support.py `Answers`): those never
reach `exec()`. A test that answers the real modal from the event loop (a
zero-delay timer that fills the open dialog) is marked
`@pytest.mark.answers_modals` and gets the real `exec()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox, QWidget


def describe(widget: QWidget | None, title: object = "", text: object = "") -> str:
    """“title: text” of a box (a dialog's window title and, for a message box, its text)."""
    if widget is not None:
        title = title or widget.windowTitle()
        if isinstance(widget, QMessageBox):
            text = text or widget.text()
        kind = type(widget).__name__
    else:
        kind = "static box"
    return f"{kind} “{title}”" + (f": {text}" if text else "")


class ModalGuard:
    def __init__(self) -> None:
        self.unanswered: list[str] = []

    def exec_(self, dialog: QDialog) -> int:
        self.unanswered.append(describe(dialog))
        dialog.reject()  # as Escape would: nothing the code waits for stays open
        return int(QDialog.DialogCode.Rejected.value)

    def static(self, answer: Any, what: str) -> Callable[..., Any]:
        """A stand-in for a static helper (parent, title, text/label, …): records, answers."""

        def unanswered(_parent: QWidget | None = None, *args: Any, **_kw: Any) -> Any:
            title = args[0] if args else ""
            text = args[1] if len(args) > 1 else ""
            self.unanswered.append(f"{what} “{title}”" + (f": {text}" if text else ""))
            return answer

        return staticmethod(unanswered)

    def report(self) -> str:
        return "\n".join(f"  {box}" for box in self.unanswered)


_NO = QMessageBox.StandardButton.NoButton
_STATICS: tuple[tuple[type, str, Any], ...] = (
    (QMessageBox, "warning", _NO),
    (QMessageBox, "critical", _NO),
    (QMessageBox, "information", _NO),
    (QMessageBox, "question", _NO),
    (QMessageBox, "about", None),
    (QInputDialog, "getText", ("", False)),
    (QInputDialog, "getMultiLineText", ("", False)),
    (QInputDialog, "getItem", ("", False)),
    (QInputDialog, "getInt", (0, False)),
    (QInputDialog, "getDouble", (0.0, False)),
    (QFileDialog, "getSaveFileName", ("", "")),
    (QFileDialog, "getOpenFileName", ("", "")),
    (QFileDialog, "getOpenFileNames", ([], "")),
    (QFileDialog, "getExistingDirectory", ""),
)


@contextmanager
def guarding(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModalGuard]:
    guard = ModalGuard()

    # QMessageBox, QFileDialog, QInputDialog and our dialogs all inherit QDialog.exec
    # (none of them defines its own in Python).
    def exec_(dialog: QDialog) -> int:
        return guard.exec_(dialog)

    for cls in (QDialog, QMessageBox, QFileDialog, QInputDialog):
        monkeypatch.setattr(cls, "exec", exec_)
    for cls, name, answer in _STATICS:
        monkeypatch.setattr(cls, name, guard.static(answer, f"{cls.__name__}.{name}"))
    yield guard
