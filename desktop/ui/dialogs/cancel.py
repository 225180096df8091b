"""Why an appointment is cancelled: a reason from the list (none is assumed), and a
note for "Other". For one of a repeating series, also which: this one, this and the
following, or all (those already begun are never cancelled by "all")."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.appointments import CancellationReason
from desktop.domain.repeats import SeriesScope
from desktop.ui.prompts import SCOPE_NOTE

# "Practitioner unavailable" is what deactivation writes; a receptionist picks "clinic".
REASONS = [r for r in CancellationReason if r is not CancellationReason.PRACTITIONER_UNAVAILABLE]


class CancelDialog(QDialog):
    def __init__(
        self, what: str, parent: QWidget | None = None, *, in_series: bool = False
    ) -> None:
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
        self.scopes = QButtonGroup(self)
        if in_series:
            which = QVBoxLayout()
            for scope in SeriesScope:
                button = QRadioButton(scope.label)
                button.setChecked(scope is SeriesScope.THIS)
                self.scopes.addButton(button)
                button.setProperty("scope", scope.value)
                which.addWidget(button)
            note = QLabel(SCOPE_NOTE)
            note.setProperty("muted", True)
            which.addWidget(note)
            form.addRow("Which", which)
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

    def scope(self) -> SeriesScope:
        """Which appointments of the series to cancel (this one, for a one-off)."""
        chosen = self.scopes.checkedButton()
        return SeriesScope(chosen.property("scope")) if chosen else SeriesScope.THIS

    def choose_scope(self, scope: SeriesScope) -> None:
        for button in self.scopes.buttons():
            button.setChecked(button.property("scope") == scope.value)

    def note_text(self) -> str:
        return self.note.text().strip()

    def _check(self) -> None:
        if self.reason_box.currentIndex() < 0:
            self.ok_button.setEnabled(False)
            return
        needs_note = self.reason() is CancellationReason.OTHER
        self.ok_button.setEnabled(not needs_note or bool(self.note_text()))
