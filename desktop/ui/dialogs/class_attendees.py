"""A class and who is in it: add attendees (within capacity), remove them, mark arrivals.

Stays current through the change bus, so two desks filling the same class see
each other's bookings, and a refusal because the class is full shows the places.
A user who may not change the class (another practitioner's) sees the list and
may invoice, but not add, remove or mark attendees.

A class of a repeating term asks, when a patient is added, "This one / This and
the following / All" (classes already begun are left as they are); the others
are booked in one background call, all or none.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.appointments import (
    Appointment,
    AppointmentStatus,
    Attendance,
    CancellationReason,
)
from desktop.domain.clinic_time import to_local
from desktop.domain.errors import NotFound
from desktop.domain.repeats import SeriesScope
from desktop.services import booking, calendar, series
from desktop.services.booking import Booked
from desktop.services.changes import Changes
from desktop.services.series import SeriesChanged
from desktop.ui import prompts
from desktop.ui.billing.invoice_dialog import InvoiceDialog, open_invoice_for_service
from desktop.ui.dialogs.cancel import REASONS
from desktop.ui.models.attendees import AttendeeListModel
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.busy_form import BusyForm
from desktop.ui.widgets.patient_picker import PatientPicker


class ClassAttendeesDialog(QDialog):
    def __init__(
        self,
        caller: ServiceCaller,
        appointment: Appointment,
        zone: ZoneInfo,
        practitioner: str,
        parent: QWidget | None = None,
        *,
        editable: bool = True,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.editable = editable
        self.appointment = appointment
        self.zone = zone
        self.practitioner = practitioner
        self.setWindowTitle(appointment.type_name)
        self.heading = QLabel()
        self.heading.setObjectName("dialogHeading")
        self.places = QLabel()
        self.model = AttendeeListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName("Attendees")
        self.picker = PatientPicker(caller)
        self.add_button = QPushButton("&Add to class")
        self.arrived_button = QPushButton("Mark a&rrived")
        self.remove_reason = QComboBox()
        for reason in REASONS:
            self.remove_reason.addItem(reason.label, reason)
        # No reason is assumed: the receptionist says why, every time.
        self.remove_reason.setPlaceholderText("Choose…")
        self.remove_reason.setCurrentIndex(-1)
        self.remove_reason.currentIndexChanged.connect(self._enable)
        self.remove_button = QPushButton("Re&move")
        # One invoice per attendance: a class pass pays it from the patient's credit.
        self.invoice_button = QPushButton("&Invoice / take payment…")
        self.invoice_button.clicked.connect(self.invoice_selected)
        self.add_button.clicked.connect(self.add_chosen)
        self.remove_button.clicked.connect(self.remove_selected)
        self.arrived_button.clicked.connect(self.mark_selected_arrived)
        self.picker.patient_chosen.connect(self._enable)
        self.list.selectionModel().selectionChanged.connect(self._enable)
        caller.bus.changed.connect(self._on_changes)
        self._layout()
        for widget in (
            self.picker,
            self.add_button,
            self.arrived_button,
            self.remove_label,
            self.remove_reason,
            self.remove_button,
        ):
            widget.setVisible(editable)
        self.busy = BusyForm(self, caller)
        self._show(appointment)

    def _layout(self) -> None:
        adding = QHBoxLayout()
        adding.addWidget(self.picker, 1)
        adding.addWidget(self.add_button)
        removing = QHBoxLayout()
        removing.addWidget(self.arrived_button)
        removing.addWidget(self.invoice_button)
        removing.addStretch(1)
        self.remove_label = QLabel("Reason")
        removing.addWidget(self.remove_label)
        removing.addWidget(self.remove_reason)
        removing.addWidget(self.remove_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.places)
        layout.addWidget(self.list, 1)
        layout.addLayout(removing)
        layout.addLayout(adding)
        layout.addWidget(buttons)
        self.resize(560, 460)

    def _show(self, appointment: Appointment) -> None:
        self.appointment = appointment
        start, end = (
            to_local(appointment.starts_at, self.zone),
            to_local(appointment.ends_at, self.zone),
        )
        self.heading.setText(
            f"<b>{appointment.type_name}</b> with {self.practitioner}<br>"
            f"{start:%A %d %B}, {start.hour}:{start.minute:02d}–{end.hour}:{end.minute:02d}"
        )
        taken, capacity = appointment.booked_places, appointment.capacity
        left = capacity - taken
        self.places.setText(
            f"{taken} of {capacity} places booked — "
            + ("the class is full" if left <= 0 else f"{left} left")
        )
        self.model.set_attendees(appointment.attendees)
        self._enable()

    def _selected(self) -> Attendance | None:
        rows = self.list.selectionModel().selectedRows()
        return self.model.attendance(rows[0].row()) if rows else None

    def _enable(self) -> None:
        open_class = self.appointment.status is not AppointmentStatus.CANCELLED
        self.add_button.setEnabled(open_class and self.picker.patient is not None)
        chosen = self._selected()
        status = chosen.status if chosen is not None else AppointmentStatus.CANCELLED
        reason_chosen = self.remove_reason.currentIndex() >= 0
        self.remove_button.setEnabled(status.takes_time and reason_chosen)
        self.arrived_button.setEnabled(status is AppointmentStatus.BOOKED)
        self.invoice_button.setEnabled(status.takes_time)

    def add_chosen(self) -> None:
        patient = self.picker.patient
        if patient is None:
            return
        ctx, class_id = self.caller.ctx, self.appointment.id
        scope = SeriesScope.THIS
        if self.appointment.series_id is not None:
            question = f"This class repeats. Add {patient.full_name} to which of them?"
            chosen = prompts.choose_scope(self, "Add to a repeating class", question)
            if chosen is None:
                return
            scope = chosen
        if scope is not SeriesScope.THIS:
            self.busy.save(
                lambda: series.add_attendee_in_series(ctx, class_id, patient.id, scope),
                self._added_to_series,
                title="Add to classes",
                doing="Adding…",
            )
            return
        self.busy.save(
            lambda: booking.add_attendee(ctx, class_id, patient.id),
            self._added,
            title="Add to class",
            doing="Adding…",
        )

    def _added(self, result: Booked) -> None:
        self.picker.clear()
        self._saved(result)

    def _added_to_series(self, result: SeriesChanged) -> None:
        self.picker.clear()
        self.caller.publish(result.changes)

    def remove_selected(self) -> None:
        chosen = self._selected()
        if chosen is None or self.remove_reason.currentIndex() < 0:
            return
        ctx, class_id = self.caller.ctx, self.appointment.id
        reason = CancellationReason(self.remove_reason.currentData())
        self.busy.save(
            lambda: booking.cancel_attendance(ctx, class_id, chosen.patient_id, reason),
            self._removed,
            title="Remove from class",
            doing="Removing…",
        )

    def _removed(self, result: Booked) -> None:
        self.remove_reason.setCurrentIndex(-1)  # the next removal gets its own reason
        self._saved(result)

    def invoice_selected(self) -> InvoiceDialog | None:
        """The selected attendee's invoice for this class, raised first if it has none."""
        chosen = self._selected()
        if chosen is None:
            return None
        return open_invoice_for_service(self.caller, self.appointment.id, chosen.patient_id, self)

    def mark_selected_arrived(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        ctx, class_id = self.caller.ctx, self.appointment.id
        self.busy.save(
            lambda: booking.set_attendance_status(
                ctx, class_id, chosen.patient_id, AppointmentStatus.ARRIVED
            ),
            self._saved,
            title="Class attendance",
        )

    def _saved(self, result: Booked) -> None:
        self._show(result.appointment)  # at once; the change bus brings others' edits
        self.caller.publish(result.changes)

    def _on_changes(self, changes: Changes) -> None:
        if not (changes.appointments or changes.patients) or not self.isVisible():
            return
        ctx, class_id = self.caller.ctx, self.appointment.id
        self.caller.in_background(
            lambda: calendar.appointment(ctx, class_id),
            key=f"class-attendees-{class_id}",
            title=self.appointment.type_name,
            refresh_on_refusal=False,
            reports=(NotFound,),
            on_error=self._gone,
        ).success(self._show).run()

    def _gone(self, exc: Exception) -> None:
        if isinstance(exc, NotFound):
            self.reject()  # deleted elsewhere: nothing left to edit
