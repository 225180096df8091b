"""Settings ▸ Appointment types: individual consults and classes, with price and item code.

A retired type cannot be booked any more; appointments already booked keep it.
`TypeForm` is shared with the first-start wizard. Administrators only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from desktop.domain.appointments import AppointmentKind, AppointmentType
from desktop.domain.roles import Role
from desktop.services import calendar, setup
from desktop.services.changes import Changes
from desktop.services.setup import AppointmentTypeDetails
from desktop.ui.models.rows import RecordTableModel
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.fields import ColourField, money_from
from desktop.ui.settings.record_list_dialog import EditorDialog, RecordListDialog

_KINDS = {AppointmentKind.INDIVIDUAL: "Individual", AppointmentKind.CLASS: "Class"}


class TypeForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Standard physio consult")
        self.kind = QComboBox()
        for kind, label in _KINDS.items():
            self.kind.addItem(label, kind.value)  # plain strings: Qt keeps them as they are
        self.duration = QSpinBox()
        self.duration.setRange(5, 12 * 60)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(" min")
        self.duration.setValue(30)
        self.price = QLineEdit()
        self.price.setPlaceholderText("e.g. 90.00")
        self.item_code = QLineEdit()
        self.item_code.setPlaceholderText("health-fund item number, e.g. 505")
        self.colour = ColourField("#7fb3d5")
        self.capacity = QSpinBox()
        self.capacity.setRange(1, 500)
        self.capacity.setValue(8)
        self.capacity.setSuffix(" places")
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addRow("&Name", self.name)
        self.layout_.addRow("&Kind", self.kind)
        self.layout_.addRow("&Duration", self.duration)
        self.layout_.addRow("&Price (AUD)", self.price)
        self.layout_.addRow("&Item code", self.item_code)
        self.layout_.addRow("&Colour", self.colour)
        self.layout_.addRow("Class &capacity", self.capacity)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def choose_kind(self, kind: AppointmentKind) -> None:
        for index in range(self.kind.count()):
            if self.kind.itemData(index) == kind.value:
                self.kind.setCurrentIndex(index)

    def _kind_changed(self) -> None:
        self.layout_.setRowVisible(self.capacity, self.chosen_kind() is AppointmentKind.CLASS)

    def chosen_kind(self) -> AppointmentKind:
        return AppointmentKind(self.kind.currentData())

    def set_type(self, kind: AppointmentType) -> None:
        self.name.setText(kind.name)
        self.choose_kind(kind.kind)
        self.kind.setEnabled(False)  # a booked class cannot turn into a consult
        self.duration.setValue(kind.duration_minutes)
        self.price.setText(str(kind.price.to_decimal()))
        self.item_code.setText(kind.item_code)
        self.colour.text.setText(kind.colour)
        self.capacity.setValue(kind.capacity)

    def details(self) -> AppointmentTypeDetails:
        return AppointmentTypeDetails(
            name=self.name.text(),
            kind=self.chosen_kind(),
            duration_minutes=self.duration.value(),
            price=money_from(self.price.text(), "Price"),
            colour=self.colour.colour(),
            item_code=self.item_code.text(),
            capacity=self.capacity.value(),
        )


def save_type(
    caller: ServiceCaller, existing: AppointmentType | None, details: AppointmentTypeDetails
) -> tuple[AppointmentType, Changes]:
    if existing is None:
        return setup.create_appointment_type(caller.ctx, details)
    return setup.update_appointment_type(caller.ctx, existing.id, details)


class TypeDialog(EditorDialog):
    def __init__(
        self, caller: ServiceCaller, kind: AppointmentType | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(caller, f"Edit {kind.name}" if kind else "Add an appointment type", parent)
        self.form = TypeForm()
        self.body.addWidget(self.form)
        self.kind = kind
        if kind is not None:
            self.form.set_type(kind)
        self.resize(460, 320)

    def saving(self) -> Callable[[], Changes]:
        caller, kind, details = self.caller, self.kind, self.form.details()
        return lambda: save_type(caller, kind, details)[1]


class TypeTableModel(RecordTableModel[AppointmentType]):
    headers = ("Name", "Kind", "Duration", "Price", "Item code", "Places", "Status")

    def cell(self, record: AppointmentType, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                record.name,
                _KINDS[record.kind],
                f"{record.duration_minutes} min",
                str(record.price),
                record.item_code,
                str(record.capacity) if record.kind is AppointmentKind.CLASS else "",
                "Active" if record.active else "Retired",
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return QColor(record.colour)
        return None


class AppointmentTypesDialog(RecordListDialog[AppointmentType]):
    noun = "type"

    def __init__(self, caller: ServiceCaller, parent: QWidget | None = None) -> None:
        super().__init__(caller, TypeTableModel(), parent)
        self.setWindowTitle("Appointment types")
        self.reload()

    def may_edit(self, role: Role | None) -> bool:
        return role is Role.ADMIN

    def note_for(self, can_edit: bool) -> str:
        if not can_edit:
            return "Only an administrator can add, edit or retire appointment types."
        return "A retired type can no longer be booked; appointments already booked keep it."

    def load(self) -> list[AppointmentType]:
        return calendar.appointment_types(self.caller.ctx, include_inactive=True)

    def changed(self, changes: Changes) -> bool:
        return changes.appointment_types

    def editor(self, record: AppointmentType | None) -> TypeDialog:
        return TypeDialog(self.caller, record, self)

    def set_active(self, record: AppointmentType, active: bool) -> Changes:
        return setup.set_appointment_type_active(self.caller.ctx, record.id, active)
