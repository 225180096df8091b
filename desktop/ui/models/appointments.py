"""A patient's appointments as a table: when, with whom, what, and how it went."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt

from desktop.domain.appointments import Appointment
from desktop.domain.clinic_time import to_local
from desktop.ui.models.patients import AnyIndex

APPOINTMENT_ROLE = Qt.ItemDataRole.UserRole + 4
_HEADERS = ("When", "With", "Type", "Status")


class AppointmentTableModel(QAbstractTableModel):
    def __init__(self, zone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self._appointments: list[Appointment] = []
        self._names: Mapping[uuid.UUID, str] = {}

    def set_appointments(
        self, appointments: Sequence[Appointment], names: Mapping[uuid.UUID, str]
    ) -> None:
        self.beginResetModel()
        self._appointments = list(appointments)
        self._names = dict(names)
        self.endResetModel()

    def appointment(self, row: int) -> Appointment:
        return self._appointments[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._appointments)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(_HEADERS)
        ):
            return _HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._appointments):
            return None
        appointment = self._appointments[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            local = to_local(appointment.starts_at, self.zone)
            status = appointment.status.label
            if appointment.cancellation_reason is not None:
                status = f"{status} ({appointment.cancellation_reason.label.lower()})"
            values = (
                f"{local:%a %d %b %Y} {local.hour}:{local.minute:02d}",
                self._names.get(appointment.practitioner_id, ""),
                appointment.type_name,
                status,
            )
            column = index.column()
            return values[column] if 0 <= column < len(values) else None
        if role == APPOINTMENT_ROLE:
            return appointment
        return None
