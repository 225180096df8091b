"""Why an appointment is cancelled: a reason from the list (none is assumed), and a
note for "Other"."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.appointments import CancellationReason

# "Practitioner unavailable" is what deactivation writes; a receptionist picks "clinic".
REASONS = [r for r in CancellationReason if r is not CancellationReason.PRACTITIONER_UNAVAILABLE]


class CancelDialog(QDialog):
    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cancel appointment")
        self.reason_box = QComboBox()
        for reason in REASONS:
            self.reason_box.addItem(reason.label, reason)
        self.reason_box.setPlaceholderText("Choose a reason…")
        self.reason_box.setCurrentIndex(-1)  # a guessed "Feeling better" would be recorded as fact
        self.note = QLineEdit()
        self.note.setPlaceholderText("Needed when the reason is “Other”")
        intro = QLabel(f"Cancel {what}? The time becomes free for someone else.")
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Reason", self.reason_box)
        form.addRow("&Note", self.note)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            "Cancel appointment", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("Keep it", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.reason_box.currentIndexChanged.connect(self._check)
        self.note.textChanged.connect(self._check)
        self._check()

    def reason(self) -> CancellationReason:
        return CancellationReason(self.reason_box.currentData())

    def note_text(self) -> str:
        return self.note.text().strip()

    def _check(self) -> None:
        if self.reason_box.currentIndex() < 0:
            self.ok_button.setEnabled(False)
            return
        needs_note = self.reason() is CancellationReason.OTHER
        self.ok_button.setEnabled(not needs_note or bool(self.note_text()))
