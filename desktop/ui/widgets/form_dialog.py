"""A small dialog of labelled fields that checks itself as the user types: one
sentence says what is wrong, and the action button stays off until nothing is.

A dialog whose choices are read in the background opens at once: `wait_for(text)`
says what is being read and keeps the action button off until `arrived()`. Its OK
can save in the background too (`SavingDialog.saves`)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets.saving_dialog import SavingDialog


class FormDialog(SavingDialog):
    def __init__(
        self, title: str, action: str, intro: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.waiting = QLabel()
        self.waiting.setObjectName("formWaiting")
        self.waiting.setProperty("muted", True)
        self.waiting.hide()
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.waiting)
        layout.addWidget(buttons)

    def show_problem(self, problem: str) -> None:
        """ "" when the form is fine: the action button goes on."""
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        self.ok_button.setEnabled(not problem and self.waiting.isHidden())

    def wait_for(self, text: str) -> None:
        """What is being read ("Reading the invoices…"); the action stays off meanwhile."""
        self.waiting.setText(text)
        self.waiting.show()
        self.ok_button.setEnabled(False)

    def arrived(self) -> None:
        """The data is here: the subclass fills its fields, then checks them again."""
        self.waiting.hide()
