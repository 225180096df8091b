"""Patients as a list (type-ahead pop-up) and as a table (the patient search window)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    Qt,
)

from desktop.domain.people import Patient
from desktop.ui.models.rows import AnyIndex, RecordTableModel

PATIENT_ROLE = Qt.ItemDataRole.UserRole + 1


def born(patient: Patient) -> str:
    return f"{patient.date_of_birth:%d/%m/%Y}" if patient.date_of_birth else ""


def describe(patient: Patient) -> str:
    """One line that tells namesakes apart: name, number, birth date, phone."""
    parts = [patient.display_name, born(patient), patient.phone]
    return " · ".join(part for part in parts if part)


class PatientListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._patients: list[Patient] = []

    def set_patients(self, patients: Sequence[Patient]) -> None:
        self.beginResetModel()
        self._patients = list(patients)
        self.endResetModel()

    def patient(self, row: int) -> Patient:
        return self._patients[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._patients)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._patients):
            return None
        patient = self._patients[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return describe(patient)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(x for x in (patient.address, patient.health_fund) if x) or None
        if role == PATIENT_ROLE:
            return patient
        return None


_HEADERS = ("Name", "No.", "Date of birth", "Phone", "Health fund")


class PatientTableModel(RecordTableModel[Patient]):
    headers = _HEADERS

    def set_patients(self, patients: Sequence[Patient]) -> None:
        self.set_records(patients)

    def patient(self, row: int) -> Patient:
        return self.record(row)

    def cell(self, patient: Patient, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                patient.full_name,
                f"#{patient.number}",
                born(patient),
                patient.phone,
                patient.health_fund,
            )
            return values[column] if 0 <= column < len(values) else None
        if role == PATIENT_ROLE:
            return patient
        return None
