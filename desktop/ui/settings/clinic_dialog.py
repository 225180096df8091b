"""Settings ▸ Clinic: name, address, phone, time zone and opening hours.

The first-start wizard shows the same form (`ClinicForm`). Administrators save;
everyone else sees the details read-only, with a note saying who can change them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from desktop.domain.errors import NotFound
from desktop.domain.hours import WeeklyHours
from desktop.domain.people import Clinic
from desktop.domain.roles import Role
from desktop.services import calendar, setup
from desktop.services.changes import Changes
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.fields import (
    HOURS_HINT,
    TimeZoneField,
    WeeklyHoursField,
    actor_role,
    computer_zone,
    note_label,
)
from desktop.ui.settings.record_list_dialog import EditorDialog


@dataclass(frozen=True, slots=True)
class ClinicValues:
    name: str
    timezone: str
    opening_hours: WeeklyHours
    phone: str
    address: str


class ClinicForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Harbourside Physio")
        self.address = QPlainTextEdit()
        self.address.setFixedHeight(56)
        self.address.setTabChangesFocus(True)
        self.phone = QLineEdit()
        self.timezone = TimeZoneField(computer_zone())
        self.hours = WeeklyHoursField()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Clinic &name", self.name)
        form.addRow("&Address", self.address)
        form.addRow("&Phone", self.phone)
        form.addRow("&Time zone", self.timezone)
        form.addRow("Opening hours", self.hours)
        form.addRow("", note_label(HOURS_HINT))

    def set_clinic(self, clinic: Clinic) -> None:
        self.name.setText(clinic.name)
        self.address.setPlainText(clinic.address)
        self.phone.setText(clinic.phone)
        self.timezone.set_zone(clinic.timezone)
        self.hours.set_hours(clinic.opening_hours)

    def values(self) -> ClinicValues:
        return ClinicValues(
            name=self.name.text(),
            timezone=self.timezone.zone(),
            opening_hours=self.hours.hours(),
            phone=self.phone.text(),
            address=self.address.toPlainText(),
        )

    def set_read_only(self, read_only: bool) -> None:
        for line in (self.name, self.phone):
            line.setReadOnly(read_only)
        self.address.setReadOnly(read_only)
        self.timezone.setEnabled(not read_only)
        self.hours.set_read_only(read_only)


def save_clinic(
    caller: ServiceCaller, clinic: Clinic | None, values: ClinicValues
) -> tuple[Clinic, Changes]:
    """Create the clinic on a new database, else update it (the wizard and the dialog)."""
    ctx = caller.ctx
    if clinic is None:
        return setup.create_clinic(
            ctx, values.name, values.timezone, values.opening_hours, values.phone, values.address
        )
    return setup.update_clinic(
        ctx,
        clinic.id,
        values.name,
        values.timezone,
        values.opening_hours,
        values.phone,
        values.address,
    )


def current_clinic(caller: ServiceCaller) -> Clinic | None:
    """The clinic, or None on a new database (saving the form then creates it)."""
    ctx = caller.ctx

    def find() -> Clinic | None:
        try:
            return calendar.main_clinic(ctx)
        except NotFound:
            return None

    return caller.call(find, refresh_on_refusal=False)


class ClinicDialog(EditorDialog):
    def __init__(self, caller: ServiceCaller, parent: QWidget | None = None) -> None:
        super().__init__(caller, "Clinic", parent)
        self.form = ClinicForm()
        self.body.addWidget(self.form)
        self.clinic = current_clinic(caller)
        if self.clinic is not None:
            self.form.set_clinic(self.clinic)
        self.can_edit = actor_role(caller) is Role.ADMIN
        self.form.set_read_only(not self.can_edit)
        self.save_button.setEnabled(self.can_edit)
        if not self.can_edit:
            self.body.addWidget(
                note_label("Only an administrator can change the clinic's details.")
            )
        self.resize(560, 560)

    def save_changes(self) -> Changes:
        self.clinic, changes = save_clinic(self.caller, self.clinic, self.form.values())
        return changes
