"""Add a patient to the wait list, or change their entry.

Who is waiting (fixed when opened from a patient card or an appointment), which
practitioners and appointment types they can take (none ticked: any), which days
and which parts of the day (none: any; mornings, afternoons, evenings, or a range
of one's own), urgent or not, and a note. Opened with an appointment the patient
already has, the entry is tied to it: only earlier times are offered, and the
entry leaves the list on that day.

The clinic's practitioners and types are read in the background when the dialog
opens; Save runs in the background too, and a refusal keeps everything typed.

Signals:
    saved(WaitListEntry): the entry as stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTimeEdit,
    QWidget,
)

from desktop.domain.appointments import Appointment, AppointmentType
from desktop.domain.errors import DomainError
from desktop.domain.people import Patient, Practitioner
from desktop.domain.wait_list import (
    NAMED_RANGES,
    WEEKDAY_NAMES,
    TimeRange,
    WaitListEntry,
    WaitWishes,
)
from desktop.services import calendar, wait_list
from desktop.services.context import ServiceContext
from desktop.services.wait_list import SavedEntry, WaitListRequest
from desktop.ui.messaging.formatting import short_when
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.form_dialog import FormDialog
from desktop.ui.widgets.patient_picker import PatientPicker

ID_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True, slots=True)
class EntryPreset:
    """What the dialog starts with when opened from a booking or an appointment."""

    patient: Patient | None = None
    practitioner_id: uuid.UUID | None = None
    type_id: uuid.UUID | None = None
    appointment: Appointment | None = None  # the one they want to come earlier than


def _choices(which: str) -> QListWidget:
    box = QListWidget()
    box.setObjectName(which)
    box.setAccessibleName(which)
    box.setMaximumHeight(96)
    return box


def ticked_ids(box: QListWidget) -> frozenset[uuid.UUID]:
    return frozenset(
        uuid.UUID(str(box.item(i).data(ID_ROLE)))
        for i in range(box.count())
        if box.item(i).checkState() == Qt.CheckState.Checked
    )


def _fill_choices(
    box: QListWidget, items: Iterable[tuple[uuid.UUID, str]], ticked: frozenset[uuid.UUID]
) -> None:
    box.clear()
    for ident, name in items:
        item = QListWidgetItem(name)
        item.setData(ID_ROLE, str(ident))  # a string: Qt hands back an equal value
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if ident in ticked else Qt.CheckState.Unchecked)
        box.addItem(item)


class WaitListEntryDialog(FormDialog):
    saved = Signal(object)

    def __init__(
        self,
        caller: ServiceCaller,
        zone: ZoneInfo,
        preset: EntryPreset = EntryPreset(),
        entry: WaitListEntry | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Change wait-list entry" if entry else "Add to wait list",
            "&Save" if entry else "&Add to wait list",
            parent=parent,
        )
        self.setMinimumWidth(520)
        self.caller = caller
        self.zone = zone
        self.entry = entry
        self.appointment_id = entry.appointment_id if entry else None
        if preset.appointment is not None:
            self.appointment_id = preset.appointment.id
        self.picker = PatientPicker(caller)
        self.patient_label = QLabel()
        self.practitioners = _choices("Practitioners")
        self.types = _choices("Appointment types")
        self.days = [QCheckBox(name) for name in WEEKDAY_NAMES]
        self.parts = {name: QCheckBox(name) for name in NAMED_RANGES}
        self.own_range = QCheckBox("From")
        self.own_start = QTimeEdit(QTime(9, 0))
        self.own_end = QTimeEdit(QTime(11, 0))
        for edit in (self.own_start, self.own_end):
            edit.setDisplayFormat("H:mm")
        self.urgent = QCheckBox("Urgent (offered before everyone else)")
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("e.g. can come at 30 minutes' notice")
        self.note.setMaximumHeight(56)
        self.tied = QLabel()
        self.tied.setWordWrap(True)
        self.tied.setProperty("muted", True)
        self._layout(entry is None and preset.patient is None and preset.appointment is None)
        self._preset(preset, entry)
        self.ok_button.setEnabled(False)  # until the clinic's lists have arrived
        self.picker.patient_chosen.connect(self._check)
        self.own_range.toggled.connect(self._check)
        self.own_start.timeChanged.connect(self._check)
        self.own_end.timeChanged.connect(self._check)
        ctx = caller.ctx
        caller.in_background(lambda: _clinic_lists(ctx), title=self.windowTitle()).success(
            self._lists_arrived
        ).run()

    def _layout(self, choose_patient: bool) -> None:
        self.form.addRow("&Patient", self.picker if choose_patient else self.patient_label)
        self.picker.setVisible(choose_patient)
        self.patient_label.setVisible(not choose_patient)
        self.form.addRow("P&ractitioners", self.practitioners)
        self.form.addRow("&Types", self.types)
        days = QHBoxLayout()
        for box in self.days:
            days.addWidget(box)
        days.addStretch(1)
        self.form.addRow("Days", days)
        times = QGridLayout()
        for column, box in enumerate(self.parts.values()):
            times.addWidget(box, 0, column)
        own = QHBoxLayout()
        own.addWidget(self.own_range)
        own.addWidget(self.own_start)
        own.addWidget(QLabel("to"))
        own.addWidget(self.own_end)
        own.addStretch(1)
        times.addLayout(own, 1, 0, 1, 3)
        self.form.addRow("Times", times)
        hint = QLabel("Nothing ticked means any practitioner, any type, any day, any time.")
        hint.setProperty("muted", True)
        hint.setWordWrap(True)
        self.form.addRow("", hint)
        self.form.addRow("", self.urgent)
        self.form.addRow("&Note", self.note)
        self.form.addRow("", self.tied)

    def _preset(self, preset: EntryPreset, entry: WaitListEntry | None) -> None:
        self._patient = preset.patient
        self._unlisted_practitioners: frozenset[uuid.UUID] = frozenset()
        self._unlisted_types: frozenset[uuid.UUID] = frozenset()
        self._appointment = preset.appointment
        self._ticked_practitioners = frozenset(
            {preset.practitioner_id} if preset.practitioner_id else ()
        )
        self._ticked_types = frozenset({preset.type_id} if preset.type_id else ())
        appointment_start = preset.appointment.starts_at if preset.appointment else None
        if entry is not None:
            wishes = entry.wishes
            self._ticked_practitioners = wishes.practitioner_ids
            self._ticked_types = wishes.type_ids
            for day, box in enumerate(self.days):
                box.setChecked(day in wishes.weekdays)
            own = [r for r in wishes.time_ranges if r not in NAMED_RANGES.values()]
            for name, box in self.parts.items():
                box.setChecked(NAMED_RANGES[name] in wishes.time_ranges)
            if own:
                self.own_range.setChecked(True)
                self.own_start.setTime(QTime(own[0].start.hour, own[0].start.minute))
                self.own_end.setTime(QTime(own[0].end.hour, own[0].end.minute))
            self.urgent.setChecked(entry.urgent)
            self.note.setPlainText(entry.note)
            self.patient_label.setText(entry.patient_name)
            appointment_start = entry.appointment_starts_at
        elif preset.patient is not None:
            self.patient_label.setText(preset.patient.display_name)
        elif preset.appointment is not None:
            self.patient_label.setText(preset.appointment.patient_name)
        if appointment_start is not None:
            self.tied.setText(
                f"They are booked for {short_when(appointment_start, self.zone)}: "
                "only earlier times are offered, and they leave the list on that day."
            )
        self.tied.setVisible(appointment_start is not None)

    def _lists_arrived(self, lists: tuple[list[Practitioner], list[AppointmentType]]) -> None:
        practitioners, types = lists
        # Kept as they are though not listed (a practitioner who left, a type withdrawn):
        # a save changes only what the user changed.
        self._unlisted_practitioners = self._ticked_practitioners - {p.id for p in practitioners}
        self._unlisted_types = self._ticked_types - {t.id for t in types}
        _fill_choices(
            self.practitioners, ((p.id, p.name) for p in practitioners), self._ticked_practitioners
        )
        _fill_choices(self.types, ((t.id, t.name) for t in types), self._ticked_types)
        self._check()

    def patient_id(self) -> uuid.UUID | None:
        if self.entry is not None:
            return self.entry.patient_id
        if self._patient is not None:
            return self._patient.id
        if self._appointment is not None:
            return self._appointment.patient_id
        return self.picker.patient.id if self.picker.patient else None

    def time_ranges(self) -> tuple[TimeRange, ...]:
        ranges = [NAMED_RANGES[name] for name, box in self.parts.items() if box.isChecked()]
        if self.own_range.isChecked():
            start, end = self.own_start.time(), self.own_end.time()
            ranges.append(
                TimeRange(time(start.hour(), start.minute()), time(end.hour(), end.minute()))
            )
        return tuple(ranges)

    def _problem(self) -> str:
        if self.practitioners.count() == 0:
            return "Reading the clinic's practitioners…"
        if self.patient_id() is None:
            return "Choose the patient who is waiting."
        if self.own_range.isChecked() and self.own_end.time() <= self.own_start.time():
            return "The time range must end after it starts."
        return ""

    def _check(self) -> None:
        self.show_problem(self._problem())

    def request(self) -> WaitListRequest:
        patient_id = self.patient_id()
        assert patient_id is not None
        wishes = WaitWishes(
            practitioner_ids=ticked_ids(self.practitioners) | self._unlisted_practitioners,
            type_ids=ticked_ids(self.types) | self._unlisted_types,
            weekdays=frozenset(i for i, box in enumerate(self.days) if box.isChecked()),
            time_ranges=self.time_ranges(),
        )
        return WaitListRequest(
            patient_id,
            wishes,
            urgent=self.urgent.isChecked(),
            note=self.note.toPlainText(),
            appointment_id=self.appointment_id,
        )

    def accept(self) -> None:
        problem = self._problem()
        if problem:
            self.show_problem(problem)
            return
        try:
            request = self.request()
        except DomainError as exc:
            self.show_problem(str(exc))
            return
        ctx, entry = self.caller.ctx, self.entry
        self.ok_button.setEnabled(False)  # one save at a time
        self.caller.in_background(
            lambda: _save(ctx, request, entry),
            title=self.windowTitle(),
            on_error=lambda _exc: self.ok_button.setEnabled(True),
        ).success(self._saved).run()

    def _saved(self, result: SavedEntry) -> None:
        self.caller.publish(result.changes)
        self.saved.emit(result.entry)
        super().accept()


def _clinic_lists(ctx: ServiceContext) -> tuple[list[Practitioner], list[AppointmentType]]:
    return calendar.practitioners(ctx), calendar.appointment_types(ctx)


def _save(ctx: ServiceContext, request: WaitListRequest, entry: WaitListEntry | None) -> SavedEntry:
    if entry is None:
        return wait_list.add_entry(ctx, request)
    return wait_list.update_entry(ctx, entry.id, request, entry.version)
