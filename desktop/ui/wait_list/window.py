"""Patients ▸ Wait list…: everyone waiting for a time, best first, to see, change or remove.

Urgent entries come first, then who has waited longest — the order a freed slot
is offered in. The list is read in the background and again whenever the wait
list, the calendar or a patient changes (on this desk or by sync). Its footer turns
on SMS offers of freed times (desktop.ui.wait_list.offer_settings).

Signals:
    patient_requested(object): open this patient's card (a patient id).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.wait_list import WaitListEntry, describe_wishes
from desktop.services import calendar, wait_list
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.ui import prompts
from desktop.ui.messaging.formatting import short_when
from desktop.ui.models.rows import RecordTableModel
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.wait_list.entry_dialog import EntryPreset, WaitListEntryDialog
from desktop.ui.wait_list.offer_settings import OfferSettingsRow
from desktop.ui.widgets.tables import record_table

URGENT_COLOUR = QColor("#b03a2e")


@dataclass(frozen=True, slots=True)
class WaitListView:
    """The list as read, with the names its wishes refer to."""

    entries: list[WaitListEntry]
    practitioner_names: Mapping[uuid.UUID, str] = field(default_factory=dict)
    type_names: Mapping[uuid.UUID, str] = field(default_factory=dict)


def read_wait_list(ctx: ServiceContext) -> WaitListView:
    return WaitListView(
        wait_list.current_entries(ctx),
        {p.id: p.name for p in calendar.practitioners(ctx, include_inactive=True)},
        {t.id: t.name for t in calendar.appointment_types(ctx, include_inactive=True)},
    )


class WaitListModel(RecordTableModel[WaitListEntry]):
    headers = ("Patient", "Urgency", "Waiting since", "Can take", "Booked for", "Note")

    def __init__(self, zone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.view = WaitListView([])

    def show(self, view: WaitListView) -> None:
        self.view = view
        self.set_records(view.entries)

    def cell(self, entry: WaitListEntry, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and entry.urgent:
            return URGENT_COLOUR
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        has = entry.appointment_starts_at
        values = (
            entry.patient_name,
            "Urgent" if entry.urgent else "Normal",
            f"{entry.created_at.astimezone(self.zone):%d %b %Y}",
            describe_wishes(entry.wishes, self.view.practitioner_names, self.view.type_names),
            short_when(has, self.zone) if has else "—",
            entry.note.replace("\n", " "),
        )
        return values[column] if 0 <= column < len(values) else None


class WaitListWindow(QWidget):
    patient_requested = Signal(object)

    def __init__(
        self, caller: ServiceCaller, zone: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.zone = zone
        self.dialog: WaitListEntryDialog | None = None
        self.model = WaitListModel(zone, self)
        self.table = record_table(self.model, "waitListTable", 3)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.summary = QLabel("Reading the wait list…")
        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.card_button = QPushButton("Patient &card")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.card_button.clicked.connect(self._open_card)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.card_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.offer_settings = OfferSettingsRow(caller)
        layout.addWidget(self.offer_settings)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()
        caller.bus.changed.connect(self._on_changes)
        self._key = f"wait-list-{id(self)}"
        self.reload()

    def reload(self) -> None:
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: read_wait_list(ctx), key=self._key, refresh_on_refusal=False
        ).success(self._arrived).run()

    def _arrived(self, view: WaitListView) -> None:
        chosen = self.selected()
        self.model.show(view)
        urgent = sum(1 for e in view.entries if e.urgent)
        self.summary.setText(
            f"{len(view.entries)} waiting ({urgent} urgent), urgent first, then who has waited longest."
            if view.entries
            else "Nobody is on the wait list."
        )
        if chosen is not None:
            self.select(chosen.id)
        self._selection_changed()

    def _on_changes(self, changes: Changes) -> None:
        if changes.wait_list or changes.appointments or changes.patients or changes.practitioners:
            self.reload()

    def select(self, entry_id: uuid.UUID) -> None:
        rows = [i for i, e in enumerate(self.model.records()) if e.id == entry_id]
        if rows:
            self.table.selectRow(rows[0])

    def selected(self) -> WaitListEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        for button in (self.edit_button, self.remove_button, self.card_button):
            button.setEnabled(chosen)

    def add(self) -> WaitListEntryDialog:
        return self._open(WaitListEntryDialog(self.caller, self.zone, EntryPreset(), None, self))

    def edit_selected(self) -> WaitListEntryDialog | None:
        entry = self.selected()
        if entry is None:
            return None
        return self._open(WaitListEntryDialog(self.caller, self.zone, EntryPreset(), entry, self))

    def _open(self, dialog: WaitListEntryDialog) -> WaitListEntryDialog:
        self.dialog = dialog
        dialog.saved.connect(lambda entry: self.select(entry.id))
        dialog.open()
        return dialog

    def remove_selected(self) -> None:
        entry = self.selected()
        if entry is None or not prompts.ask(
            self,
            "Remove from wait list",
            f"Take {entry.patient_name} off the wait list?",
            "Remove",
        ):
            return
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: wait_list.remove_entry(ctx, entry.id), title="Remove from wait list"
        ).success(self.caller.publish).run()

    def _open_card(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.patient_requested.emit(entry.patient_id)
