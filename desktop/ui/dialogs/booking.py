"""Book an appointment or a class: patient type-ahead, practitioner, type, time, notes.

The duration follows the appointment type until the user sets it (a range dragged
on the calendar counts as setting it). The override boxes let a receptionist book
outside the practitioner's hours or on top of another booking deliberately; an
inactive practitioner can never be booked, and if one was deactivated while this
dialog was open the refusal names them, the list is reloaded, and everything else
typed stays put. Under the form, whoever on the wait list fits the slot is
offered (desktop.ui.wait_list.slot_offers), with "Add to wait list…" beside them.

The Repeat section books a series: while it repeats, every change to the dialog
has the service check the dates again (in the background, once the typing
pauses), the list shows which cannot be booked and why, and Book books the rest
in one go — also in the background, all or none (`desktop.services.series`).

Signals:
    booked(Appointment): the appointment as stored (of a series, the first).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
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

from desktop.domain.appointments import AppointmentKind, AppointmentType
from desktop.domain.clinic_time import local_to_utc, to_local
from desktop.domain.errors import DomainError, InvalidInput, PractitionerInactive
from desktop.domain.people import Patient, Practitioner
from desktop.services import calendar, series
from desktop.services.booking import Booked, BookingRequest
from desktop.services.series import PlannedOccurrence, SeriesBooked, SeriesRequest
from desktop.ui.background_ops import Debounce
from desktop.ui.dialogs.repeat_section import RepeatSection
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.wait_list.slot_offers import WaitListOffers, book_series
from desktop.ui.widgets.busy_form import BusyForm
from desktop.ui.widgets.combo import select_data
from desktop.ui.widgets.patient_picker import PatientPicker

REPEAT_HEIGHT = 640  # with the list of dates; fits a 768-pixel screen with a taskbar


def type_label(kind: AppointmentType) -> str:
    if kind.kind is AppointmentKind.CLASS:
        return f"{kind.name} — class of {kind.capacity}, {kind.duration_minutes} min"
    return f"{kind.name} — {kind.duration_minutes} min"


class BookingDialog(QDialog):
    booked = Signal(object)

    def __init__(
        self,
        caller: ServiceCaller,
        clinic_id: uuid.UUID,
        zone: ZoneInfo,
        practitioners: Sequence[Practitioner],
        types: Sequence[AppointmentType] | None,
        practitioner_id: uuid.UUID,
        starts_at: datetime,
        ends_at: datetime | None = None,
        patient: Patient | None = None,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.now = now  # the calendar's clock (None: the real one); offers judge "begun" by it
        self.clinic_id = clinic_id
        self.zone = zone
        self.setWindowTitle("New appointment")
        self.picker = PatientPicker(caller)
        self.practitioner_box = QComboBox()
        self.practitioner_box.setAccessibleName("Practitioner")
        self.type_box = QComboBox()
        self.type_box.setAccessibleName("Appointment type")
        self.types_known = types is not None  # None: still being read; `set_types` follows
        for kind in types or ():
            self.type_box.addItem(type_label(kind), kind)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.time_edit = QTimeEdit()
        self.time_edit.setDisplayFormat("H:mm")
        self.duration = QSpinBox()
        self.duration.setRange(5, 12 * 60)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(" min")
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Anything the practitioner should know")
        self.notes.setMaximumHeight(64)
        self.override_hours = QCheckBox("Book outside the practitioner's working hours")
        self.override_double = QCheckBox("Allow a double booking (both are shown side by side)")
        self.hint = QLabel()
        self.hint.setProperty("muted", True)
        self.hint.setWordWrap(True)
        self.repeat = RepeatSection(zone)
        self._plan_current = False  # the list shows the dates for what is typed now
        self._booking_series = False
        self._series_check = Debounce(250, lambda _value: self.check_series(), self)
        buttons = QDialogButtonBox()
        self.book_button = buttons.addButton("&Book", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.wait_list = WaitListOffers(self)
        self._layout(buttons)
        self.busy = BusyForm(self, caller)
        self._duration_by_hand = ends_at is not None
        self.set_practitioners(practitioners, practitioner_id)
        local = to_local(starts_at, zone)
        self.date_edit.setDate(QDate(local.year, local.month, local.day))
        self.time_edit.setTime(QTime(local.hour, local.minute))
        self._type_changed()
        if ends_at is not None:
            self.duration.setValue(int((ends_at - starts_at).total_seconds() // 60))
        self.type_box.currentIndexChanged.connect(self._type_changed)
        self.duration.valueChanged.connect(self._duration_edited)
        self.picker.patient_chosen.connect(self._check)
        self.practitioner_box.currentIndexChanged.connect(self._check)
        for signal in (
            self.repeat.changed,
            self.date_edit.dateChanged,
            self.time_edit.timeChanged,
            self.duration.valueChanged,
            self.practitioner_box.currentIndexChanged,
            self.type_box.currentIndexChanged,
            self.picker.patient_chosen,
            self.override_hours.toggled,
            self.override_double.toggled,
        ):
            signal.connect(self._dates_changed)
        if patient is not None:
            self.picker.choose(patient)
        self._check()
        self.wait_list.look_up()
        self.picker.setFocus()

    def _layout(self, buttons: QDialogButtonBox) -> None:
        when = QHBoxLayout()
        when.addWidget(self.date_edit, 2)
        when.addWidget(self.time_edit, 1)
        when.addWidget(QLabel("for"))
        when.addWidget(self.duration, 1)
        form = QFormLayout()
        form.addRow("&Patient", self.picker)
        form.addRow("P&ractitioner", self.practitioner_box)
        form.addRow("&Type", self.type_box)
        form.addRow("When", when)
        form.addRow("&Notes", self.notes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.repeat, 1)
        layout.addWidget(self.override_hours)
        layout.addWidget(self.override_double)
        layout.addWidget(self.hint)
        layout.addWidget(self.wait_list)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def set_practitioners(
        self, practitioners: Sequence[Practitioner], selected: uuid.UUID | None
    ) -> None:
        """List who can be booked; keep the choice only if they are still listed.

        Otherwise nothing is chosen and Book waits for the user to pick: after a
        refusal, one more Enter must not book whoever happens to be first.
        """
        current = selected or self.practitioner_box.currentData()
        self.practitioner_box.blockSignals(True)
        self.practitioner_box.clear()
        for practitioner in practitioners:
            self.practitioner_box.addItem(practitioner.name, practitioner.id)
        select_data(self.practitioner_box, current)
        self.practitioner_box.blockSignals(False)

    def set_types(self, types: Sequence[AppointmentType]) -> None:
        """The appointment types as read now; the chosen one stays chosen if still listed."""
        chosen = self.selected_type()
        self.type_box.blockSignals(True)
        self.type_box.clear()
        for kind in types:
            self.type_box.addItem(type_label(kind), kind)
        if chosen is not None:  # else the first, as when the dialog opened with them
            ids = [kind.id for kind in types]
            self.type_box.setCurrentIndex(ids.index(chosen.id) if chosen.id in ids else -1)
        self.type_box.blockSignals(False)
        self.types_known = True
        self._type_changed()
        self._dates_changed()

    def selected_type(self) -> AppointmentType | None:
        kind = self.type_box.currentData()
        return kind if isinstance(kind, AppointmentType) else None

    def select_type(self, name: str) -> None:
        for index in range(self.type_box.count()):
            kind = self.type_box.itemData(index)
            if isinstance(kind, AppointmentType) and kind.name == name:
                self.type_box.setCurrentIndex(index)
                return
        raise LookupError(name)

    def _type_changed(self) -> None:
        kind = self.selected_type()
        if kind is not None and not self._duration_by_hand:
            self.duration.blockSignals(True)
            self.duration.setValue(kind.duration_minutes)
            self.duration.blockSignals(False)
        self._check()

    def _duration_edited(self) -> None:
        self._duration_by_hand = True

    def _check(self) -> None:
        kind = self.selected_type()
        needs_patient = kind is not None and kind.kind is AppointmentKind.INDIVIDUAL
        missing = needs_patient and self.picker.patient is None
        no_practitioner = self.practitioner_box.currentIndex() < 0
        ready = kind is not None and not no_practitioner and not missing
        if self.repeat.repeating:
            count = self.repeat.booking_count() if self._plan_current else 0
            plural = "appointment" if count == 1 else "appointments"
            self.book_button.setText(f"&Book {count} {plural}" if count else "&Book")
            ready = ready and count > 0 and not self._booking_series
        else:
            self.book_button.setText("&Book")
        self.book_button.setEnabled(ready)
        if not self.types_known:
            self.hint.setText("Reading the appointment types…")
        elif no_practitioner:
            self.hint.setText("Choose the practitioner to book with.")
        elif missing:
            self.hint.setText("Choose the patient to book.")
        elif kind is not None and kind.kind is AppointmentKind.CLASS:
            self.hint.setText("A class can be booked empty; add attendees from the calendar.")
        else:
            self.hint.setText("")

    def starts_at(self) -> datetime:
        day, wall = self.date_edit.date(), self.time_edit.time()
        return local_to_utc(
            date(day.year(), day.month(), day.day()), time(wall.hour(), wall.minute()), self.zone
        )

    def request(self) -> BookingRequest:
        """The booking as typed; a wall time the clocks skip raises InvalidInput."""
        kind = self.selected_type()
        assert kind is not None
        starts_at = self.starts_at()
        patient = self.picker.patient
        return BookingRequest(
            clinic_id=self.clinic_id,
            practitioner_id=self.practitioner_box.currentData(),
            appointment_type_id=kind.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=self.duration.value()),
            patient_id=patient.id if patient else None,
            notes=self.notes.toPlainText(),
            override_availability=self.override_hours.isChecked(),
            override_double_booking=self.override_double.isChecked(),
        )

    # --- repeating ------------------------------------------------------------------

    def _dates_changed(self) -> None:
        if self.repeat.repeating and self.height() < REPEAT_HEIGHT:
            self.resize(self.width(), REPEAT_HEIGHT)  # room for the list of dates
        self._plan_current = False
        wall, day = self.time_edit.time(), self.date_edit.date()
        self.repeat.first_time = time(wall.hour(), wall.minute())
        self.repeat.first_day_changed(date(day.year(), day.month(), day.day()))
        self._check()
        if self.repeat.repeating:
            self.repeat.checking()
            self._series_check("")

    def series_request(self, *, booking_now: bool = False) -> SeriesRequest:
        """The series as typed; Book also leaves out the dates that cannot be booked."""
        rule = self.repeat.rule()
        assert rule is not None
        skipped = self.repeat.left_out() if booking_now else frozenset(self.repeat.skipped)
        return SeriesRequest(self.request(), rule, dict(self.repeat.moved), skipped)

    def check_series(self) -> None:
        """Have the service list the dates (in the background; the newest check wins)."""
        self._series_check.cancel()
        if not self.repeat.repeating:
            return
        if self.practitioner_box.currentIndex() < 0 or self.selected_type() is None:
            self.repeat.show_plan([])  # the dates wait for a practitioner and a type
            self.repeat.summary.setText(self.hint.text())
            return
        try:
            request = self.series_request()
        except InvalidInput as wrong:
            self.repeat.show_plan([])
            self.repeat.summary.setText(str(wrong))
            return
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: series.check_series(ctx, request),
            key=f"series-check-{id(self)}",
            title="Check the dates",
            refresh_on_refusal=False,
            reports=(DomainError,),
        ).success(self._plan_checked).failure(self._plan_refused).run()

    def _plan_checked(self, plan: list[PlannedOccurrence]) -> None:
        self._plan_current = True
        self.repeat.show_plan(plan)
        self._check()

    def _plan_refused(self, exc: Exception) -> None:
        self.repeat.show_plan([])
        self.repeat.summary.setText(str(exc))
        self._check()

    def _book_series(self) -> None:
        try:
            request = self.series_request(booking_now=True)
        except InvalidInput as wrong:
            self.repeat.summary.setText(str(wrong))
            return
        self._booking_series = True
        self._check()
        ctx, entry = self.caller.ctx, self.wait_list.entry
        self.caller.in_background(
            lambda: book_series(ctx, entry, request),
            title="Book repeating appointments",
            on_error=self._series_refused,
        ).success(self._series_booked).run()

    def _series_booked(self, result: SeriesBooked) -> None:
        self._booking_series = False
        self.caller.publish(result.changes)
        if result.appointments:
            self.booked.emit(result.appointments[0])
        super().accept()

    def _series_refused(self, exc: Exception) -> None:
        """Told why; everything typed stays, and the dates are checked again."""
        self._booking_series = False
        self._refused(exc)
        self._dates_changed()

    def accept(self) -> None:
        if self.repeat.repeating:
            if self._plan_current and not self._booking_series:
                self._book_series()
            return
        request = self.caller.in_memory(self.request, title="Book appointment")
        if request is None:
            return  # the wall time was refused; everything typed stays
        ctx, offers = self.caller.ctx, self.wait_list
        self.busy.save(
            lambda: offers.book(ctx, request),
            self._booked,
            title="Book appointment",
            doing="Booking…",
            on_error=self._refused,
        )

    def _booked(self, result: Booked) -> None:
        self.caller.publish(result.changes)
        self.booked.emit(result.appointment)
        super().accept()

    def _refused(self, exc: Exception) -> None:
        """The message was shown; everything typed stays so it can be fixed."""
        if isinstance(exc, PractitionerInactive):
            ctx = self.caller.ctx
            self.caller.in_background(
                lambda: calendar.practitioners(ctx),
                title="Book appointment",
                refresh_on_refusal=False,
            ).success(self._listed).run()

    def _listed(self, fresh: Sequence[Practitioner]) -> None:
        self.set_practitioners(fresh, None)
        self._check()
