"""A settings page that lists records with Add, Edit and Retire / Bring back buttons.

Settings ▸ Appointment types and Settings ▸ Packages are both this shape: a
table of everything (retired ones too, marked), buttons that act on the selected
row, a note saying who may change things, and a reload whenever the ChangeBus
says the records changed. Subclasses say how to read, show and change them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import Role
from desktop.services.changes import Changes
from desktop.ui.models.rows import RecordTableModel
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.fields import note_label, when_role_known
from desktop.ui.widgets.busy_form import BusyForm


class Retirable(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def active(self) -> bool: ...


RecordT = TypeVar("RecordT", bound=Retirable)


class RecordListDialog(QDialog, Generic[RecordT]):
    """Subclasses set `noun` and implement `load`, `changed`, `editor`, `set_active`,
    `may_edit` and `note_for`. Until the signed-in user's role is read (in the
    background) nothing can be changed."""

    noun = "record"

    def __init__(
        self,
        caller: ServiceCaller,
        model: RecordTableModel[RecordT],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.model = model
        self.can_edit = False
        self.role_known = False
        self._editor_wanted: list[RecordT | None] = []  # Add asked before the role came
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.add_button = QPushButton(f"&Add {self.noun}…")
        self.edit_button = QPushButton("&Edit…")
        self.retire_button = QPushButton("&Retire")
        self.restore_button = QPushButton("&Bring back")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.retire_button.clicked.connect(lambda: self._set_active(False))
        self.restore_button.clicked.connect(lambda: self._set_active(True))
        self.buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.retire_button, self.restore_button):
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
        self.note = note_label()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addLayout(self.buttons)
        self.layout_.addWidget(self.note)
        self.layout_.addWidget(close)
        self.editor_dialog: QDialog | None = None
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        caller.bus.changed.connect(self._on_changes)
        self.busy = BusyForm(self, caller)
        self.resize(760, 440)
        self._enable()
        when_role_known(caller, self, self.role_read)

    # --- what subclasses provide --------------------------------------------------

    def load(self) -> list[RecordT]:
        """The records (runs on a worker thread: no widgets here)."""
        raise NotImplementedError

    def changed(self, changes: Changes) -> bool:
        raise NotImplementedError

    def editor(self, record: RecordT | None) -> QDialog:
        raise NotImplementedError

    def may_edit(self, role: Role | None) -> bool:
        raise NotImplementedError

    def note_for(self, can_edit: bool) -> str:
        """The line under the table: what retiring means, or who may change things."""
        raise NotImplementedError

    def role_read(self, role: Role | None) -> None:
        self.can_edit = self.may_edit(role)
        self.role_known = True
        self.note.setText(self.note_for(self.can_edit))
        self._enable()
        if self._editor_wanted:
            self._open(self._editor_wanted.pop())

    def set_active(self, record: RecordT, active: bool) -> Changes:
        """Retire or bring back (runs on a worker thread: no widgets here)."""
        raise NotImplementedError

    # --- shared behaviour -----------------------------------------------------------

    def reload(self) -> None:
        """Read the records off the GUI thread; the newest read wins."""
        self.caller.in_background(
            self.load, key=f"settings-page-{id(self)}", refresh_on_refusal=False
        ).success(self._show_records).run()

    def _show_records(self, found: list[RecordT]) -> None:
        chosen = self.selected()
        self.model.set_records(found)
        if chosen is not None:
            self.select(chosen.id)
        self._enable()

    def selected(self) -> RecordT | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def select(self, record_id: uuid.UUID) -> None:
        for row in range(self.model.rowCount()):
            if self.model.record(row).id == record_id:
                self.table.selectRow(row)
                return

    def add(self) -> QDialog | None:
        return self._open(None)

    def edit_selected(self) -> QDialog | None:
        chosen = self.selected()
        return None if chosen is None or not self.can_edit else self._open(chosen)

    def _open(self, record: RecordT | None) -> QDialog | None:
        """The editor, or None; asked before the role is known, it opens once it is
        (`editor_dialog`), as when the set-up strip opens the page on Add."""
        if not self.role_known:
            self._editor_wanted = [record]
            return None
        if not self.can_edit:
            return None
        dialog = self.editor(record)
        self.editor_dialog = dialog
        dialog.open()
        return dialog

    def _set_active(self, active: bool) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.busy.save(
            lambda: self.set_active(chosen, active), self.caller.publish, title=self.windowTitle()
        )

    def _enable(self) -> None:
        chosen = self.selected()
        self.add_button.setEnabled(self.can_edit)
        self.edit_button.setEnabled(self.can_edit and chosen is not None)
        self.retire_button.setEnabled(self.can_edit and chosen is not None and chosen.active)
        self.restore_button.setEnabled(self.can_edit and chosen is not None and not chosen.active)

    def _on_changes(self, changes: Changes) -> None:
        if self.changed(changes):
            self.reload()


class EditorDialog(QDialog):
    """Add or edit one record: a form, Save and Cancel.

    `saving` reads the form on the GUI thread (raising `InvalidInput` for a bad
    value) and returns the service call, which runs in the background while the
    dialog waits busy; any refusal is one message box and the dialog keeps what
    was typed.
    """

    def __init__(self, caller: ServiceCaller, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caller = caller
        self.setWindowTitle(title)
        self.body = QVBoxLayout()
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.button_box.button(QDialogButtonBox.StandardButton.Save)
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.button_box)
        self.busy = BusyForm(self, caller)

    def saving(self) -> Callable[[], Changes]:
        """What was typed, as the service call to make (no widgets inside it)."""
        raise NotImplementedError

    def save(self) -> bool:
        """True when the form was read and the save has started; it closes when done."""
        work = self.caller.in_memory(self.saving, title=self.windowTitle())
        if work is None:
            return False
        self.busy.save(work, self._saved, title=self.windowTitle(), refresh_on_refusal=False)
        return True

    def _saved(self, changes: Changes) -> None:
        self.caller.publish(changes)
        self.accept()
