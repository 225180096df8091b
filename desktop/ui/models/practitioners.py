"""Every practitioner, active or not, for the Practitioners settings page."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor

from desktop.domain.people import Practitioner
from desktop.ui.models.patients import AnyIndex

PRACTITIONER_ROLE = Qt.ItemDataRole.UserRole + 3
_HEADERS = ("Name", "Profession", "Status")


class PractitionerTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._practitioners: list[Practitioner] = []

    def set_practitioners(self, practitioners: Sequence[Practitioner]) -> None:
        self.beginResetModel()
        self._practitioners = list(practitioners)
        self.endResetModel()

    def practitioner(self, row: int) -> Practitioner:
        return self._practitioners[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._practitioners)

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
        if not index.isValid() or not 0 <= index.row() < len(self._practitioners):
            return None
        practitioner = self._practitioners[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            status = "Active" if practitioner.active else "Inactive"
            values = (practitioner.name, practitioner.profession, status)
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return QColor(practitioner.colour)
        if role == PRACTITIONER_ROLE:
            return practitioner
        return None
