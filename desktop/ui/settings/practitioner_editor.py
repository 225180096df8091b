"""Adding or editing a practitioner: name, profession, colour, calendar order, hours,
and a provider number for each location (health funds need the one for *that* location).

`PractitionerForm` is shared by the first-start wizard and `PractitionerDialog`
(Settings ▸ Practitioners ▸ Add / Edit).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QLineEdit, QSpinBox, QWidget

from desktop.domain.hours import WeeklyHours
from desktop.domain.people import Clinic, Practitioner
from desktop.services import practitioners
from desktop.services.changes import Changes
from desktop.services.practitioners import PractitionerDetails
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.fields import HOURS_HINT, ColourField, WeeklyHoursField, note_label
from desktop.ui.settings.record_list_dialog import EditorDialog

NEW_COLOUR = "#4a90d9"


class PractitionerForm(QWidget):
    def __init__(self, clinics: list[Clinic], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.profession = QLineEdit()
        self.profession.setPlaceholderText("e.g. Physiotherapist")
        self.colour = ColourField(NEW_COLOUR)
        self.order = QSpinBox()
        self.order.setRange(0, 999)
        self.order.setToolTip("Calendar columns go from the lowest number to the highest.")
        self.hours = WeeklyHoursField()
        self.provider_numbers: dict[uuid.UUID, QLineEdit] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Name", self.name)
        form.addRow("&Profession", self.profession)
        form.addRow("&Colour", self.colour)
        form.addRow("Calendar &order", self.order)
        for clinic in clinics:
            line = QLineEdit()
            line.setAccessibleName(f"Provider number at {clinic.name}")
            self.provider_numbers[clinic.id] = line
            form.addRow(f"Provider number at {clinic.name}", line)
        form.addRow("Working hours", self.hours)
        form.addRow("", note_label(HOURS_HINT))

    def set_practitioner(self, practitioner: Practitioner) -> None:
        self.name.setText(practitioner.name)
        self.profession.setText(practitioner.profession)
        self.colour.text.setText(practitioner.colour)
        self.order.setValue(practitioner.display_order)
        self.hours.set_hours(practitioner.availability)
        for clinic_id, line in self.provider_numbers.items():
            line.setText(practitioner.provider_numbers.get(clinic_id, ""))

    def set_hours(self, hours: WeeklyHours) -> None:
        """A new practitioner starts with the clinic's opening hours."""
        self.hours.set_hours(hours)

    def details(self) -> PractitionerDetails:
        return PractitionerDetails(
            name=self.name.text(),
            profession=self.profession.text(),
            colour=self.colour.colour(),
            availability=self.hours.hours(),
            provider_numbers={cid: line.text() for cid, line in self.provider_numbers.items()},
            display_order=self.order.value(),
        )


def save_practitioner(
    caller: ServiceCaller, existing: Practitioner | None, details: PractitionerDetails
) -> tuple[Practitioner, Changes]:
    """Add, or edit what the form showed (refused if someone changed it meanwhile)."""
    if existing is None:
        return practitioners.create_practitioner(caller.ctx, details)
    return practitioners.update_practitioner(caller.ctx, existing.id, details, existing.version)


class PractitionerDialog(EditorDialog):
    def __init__(
        self,
        caller: ServiceCaller,
        clinics: list[Clinic],
        practitioner: Practitioner | None,
        next_order: int,
        parent: QWidget | None = None,
    ) -> None:
        title = f"Edit {practitioner.name}" if practitioner else "Add a practitioner"
        super().__init__(caller, title, parent)
        self.form = PractitionerForm(clinics)
        self.body.addWidget(self.form)
        self.practitioner = practitioner
        if practitioner is not None:
            self.form.set_practitioner(practitioner)
        else:
            self.form.order.setValue(next_order)
            if clinics:
                self.form.set_hours(clinics[0].opening_hours)
        self.resize(520, 600)

    def saving(self) -> Callable[[], Changes]:
        caller, practitioner, details = self.caller, self.practitioner, self.form.details()
        return lambda: save_practitioner(caller, practitioner, details)[1]
