"""Edit an individual appointment: who with, when, how long, its type, its patient
and its notes.

Choosing another type sets the length to the type's, unless the user has set the
length by hand; choosing another patient in the picker changes whose appointment
it is (left alone, the patient stays). Type and patient are saved in one call
(`booking.change_service`, with the new length when only the length follows),
which re-checks the booking rules; a move that goes with them is undoable as
any move is.

Moving (a new practitioner, day, time or length) goes through the same undoable
command as a drag, so Ctrl+Z takes it back; notes are saved directly. A refused
move keeps the dialog open with what was typed. An appointment the user may not
change (kept read-only, or another practitioner's for a practitioner) opens to
read, with Close and no Save.

One of a repeating series asks, on Save, "This one / This and the following /
All": this one goes the usual (undoable) way; the others get the same change —
the time of day shifted as this one's was, the practitioner, type, length and
notes — in one background call that changes all or none, and one undo step
puts them back. A new day or a new
patient only ever applies to this one. Appointments already past are never
changed by "All".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTime
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.appointments import Appointment, AppointmentKind, AppointmentType
from desktop.domain.clinic_time import local_to_utc, to_local
from desktop.domain.errors import InvalidInput
from desktop.domain.people import Practitioner
from desktop.domain.repeats import SeriesScope
from desktop.services import booking
from desktop.services.series import SeriesEdit
from desktop.ui import prompts
from desktop.ui.calendar import commands
from desktop.ui.calendar.commands import Place
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.busy_form import BusyForm
from desktop.ui.widgets.combo import select_data
from desktop.ui.widgets.patient_picker import PatientPicker


class EditAppointmentDialog(QDialog):
    def __init__(
        self,
        caller: ServiceCaller,
        appointment: Appointment,
        zone: ZoneInfo,
        practitioners: Sequence[Practitioner],
        undo_stack: QUndoStack,
        versions: commands.Versions,
        parent: QWidget | None = None,
        *,
        editable: bool = True,
        types: Sequence[AppointmentType] = (),
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.undo_stack = undo_stack
        self.versions = versions
        self.appointment = appointment
        self.zone = zone
        editable = editable and not appointment.read_only
        self.setWindowTitle("Appointment" if editable else "Appointment (read-only)")
        local = to_local(appointment.starts_at, zone)
        self.practitioner_box = QComboBox()
        self.practitioner_box.setAccessibleName("Practitioner")
        for practitioner in practitioners:
            self.practitioner_box.addItem(practitioner.name, practitioner.id)
        # Not found (a practitioner no longer listed): nothing is shown, and place()
        # keeps the appointment's own practitioner rather than whoever is first.
        select_data(self.practitioner_box, appointment.practitioner_id)
        self.date_edit = QDateEdit(QDate(local.year, local.month, local.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.time_edit = QTimeEdit(QTime(local.hour, local.minute))
        self.time_edit.setDisplayFormat("H:mm")
        self.duration = QSpinBox()
        self.duration.setRange(5, 12 * 60)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(" min")
        minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
        self.duration.setValue(minutes)
        self.type_box = QComboBox()
        self.type_box.setAccessibleName("Appointment type")
        for kind in types:
            offered = kind.active and kind.kind is AppointmentKind.INDIVIDUAL
            if offered or kind.id == appointment.type_id:
                self.type_box.addItem(f"{kind.name} — {kind.duration_minutes} min", kind)
        self.type_box.setCurrentIndex(
            next(
                (
                    i
                    for i in range(self.type_box.count())
                    if self._type_at(i).id == appointment.type_id
                ),
                -1,
            )
        )
        self.type_box.currentIndexChanged.connect(self._type_chosen)
        self.duration_by_hand = False
        self._following = False
        self.duration.valueChanged.connect(self._duration_typed)
        self.picker = PatientPicker(caller)
        # Left alone, the picker chooses nobody and the patient stays who it is.
        self.picker.line_edit.setText(appointment.title)
        self.notes = QPlainTextEdit(appointment.notes)
        self.notes.setMaximumHeight(80)
        when = QHBoxLayout()
        when.addWidget(self.date_edit, 2)
        when.addWidget(self.time_edit, 1)
        when.addWidget(QLabel("for"))
        when.addWidget(self.duration, 1)
        heading = QLabel(f"<b>{appointment.title}</b> — {appointment.type_name}")
        heading.setObjectName("dialogHeading")
        status = QLabel(
            f"Status: {appointment.status.label}"
            + (" · one of a repeating series" if appointment.series_id is not None else "")
            + _why_read_only(appointment, editable)
        )
        status.setProperty("muted", True)
        form = QFormLayout()
        form.addRow("P&atient", self.picker)
        form.addRow("P&ractitioner", self.practitioner_box)
        if self.type_box.count():
            form.addRow("&Type", self.type_box)
        form.addRow("When", when)
        form.addRow("&Notes", self.notes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
            if editable
            else QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        for widget in (
            self.practitioner_box,
            self.date_edit,
            self.time_edit,
            self.duration,
            self.type_box,
            self.picker,
        ):
            widget.setEnabled(editable)
        self.notes.setReadOnly(not editable)  # still selectable and scrollable
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(status)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())
        self.busy = BusyForm(self, caller)
        self._as_opened = self._typed()

    def _type_at(self, index: int) -> AppointmentType:
        kind = self.type_box.itemData(index)
        assert isinstance(kind, AppointmentType)
        return kind

    def _type_chosen(self, index: int) -> None:
        if index >= 0 and not self.duration_by_hand:
            self._following = True  # the length follows the type: not set by hand
            self.duration.setValue(self._type_at(index).duration_minutes)
            self._following = False

    def _duration_typed(self, _minutes: int) -> None:
        if not self._following:
            self.duration_by_hand = True

    def chosen_type_id(self) -> uuid.UUID | None:
        """The new type, or None when it is unchanged."""
        index = self.type_box.currentIndex()
        if index < 0 or self._type_at(index).id == self.appointment.type_id:
            return None
        return self._type_at(index).id

    def chosen_patient_id(self) -> uuid.UUID | None:
        """The new patient, or None when it is unchanged."""
        chosen = self.picker.patient
        if chosen is None or chosen.id == self.appointment.patient_id:
            return None
        return chosen.id

    def _typed(self) -> tuple[object, ...]:
        return (
            self.practitioner_box.currentIndex(),
            self.date_edit.date(),
            self.time_edit.time(),
            self.duration.value(),
        )

    def place(self) -> Place:
        """Where it goes; where it is when none of those fields was touched (even when the
        wall time cannot say it exactly: the second 1:30 of a clocks-back night)."""
        if self._typed() == self._as_opened:
            return Place.of(self.appointment)
        day, wall = self.date_edit.date(), self.time_edit.time()
        starts_at = local_to_utc(
            date(day.year(), day.month(), day.day()), time(wall.hour(), wall.minute()), self.zone
        )
        chosen = self.practitioner_box.currentData()
        return Place(
            chosen if chosen is not None else self.appointment.practitioner_id,
            starts_at,
            starts_at + timedelta(minutes=self.duration.value()),
        )

    def accept(self) -> None:
        """Notes, then type and patient, then the move: each in the background, in turn,
        with the dialog held busy; a refusal stops there and keeps what was typed."""
        place = self.caller.in_memory(self.place, title="Appointment")
        if place is None:
            return
        if self.appointment.series_id is not None and self._changed(place):
            scope = self._ask_scope()
            if scope is None:
                return  # back to the dialog, everything typed kept
            if scope is not SeriesScope.THIS:
                self._change_series(scope, place)
                return
        self._save_notes(place)

    def _save_notes(self, place: Place) -> None:
        notes = self.notes.toPlainText().strip()
        if notes == self.appointment.notes:
            self._save_service(place)
            return
        ctx, ident = self.caller.ctx, self.appointment.id
        self.busy.save(
            lambda: booking.update_notes(ctx, ident, notes),
            lambda saved: self._saved(saved, lambda: self._save_service(place)),
            title="Appointment",
        )

    def _save_service(self, place: Place) -> None:
        type_id, patient_id = self.chosen_type_id(), self.chosen_patient_id()
        if type_id is None and patient_id is None:
            self._move(place)
            return
        here = Place.of(self.appointment)
        only_longer = place.practitioner_id == here.practitioner_id and (
            place.starts_at == here.starts_at
        )
        ctx, ident = self.caller.ctx, self.appointment.id
        ends_at = place.ends_at if only_longer else None
        self.busy.save(
            lambda: booking.change_service(
                ctx, ident, type_id=type_id, patient_id=patient_id, ends_at=ends_at
            ),
            lambda changed: self._saved(changed, lambda: self._move(place)),
            title="Appointment",
        )

    def _saved(self, result: booking.Booked, then: Callable[[], None]) -> None:
        self.caller.publish(result.changes)
        self.appointment = result.appointment
        then()

    def _move(self, place: Place) -> None:
        if place == Place.of(self.appointment):
            super().accept()
            return
        self.busy.hold("Saving…")
        text = f"Move {self.appointment.title}"
        commands.move(
            self.caller,
            self.versions,
            self.appointment,
            place,
            text,
            self._moved,
            self.busy.release,
        )

    def _moved(self, command: QUndoCommand) -> None:
        self.busy.release()
        self.undo_stack.push(command)
        super().accept()

    def _changed(self, place: Place) -> bool:
        return (
            place != Place.of(self.appointment)
            or self.notes.toPlainText().strip() != self.appointment.notes
            or self.chosen_type_id() is not None
            or self.chosen_patient_id() is not None
        )

    def _ask_scope(self) -> SeriesScope | None:
        return prompts.choose_scope(
            self,
            "Change a repeating appointment",
            "This appointment repeats. Change which of them?",
        )

    def series_edit(self, place: Place) -> SeriesEdit:
        """The change as it applies to each of the series (InvalidInput if it cannot)."""
        before = to_local(self.appointment.starts_at, self.zone)
        after = to_local(place.starts_at, self.zone)
        if after.date() != before.date():
            raise InvalidInput(
                "A new day applies to this one only: choose “This one”, or change the time of day."
            )
        if self.chosen_patient_id() is not None:
            raise InvalidInput("A new patient applies to this one only: choose “This one”.")
        length = place.ends_at - place.starts_at
        notes = self.notes.toPlainText().strip()
        return SeriesEdit(
            shift=after.replace(tzinfo=None) - before.replace(tzinfo=None),
            practitioner_id=(
                place.practitioner_id
                if place.practitioner_id != self.appointment.practitioner_id
                else None
            ),
            type_id=self.chosen_type_id(),
            length=length
            if length != self.appointment.ends_at - self.appointment.starts_at
            else None,
            notes=notes if notes != self.appointment.notes else None,
        )

    def _change_series(self, scope: SeriesScope, place: Place) -> None:
        edit = self.caller.in_memory(lambda: self.series_edit(place), title="Appointment")
        if edit is None:
            return
        self.buttons.setEnabled(False)  # one save at a time

        def done(saved: bool) -> None:
            self.buttons.setEnabled(True)
            if saved:
                QDialog.accept(self)

        commands.change_series(self.caller, self.undo_stack, self.appointment, scope, edit, done)


def _why_read_only(appointment: Appointment, editable: bool) -> str:
    if editable:
        return ""
    if appointment.read_only:
        return " · read-only: kept when its practitioner was deactivated"
    return " · read-only: only its practitioner or reception can change it"
