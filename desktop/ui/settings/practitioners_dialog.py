"""Settings ▸ Practitioners: everyone, active or not; add, edit, deactivate and reactivate.

Only administrators may change anything (the services refuse others too; the
buttons say so up front). Deactivating someone with future bookings asks what to
do with them first (`DeactivationDialog`); without any, it asks for confirmation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
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

from desktop.domain.appointments import Appointment
from desktop.domain.people import Clinic, Practitioner
from desktop.domain.roles import Actor
from desktop.services import calendar, practitioners
from desktop.services.changes import Changes
from desktop.ui import prompts
from desktop.ui.dialogs.deactivate import DeactivationDialog
from desktop.ui.models.practitioners import PractitionerTableModel
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.practitioner_editor import PractitionerDialog
from desktop.ui.widgets.busy_form import BusyForm


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
        self.is_admin = False  # until the signed-in user is known: nothing to change
        self.role_known = False
        self._editor_wanted: list[Practitioner | None] = []  # Add asked before that
        self.deactivation: DeactivationDialog | None = None
        self.editor: PractitionerDialog | None = None
        self.busy = BusyForm(self, caller)
        ctx = caller.ctx
        caller.in_background(ctx.actor, title="Practitioners", refresh_on_refusal=False).success(
            self._signed_in
        ).run()
        self.reload()

    def _signed_in(self, actor: Actor) -> None:
        self.is_admin = actor.is_admin
        self.role_known = True
        if self._editor_wanted:
            self._open_editor(self._editor_wanted[0])
        if not self.is_admin:
            self.note.setText(
                "Only an administrator can add, edit, deactivate or reactivate practitioners."
            )
        self._enable()

    def reload(self) -> None:
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: calendar.practitioners(ctx, include_inactive=True),
            key=f"practitioners-page-{id(self)}",
            title="Practitioners",
            refresh_on_refusal=False,
        ).success(self._listed).run()

    def _listed(self, found: list[Practitioner]) -> None:
        selected = self.selected()
        self.model.set_practitioners(found)
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

    def add(self) -> None:
        """Opens the editor once the clinics are read (`self.editor`)."""
        self._open_editor(None)

    def edit_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._open_editor(chosen)

    def _open_editor(self, practitioner: Practitioner | None) -> None:
        if not self.role_known:  # asked for at once (Add from the setup strip): wait
            self._editor_wanted = [practitioner]
            return
        self._editor_wanted = []
        if not self.is_admin:
            return
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: calendar.clinics(ctx), title="Practitioners", refresh_on_refusal=False
        ).success(lambda clinics: self._show_editor(clinics, practitioner)).run()

    def _show_editor(self, clinics: list[Clinic], practitioner: Practitioner | None) -> None:
        everyone = self.model_practitioners()
        next_order = max((p.display_order for p in everyone), default=-1) + 1
        dialog = PractitionerDialog(self.caller, clinics, practitioner, next_order, self)
        self.editor = dialog
        dialog.open()

    def deactivate_selected(self) -> None:
        """Reads the future bookings, then confirms or asks (`self.deactivation`)."""
        chosen = self.selected()
        if chosen is None:
            return
        ctx = self.caller.ctx
        self.busy.save(
            lambda: practitioners.future_bookings(ctx, chosen.id),
            lambda future: self._ask_deactivate(chosen, future),
            title=f"Deactivate {chosen.name}",
            doing="Reading future bookings…",
        )

    def _ask_deactivate(self, chosen: Practitioner, future: list[Appointment]) -> None:
        if not future:
            if prompts.ask(
                self,
                "Deactivate practitioner",
                f"Deactivate {chosen.name}? They disappear from the calendar and cannot be "
                "booked until reactivated. Their past appointments are kept.",
                "Deactivate",
            ):
                ctx = self.caller.ctx
                self._save(
                    lambda: practitioners.deactivate_practitioner(ctx, chosen.id, None, None),
                    f"Deactivate {chosen.name}",
                )
            return
        colleagues = [p for p in self.model_practitioners() if p.active and p.id != chosen.id]
        dialog = DeactivationDialog(self.caller, chosen, future, colleagues, self.zone, self)
        self.deactivation = dialog
        dialog.open()

    def model_practitioners(self) -> list[Practitioner]:
        return [self.model.practitioner(row) for row in range(self.model.rowCount())]

    def reactivate_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        ctx = self.caller.ctx
        self._save(
            lambda: practitioners.reactivate_practitioner(ctx, chosen.id),
            f"Reactivate {chosen.name}",
        )

    def _save(self, action: Callable[[], Changes], title: str) -> None:
        self.busy.save(action, self.caller.publish, title=title)

    def _on_changes(self, changes: Changes) -> None:
        if changes.practitioners:
            self.reload()
