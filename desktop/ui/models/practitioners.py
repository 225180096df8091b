"""Every practitioner, active or not, for the Practitioners settings page."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop.domain.people import Practitioner
from desktop.ui.models.rows import RecordTableModel

PRACTITIONER_ROLE = Qt.ItemDataRole.UserRole + 3
_HEADERS = ("Name", "Profession", "Status")


class PractitionerTableModel(RecordTableModel[Practitioner]):
    headers = _HEADERS

    def set_practitioners(self, practitioners: Sequence[Practitioner]) -> None:
        self.set_records(practitioners)

    def practitioner(self, row: int) -> Practitioner:
        return self.record(row)

    def cell(self, practitioner: Practitioner, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            status = "Active" if practitioner.active else "Inactive"
            values = (practitioner.name, practitioner.profession, status)
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return QColor(practitioner.colour)
        if role == PRACTITIONER_ROLE:
            return practitioner
        return None
