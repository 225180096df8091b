"""A class's attendees: who is booked, who arrived, who cancelled and why."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop.domain.appointments import AppointmentStatus, Attendance
from desktop.ui.models.rows import AnyIndex

ATTENDANCE_ROLE = Qt.ItemDataRole.UserRole + 2


def describe(attendance: Attendance) -> str:
    if attendance.status is AppointmentStatus.CANCELLED:
        reason = attendance.cancellation_reason
        why = f" ({reason.label.lower()})" if reason else ""
        return f"{attendance.patient_name} — cancelled{why}"
    return f"{attendance.patient_name} — {attendance.status.label.lower()}"


class AttendeeListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._attendees: list[Attendance] = []

    def set_attendees(self, attendees: Sequence[Attendance]) -> None:
        # Booked first, then the cancelled ones, so the places taken read at a glance.
        self.beginResetModel()
        self._attendees = sorted(attendees, key=lambda a: not a.status.takes_time)
        self.endResetModel()

    def attendance(self, row: int) -> Attendance:
        return self._attendees[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._attendees)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._attendees):
            return None
        attendance = self._attendees[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return describe(attendance)
        if role == Qt.ItemDataRole.ForegroundRole and not attendance.status.takes_time:
            return QColor(QApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == ATTENDANCE_ROLE:
            return attendance
        return None
