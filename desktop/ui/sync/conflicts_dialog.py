"""The list of local changes the server refused, with its reasons, to review and dismiss."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.store.database import Database
from desktop.sync import conflicts
from desktop.sync.conflicts import Conflict

_HEADERS = ("When", "What", "Why it was not saved")
Index = QModelIndex | QPersistentModelIndex


class ConflictsModel(QAbstractTableModel):
    def __init__(self, items: list[Conflict] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[Conflict] = items or []

    def reset(self, items: list[Conflict]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            when = item.created_at.astimezone().strftime("%d %b %H:%M")
            why = f"{item.reason} {item.meaning}".strip()
            return (when, item.summary, why)[index.column()]
        return None


class ConflictsDialog(QDialog):
    """Refused changes, newest first. Dismissing one only hides it: the data is unchanged."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.setWindowTitle("Changes the server did not accept")
        self.resize(820, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "These changes were made on this computer but refused by the server, so they "
                "were undone here. Re-enter what is still needed, then dismiss them."
            )
        )
        self.model = ConflictsModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.dismiss_button = QPushButton("Dismiss selected")
        self.dismiss_all_button = QPushButton("Dismiss all")
        buttons.addButton(self.dismiss_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.dismiss_all_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.dismiss_all_button.clicked.connect(self.dismiss_all)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.model.reset(conflicts.open_conflicts(self.database))

    def dismiss_selected(self) -> None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        chosen = [self.model.items[row].id for row in sorted(rows)]
        if chosen:
            conflicts.dismiss(self.database, chosen)
            self.refresh()

    def dismiss_all(self) -> None:
        conflicts.dismiss(self.database, [item.id for item in self.model.items])
        self.refresh()
