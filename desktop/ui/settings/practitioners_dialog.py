"""Settings ▸ Practitioners: everyone, active or not; add, edit, deactivate and reactivate.

Only administrators may change anything (the services refuse others too; the
buttons say so up front). Deactivating someone with future bookings asks what to
do with them first (`DeactivationDialog`); without any, it asks for confirmation.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.people import Practitioner
from desktop.services import calendar, practitioners
from desktop.services.changes import Changes
from desktop.services.practitioners import FutureBookings
from desktop.ui import prompts
from desktop.ui.dialogs.deactivate import DeactivationDialog
from desktop.ui.models.practitioners import PractitionerTableModel
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.practitioner_editor import PractitionerDialog


class PractitionersDialog(QDialog):
    def __init__(
        self, caller: ServiceCaller, zone: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.zone = zone
        self.setWindowTitle("Practitioners")
        self.model = PractitionerTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("&Add practitioner…")
        self.edit_button = QPushButton("&Edit…")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.deactivate_button = QPushButton("&Deactivate…")
        self.reactivate_button = QPushButton("&Reactivate")
        self.note = QLabel()
        self.note.setProperty("muted", True)
        self.note.setWordWrap(True)
        self.deactivate_button.clicked.connect(self.deactivate_selected)
        self.reactivate_button.clicked.connect(self.reactivate_selected)
        self.table.selectionModel().selectionChanged.connect(self._enable)
        caller.bus.changed.connect(self._on_changes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.deactivate_button)
        row.addWidget(self.reactivate_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(640, 420)
        ctx = caller.ctx
        actor = caller.call(ctx.actor, refresh_on_refusal=False)
        self.is_admin = actor is not None and actor.is_admin
        if not self.is_admin:
            self.note.setText(
                "Only an administrator can add, edit, deactivate or reactivate practitioners."
            )
        self.deactivation: DeactivationDialog | None = None
        self.editor: PractitionerDialog | None = None
        self.reload()

    def reload(self) -> None:
        ctx = self.caller.ctx
        found = self.caller.call(
            lambda: calendar.practitioners(ctx, include_inactive=True), refresh_on_refusal=False
        )
        selected = self.selected()
        self.model.set_practitioners(found or [])
        if selected is not None:
            self.select(selected.id)
        self._enable()

    def select(self, practitioner_id: uuid.UUID) -> None:
        for row in range(self.model.rowCount()):
            if self.model.practitioner(row).id == practitioner_id:
                self.table.selectRow(row)
                return

    def selected(self) -> Practitioner | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.practitioner(rows[0].row()) if rows else None

    def _enable(self, *_: QItemSelection) -> None:
        chosen = self.selected()
        self.add_button.setEnabled(self.is_admin)
        self.edit_button.setEnabled(self.is_admin and chosen is not None)
        self.deactivate_button.setEnabled(self.is_admin and chosen is not None and chosen.active)
        self.reactivate_button.setEnabled(
            self.is_admin and chosen is not None and not chosen.active
        )

    def add(self) -> PractitionerDialog | None:
        return self._open_editor(None)

    def edit_selected(self) -> PractitionerDialog | None:
        chosen = self.selected()
        return None if chosen is None else self._open_editor(chosen)

    def _open_editor(self, practitioner: Practitioner | None) -> PractitionerDialog | None:
        if not self.is_admin:
            return None
        ctx = self.caller.ctx
        clinics = self.caller.call(lambda: calendar.clinics(ctx), refresh_on_refusal=False)
        everyone = self.model_practitioners()
        next_order = max((p.display_order for p in everyone), default=-1) + 1
        dialog = PractitionerDialog(self.caller, clinics or [], practitioner, next_order, self)
        self.editor = dialog
        dialog.open()
        return dialog

    def deactivate_selected(self) -> DeactivationDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        ctx = self.caller.ctx
        future = self.caller.call(lambda: practitioners.future_bookings(ctx, chosen.id))
        if future is None:
            return None
        if not future:
            if prompts.ask(
                self,
                "Deactivate practitioner",
                f"Deactivate {chosen.name}? They disappear from the calendar and cannot be "
                "booked until reactivated. Their past appointments are kept.",
                "Deactivate",
            ):
                self._deactivate(chosen, None, None)
            return None
        colleagues = [p for p in self.model_practitioners() if p.active and p.id != chosen.id]
        dialog = DeactivationDialog(chosen, future, colleagues, self.zone, self)
        dialog.accepted.connect(lambda: self._deactivate(chosen, dialog.plan(), dialog.move_to()))
        self.deactivation = dialog
        dialog.open()
        return dialog

    def model_practitioners(self) -> list[Practitioner]:
        return [self.model.practitioner(row) for row in range(self.model.rowCount())]

    def _deactivate(
        self, practitioner: Practitioner, plan: FutureBookings | None, move_to: object
    ) -> None:
        ctx = self.caller.ctx
        target = move_to if isinstance(move_to, uuid.UUID) else None
        changes = self.caller.call(
            lambda: practitioners.deactivate_practitioner(ctx, practitioner.id, plan, target),
            title=f"Deactivate {practitioner.name}",
        )
        if changes is not None:
            self.caller.publish(changes)

    def reactivate_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        ctx = self.caller.ctx
        changes = self.caller.call(
            lambda: practitioners.reactivate_practitioner(ctx, chosen.id),
            title=f"Reactivate {chosen.name}",
        )
        if changes is not None:
            self.caller.publish(changes)

    def _on_changes(self, changes: Changes) -> None:
        if changes.practitioners:
            self.reload()
