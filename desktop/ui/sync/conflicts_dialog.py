"""The list of local changes the server refused, with its reasons, to review and dismiss."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.store.database import Database
from desktop.sync import conflicts
from desktop.sync.conflicts import Conflict
from desktop.sync.reapply import reapply
from desktop.ui.background_ops import BackgroundOp

_HEADERS = ("When", "What", "Why it was not saved")
Index = QModelIndex | QPersistentModelIndex


class ConflictsModel(QAbstractTableModel):
    def __init__(
        self,
        items: list[Conflict] | None = None,
        parent: QWidget | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.items: list[Conflict] = items or []
        self.zone = zone  # the clinic's time zone: every desk shows the same times

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
            when = item.created_at.astimezone(self.zone).strftime("%d %b %H:%M")
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
                "were undone here. Re-enter what is still needed (or re-apply a change to a "
                "record someone else changed meanwhile), then dismiss them."
            )
        )
        self.model = ConflictsModel(parent=self)  # the zone comes with the first read
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.selectionModel().selectionChanged.connect(self._show_versions)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 2)
        # A refused edit: what this computer set beside what the record holds now.
        self.versions = QTableWidget(0, 3)
        self.versions.setObjectName("conflictVersions")
        self.versions.setHorizontalHeaderLabels(
            ["Field", "This computer's version", "Now (the server's)"]
        )
        self.versions.verticalHeader().setVisible(False)
        header = self.versions.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.versions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions.setHidden(True)
        layout.addWidget(self.versions, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.reapply_button = QPushButton("Re-apply mine")
        self.reapply_button.setToolTip("Make this computer's change again, on the current record")
        self.dismiss_button = QPushButton("Dismiss selected")
        self.dismiss_all_button = QPushButton("Dismiss all")
        buttons.addButton(self.reapply_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.dismiss_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.dismiss_all_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.reapply_button.clicked.connect(self.reapply_selected)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.dismiss_all_button.clicked.connect(self.dismiss_all)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        """Read the conflicts (and the clinic's zone) in the background; the newest read wins."""
        database = self.database
        BackgroundOp(
            lambda: (conflicts.clinic_zone(database), conflicts.open_conflicts(database)),
            parent=self,
            key=f"sync-conflicts-{id(self)}",
            title=self.windowTitle(),
        ).success(lambda found: self._show(*found)).run()

    def _show(self, zone: tzinfo | None, items: list[Conflict]) -> None:
        self.model.zone = zone
        self.model.reset(items)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self._show_versions()

    def _selected(self) -> Conflict | None:
        rows = [index.row() for index in self.table.selectionModel().selectedRows()]
        return self.model.items[rows[0]] if len(rows) == 1 else None

    def _show_versions(self) -> None:
        chosen = self._selected()
        versions = chosen.versions if chosen is not None else ()
        self.versions.setRowCount(len(versions))
        for row, values in enumerate(versions):
            for column, text in enumerate(values):
                self.versions.setItem(row, column, QTableWidgetItem(text))
        self.versions.setHidden(not versions)
        self.reapply_button.setEnabled(chosen is not None and chosen.can_reapply)

    def reapply_selected(self) -> None:
        chosen = self._selected()
        if chosen is None or not chosen.can_reapply:
            return
        database = self.database
        self._in_background(lambda: reapply(database, chosen.id), "Re-apply")

    def dismiss_selected(self) -> None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        chosen = [self.model.items[row].id for row in sorted(rows)]
        if chosen:
            database = self.database
            self._in_background(lambda: conflicts.dismiss(database, chosen), "Dismiss")

    def dismiss_all(self) -> None:
        database, every = self.database, [item.id for item in self.model.items]
        self._in_background(lambda: conflicts.dismiss(database, every), "Dismiss")

    def _in_background(self, work: Callable[[], object], title: str) -> None:
        """Run `work` with the buttons off, then show the list again (also after a
        refusal, which is said in a message: the record may have moved on)."""
        buttons = (self.reapply_button, self.dismiss_button, self.dismiss_all_button)
        for button in buttons:
            button.setEnabled(False)

        def done(_result: object = None) -> None:
            for button in buttons[1:]:
                button.setEnabled(True)
            self.refresh()

        BackgroundOp(work, parent=self, title=title).success(done).failure(
            lambda _exc: done()
        ).run()
