"""Deactivating a practitioner who still has future bookings: say what happens to them.

Lists the bookings, then offers the three choices the service knows: move them
all to another practitioner (refused, naming the clash, if any would collide),
cancel them with "practitioner unavailable" as the reason, or keep them
read-only on the patients' cards. The choice is saved in the background with the
dialog held open and busy; a refusal (a clash) leaves it open to choose again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.appointments import Appointment
from desktop.domain.clinic_time import to_local
from desktop.domain.people import Practitioner
from desktop.services import practitioners
from desktop.services.changes import Changes
from desktop.services.practitioners import FutureBookings
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.busy_form import BusyForm


class DeactivationDialog(QDialog):
    def __init__(
        self,
        caller: ServiceCaller,
        practitioner: Practitioner,
        bookings: Sequence[Appointment],
        colleagues: Sequence[Practitioner],
        zone: ZoneInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.practitioner = practitioner
        self.setWindowTitle(f"Deactivate {practitioner.name}")
        intro = QLabel(
            f"{practitioner.name} has {len(bookings)} future booking"
            f"{'s' if len(bookings) != 1 else ''}. What should happen to "
            f"{'them' if len(bookings) != 1 else 'it'}?"
        )
        intro.setWordWrap(True)
        listing = QListWidget()
        for appointment in bookings:
            local = to_local(appointment.starts_at, zone)
            listing.addItem(
                f"{local:%a %d %b} {local.hour}:{local.minute:02d} — "
                f"{appointment.title} ({appointment.type_name})"
            )
        self.move_choice = QRadioButton("&Move them to")
        self.target = QComboBox()
        for colleague in colleagues:
            self.target.addItem(colleague.name, colleague.id)
        self.cancel_choice = QRadioButton("&Cancel them (reason: practitioner unavailable)")
        self.keep_choice = QRadioButton("&Keep them, read-only, on the patients' cards")
        self.group = QButtonGroup(self)
        for button in (self.move_choice, self.cancel_choice, self.keep_choice):
            self.group.addButton(button)
        self.move_choice.setEnabled(bool(colleagues))
        (self.move_choice if colleagues else self.cancel_choice).setChecked(True)
        self.move_choice.toggled.connect(self.target.setEnabled)
        self.target.setEnabled(self.move_choice.isChecked())
        buttons = QDialogButtonBox()
        buttons.addButton("Deactivate", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(listing, 1)
        layout.addWidget(self.move_choice)
        layout.addWidget(self.target)
        layout.addWidget(self.cancel_choice)
        layout.addWidget(self.keep_choice)
        layout.addWidget(buttons)
        self.resize(520, 420)
        self.busy = BusyForm(self, caller)

    def plan(self) -> FutureBookings:
        if self.move_choice.isChecked():
            return FutureBookings.MOVE
        if self.cancel_choice.isChecked():
            return FutureBookings.CANCEL
        return FutureBookings.KEEP_READ_ONLY

    def move_to(self) -> object:
        return self.target.currentData() if self.move_choice.isChecked() else None

    def accept(self) -> None:
        ctx, ident = self.caller.ctx, self.practitioner.id
        plan, target = self.plan(), self.move_to()
        move_to = target if isinstance(target, uuid.UUID) else None
        self.busy.save(
            lambda: practitioners.deactivate_practitioner(ctx, ident, plan, move_to),
            self._saved,
            title=f"Deactivate {self.practitioner.name}",
        )

    def _saved(self, changes: Changes) -> None:
        self.caller.publish(changes)
        super().accept()
