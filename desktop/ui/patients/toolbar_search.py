"""The main window's patient search box: type, pick a result, act on that patient.

It is the dialogs' type-ahead picker (`PatientPicker`: background search as the
keys pause, a keyboard-navigable drop-down) placed in the toolbar. Choosing a
result (Down…Enter, or a click) opens the patient's card; the *Actions* button
beside the box books that patient or jumps to their next appointment.

Signals:
    card_requested(Patient): open this patient's card.
    book_requested(Patient): open the booking dialog with this patient filled in.
    appointment_found(Appointment): the patient's next appointment, to show.
    told(str): a short note for the status bar (no next appointment).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from desktop.domain.appointments import Appointment, AppointmentStatus
from desktop.domain.people import Patient
from desktop.services import patients
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.patient_picker import PatientPicker

BOX_WIDTH = 260
RESULTS_WIDTH = 400


def next_appointment(found: Sequence[Appointment], now: datetime) -> Appointment | None:
    """The first appointment still to come that has not been cancelled."""
    coming = [a for a in found if a.ends_at > now and a.status is not AppointmentStatus.CANCELLED]
    return min(coming, key=lambda a: a.starts_at, default=None)


class ToolbarPatientSearch(QWidget):
    card_requested = Signal(object)
    book_requested = Signal(object)
    appointment_found = Signal(object)
    told = Signal(str)

    def __init__(
        self, caller: ServiceCaller, now: Callable[[], datetime], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.now = now
        self.picker = PatientPicker(caller, self)
        self.picker.new_button.hide()  # New patient has its own menu entry and key
        self.picker.details.hide()  # no room in a toolbar; the card shows the details
        self.picker.line_edit.setPlaceholderText("Find a patient (Ctrl+F)…")
        self.picker.line_edit.setObjectName("toolbarPatientSearch")
        self.picker.setFixedWidth(BOX_WIDTH)
        # Wider than the box, so namesakes' birth dates and phones show in full.
        self.picker.popup().setMinimumWidth(RESULTS_WIDTH)
        self.actions_button = QToolButton()
        self.actions_button.setText("Actions")
        self.actions_button.setAccessibleName("Patient actions")
        self.actions_button.setToolTip("Book or show the next appointment of this patient")
        self.actions_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.actions_button)
        self.card_action = menu.addAction("Open &card", lambda: self._act(self.card_requested.emit))
        self.book_action = menu.addAction("&Book…", lambda: self._act(self.book_requested.emit))
        self.next_action = menu.addAction("&Next appointment", self.show_next_appointment)
        self.actions_button.setMenu(menu)
        self.actions_button.setEnabled(False)
        self.picker.patient_chosen.connect(self._chosen)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.picker)
        row.addWidget(self.actions_button)

    @property
    def patient(self) -> Patient | None:
        return self.picker.patient

    def focus_search(self) -> None:
        self.picker.line_edit.setFocus()
        self.picker.line_edit.selectAll()

    def _chosen(self, patient: Patient | None) -> None:
        self.actions_button.setEnabled(patient is not None)
        if patient is not None:
            self.card_requested.emit(patient)

    def _act(self, emit: Callable[[object], object]) -> None:
        if self.patient is not None:
            emit(self.patient)

    def show_next_appointment(self) -> None:
        patient = self.patient
        if patient is None:
            return
        ctx, now = self.caller.ctx, self.now()
        self.caller.in_background(
            lambda: next_appointment(patients.patient_appointments(ctx, patient.id), now),
            key=f"next-appointment-{id(self)}",
            refresh_on_refusal=False,
        ).success(lambda found: self._found(patient, found)).run()

    def _found(self, patient: Patient, found: Appointment | None) -> None:
        if found is None:
            self.told.emit(f"{patient.display_name} has no appointment coming up.")
        else:
            self.appointment_found.emit(found)
