"""A patient's appointments as a table: when, with whom, what, and how it went."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt

from desktop.domain.appointments import Appointment
from desktop.domain.clinic_time import to_local
from desktop.ui.models.rows import RecordTableModel

APPOINTMENT_ROLE = Qt.ItemDataRole.UserRole + 4
_HEADERS = ("When", "With", "Type", "Status")


class AppointmentTableModel(RecordTableModel[Appointment]):
    headers = _HEADERS

    def __init__(self, zone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self._names: Mapping[uuid.UUID, str] = {}

    def set_appointments(
        self, appointments: Sequence[Appointment], names: Mapping[uuid.UUID, str]
    ) -> None:
        self._names = dict(names)
        self.set_records(appointments)

    def appointment(self, row: int) -> Appointment:
        return self.record(row)

    def cell(self, appointment: Appointment, column: int, role: int) -> object:
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
            return values[column] if 0 <= column < len(values) else None
        if role == APPOINTMENT_ROLE:
            return appointment
        return None
