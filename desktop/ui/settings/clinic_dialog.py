"""Settings ▸ Clinic: name, address, phone, time zone and opening hours.

The first-start wizard shows the same form (`ClinicForm`). Administrators save;
everyone else sees the details read-only, with a note saying who can change them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from desktop.domain.errors import NotFound
from desktop.domain.hours import WeeklyHours
from desktop.domain.people import Clinic
from desktop.domain.roles import Role
from desktop.services import calendar, setup
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.fields import (
    HOURS_HINT,
    TimeZoneField,
    WeeklyHoursField,
    computer_zone,
    note_label,
    when_role_known,
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


def current_clinic(ctx: ServiceContext) -> Clinic | None:
    """The clinic, or None on a new database (saving the form then creates it)."""
    try:
        return calendar.main_clinic(ctx)
    except NotFound:
        return None


class ClinicDialog(EditorDialog):
    """Opens at once; the clinic and who may change it are read in the background,
    and until both are known the form is read-only and Save is off."""

    def __init__(self, caller: ServiceCaller, parent: QWidget | None = None) -> None:
        super().__init__(caller, "Clinic", parent)
        self.form = ClinicForm()
        self.body.addWidget(self.form)
        self.clinic: Clinic | None = None
        self.can_edit = False
        self.loaded = False
        self.form.set_read_only(True)
        self.save_button.setEnabled(False)
        self.note = note_label()
        self.body.addWidget(self.note)
        self.note.hide()
        ctx = caller.ctx
        caller.in_background(
            lambda: current_clinic(ctx), title="Clinic", refresh_on_refusal=False, parent=self
        ).success(self._show_clinic).run()
        when_role_known(caller, self, self._role_known)
        self.resize(560, 560)

    def _show_clinic(self, clinic: Clinic | None) -> None:
        self.clinic = clinic
        if clinic is not None:
            self.form.set_clinic(clinic)
        self.loaded = True
        self._enable()

    def _role_known(self, role: Role | None) -> None:
        self.can_edit = role is Role.ADMIN
        if not self.can_edit:
            self.note.setText("Only an administrator can change the clinic's details.")
            self.note.show()
        self._enable()

    def _enable(self) -> None:
        ready = self.loaded and self.can_edit
        self.form.set_read_only(not ready)
        self.save_button.setEnabled(ready)

    def saving(self) -> Callable[[], Changes]:
        caller, clinic, values = self.caller, self.clinic, self.form.values()
        return lambda: save_clinic(caller, clinic, values)[1]
