"""The details panel: the selected appointment beside the calendar, with its usual actions.

Selecting a block shows at once what the calendar already holds (type,
practitioner, time, status, notes); the patient's contact details, the invoice,
the credit left and its place in a repeating series ("3 of 10, next Tue 9 Dec")
follow from one background read. Any change on the bus that
could touch them (the appointment, a patient, billing) reads them again.

Every button runs the calendar's own `AppointmentActions` (or asks the main
window, as the right-click menu does), so there is one way to do each thing. As
in the dialogs, a practitioner looking at a colleague's appointment (or anyone
at one kept read-only) gets "Open…" and "Open card" and nothing that changes it.

Signals:
    patient_requested(object): open this patient's card (a patient id).
    invoice_requested(object, object): invoice / take payment (appointment id, patient id).
    move_requested(object): let the user pick a new time for this appointment on the calendar.
"""

from __future__ import annotations

import html
import itertools
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.appointments import Appointment, AppointmentKind, AppointmentStatus
from desktop.domain.billing import Invoice
from desktop.domain.clinic_time import to_local
from desktop.domain.errors import NotFound
from desktop.services.changes import Changes
from desktop.ui.background_ops import runner
from desktop.ui.calendar.appointment_actions import AppointmentActions
from desktop.ui.calendar.items import time_range
from desktop.ui.calendar.snapshot import CalendarSnapshot
from desktop.ui.service_caller import ServiceCaller

if TYPE_CHECKING:  # loaded with the first appointment shown (the first week needs none)
    from desktop.services.appointment_details import AppointmentDetails
    from desktop.services.series import SeriesPlace

WIDTH = 270  # px: the week view of 5 practitioners keeps its columns (see README)
_WAITING = "…"
_FACTS = (
    ("phone", "Phone"),
    ("email", "Email"),
    ("type", "Type"),
    ("practitioner", "With"),
    ("when", "When"),
    ("series", "Repeats"),
    ("status", "Status"),
    ("attendees", "Attendees"),
    ("notes", "Notes"),
    ("invoice", "Invoice"),
    ("credit", "Credit left"),
)


class DetailsPanel(QWidget):
    patient_requested = Signal(object)
    invoice_requested = Signal(object, object)
    move_requested = Signal(object)

    def __init__(
        self,
        caller: ServiceCaller,
        actions: AppointmentActions,
        snapshot: Callable[[], CalendarSnapshot | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("detailsPanel")
        self.caller = caller
        self.appointment_actions = actions
        self._snapshot = snapshot
        self._key = f"details-{id(self)}"
        self.appointment: Appointment | None = None
        self.details: AppointmentDetails | None = None
        self.heading = QLabel("No appointment selected")
        self.heading.setObjectName("detailsHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setStyleSheet("font-size: 11pt;")
        self.hint = QLabel("Click an appointment on the calendar to see it here.")
        self.hint.setWordWrap(True)
        self.hint.setObjectName("detailsHint")
        self.facts: dict[str, QLabel] = {}
        self._rows = QFormLayout()
        self._rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label in _FACTS:
            value = QLabel()
            value.setObjectName(f"details_{name}")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)  # notes are typed, not markup
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[name] = value
            self._rows.addRow(label, value)
        self.arrived_button = self._button("Arrived", "detailsArrived", self.mark_arrived)
        self.invoice_button = self._button("Invoice / pay…", "detailsInvoice", self.invoice)
        self.edit_button = self._button("Edit…", "detailsEdit", self.edit)
        self.cancel_button = self._button("Cancel…", "detailsCancel", self.cancel)
        self.move_button = self._button("Move…", "detailsMove", self.start_move)
        self.card_button = self._button("Open card", "detailsCard", self.open_card)
        self.buttons = QWidget()
        buttons = QGridLayout(self.buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        order = (
            self.arrived_button,
            self.invoice_button,
            self.edit_button,
            self.cancel_button,
            self.move_button,
            self.card_button,
        )
        for index, button in enumerate(order):
            buttons.addWidget(button, index // 2, index % 2)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addLayout(self._rows)
        layout.addSpacing(6)
        layout.addWidget(self.buttons)
        layout.addStretch(1)
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)  # reading order: across, then down
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.setMinimumWidth(WIDTH)
        self.setMaximumWidth(WIDTH + 60)
        caller.bus.changed.connect(self._on_changes)
        self._fill()

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        button.setAutoDefault(False)
        return button

    # --- what is shown ------------------------------------------------------------

    def show_appointment(self, appointment: Appointment | None) -> None:
        """Show this appointment (None: nothing selected); the rest is read in the background."""
        same = (
            appointment is not None
            and self.appointment is not None
            and appointment.id == self.appointment.id
        )
        self.appointment = appointment
        if not same:
            self.details = None
        self._fill()
        if appointment is None:
            runner().cancel(self._key)  # a read under way is no longer wanted
            return
        self.reload()

    def reload(self) -> None:
        appointment = self.appointment
        if appointment is None or not self.isVisible():
            return  # a hidden panel reads when it is shown again
        ctx, wanted = self.caller.ctx, appointment.id

        def read() -> AppointmentDetails:
            from desktop.services.appointment_details import appointment_details

            return appointment_details(ctx, wanted)

        self.caller.in_background(
            read,
            key=self._key,
            refresh_on_refusal=False,
            reports=(NotFound,),
            on_error=lambda _exc: self._gone(wanted),
        ).success(self._arrived).run()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.reload()  # what changed while it was folded away

    def _arrived(self, details: AppointmentDetails) -> None:
        if self.appointment is None or details.appointment.id != self.appointment.id:
            return  # the user has selected something else since
        self.appointment = details.appointment
        self.details = details
        self._fill()

    def _gone(self, appointment_id: uuid.UUID) -> None:
        if self.appointment is not None and self.appointment.id == appointment_id:
            self.show_appointment(None)

    def _on_changes(self, changes: Changes) -> None:
        appointment = self.appointment
        if appointment is None:
            return
        # Another of its series changing moves "3 of 10" or the next date.
        touched = (
            not changes.ids or appointment.id in changes.ids or appointment.series_id is not None
        )
        if (changes.appointments and touched) or changes.patients or changes.billing:
            self.reload()

    def _fill(self) -> None:
        appointment = self.appointment
        snapshot = self._snapshot()
        shown = appointment is not None and snapshot is not None
        self.hint.setVisible(not shown)
        self.buttons.setVisible(shown)
        for index in range(self._rows.rowCount()):
            self._rows.setRowVisible(index, shown)
        if appointment is None or snapshot is None:
            self.heading.setText("No appointment selected")
            self._enable(None, False)
            return
        is_class = appointment.kind is AppointmentKind.CLASS
        self.heading.setText(f"<b>{html.escape(_heading(appointment, self.details))}</b>")
        practitioner = snapshot.practitioner(appointment.practitioner_id)
        zone = snapshot.zone
        values = {
            "type": appointment.type_name,
            "practitioner": practitioner.name if practitioner else "",
            "when": _when(appointment, zone),
            "series": self._series_fact(appointment, zone),
            "status": _status(appointment),
            "notes": appointment.notes or "—",
            "attendees": f"{appointment.booked_places} of {appointment.capacity}",
            **self._patient_facts(appointment, zone),
        }
        for name, label in self.facts.items():
            label.setText(values.get(name, ""))
        names = [name for name, _label in _FACTS]
        for name in ("attendees",) if not is_class else ("phone", "email", "invoice", "credit"):
            self._rows.setRowVisible(names.index(name), False)
        if appointment.series_id is None:
            self._rows.setRowVisible(names.index("series"), False)
        self._enable(appointment, snapshot.may_change(appointment))

    def _patient_facts(self, appointment: Appointment, zone: ZoneInfo) -> dict[str, str]:
        details = self.details
        if details is None or details.appointment.id != appointment.id:
            return dict.fromkeys(("phone", "email", "invoice", "credit"), _WAITING)
        from desktop.domain.phones import display_phone, region_for_zone

        patient = details.patient
        region = region_for_zone(zone.key)
        return {
            "phone": (display_phone(patient.phone, region) if patient else "") or "—",
            "email": (patient.email if patient else "") or "—",
            "invoice": _invoice_state(details.invoice),
            "credit": str(details.credit_left) if details.credit_left is not None else "—",
        }

    def _series_fact(self, appointment: Appointment, zone: ZoneInfo) -> str:
        details = self.details
        if details is None or details.appointment.id != appointment.id:
            return _WAITING
        return _series_place(details.series, zone)

    def _enable(self, appointment: Appointment | None, editable: bool) -> None:
        live = appointment is not None and appointment.status is not AppointmentStatus.CANCELLED
        has_patient = appointment is not None and appointment.patient_id is not None
        is_class = appointment is not None and appointment.kind is AppointmentKind.CLASS
        arrived = appointment is not None and appointment.status is AppointmentStatus.ARRIVED
        self.arrived_button.setEnabled(editable and live and not arrived)
        self.invoice_button.setEnabled(has_patient)
        self.edit_button.setEnabled(appointment is not None)
        label = ("Attendees…" if is_class else "Edit…") if editable else "Open…"
        self.edit_button.setText(label)
        self.cancel_button.setEnabled(editable and live)
        self.move_button.setEnabled(editable and live)
        self.card_button.setEnabled(has_patient)

    # --- actions (each the calendar's own) ----------------------------------------

    def mark_arrived(self) -> None:
        if (appointment := self.appointment) is not None and self.arrived_button.isEnabled():
            self.appointment_actions.mark(appointment, AppointmentStatus.ARRIVED)

    def invoice(self) -> None:
        appointment = self.appointment
        if appointment is not None and appointment.patient_id is not None:
            self.invoice_requested.emit(appointment.id, appointment.patient_id)

    def edit(self) -> None:
        if (appointment := self.appointment) is not None:
            self.appointment_actions.open(appointment)

    def cancel(self) -> None:
        if (appointment := self.appointment) is not None and self.cancel_button.isEnabled():
            self.appointment_actions.ask_cancel(appointment)

    def start_move(self) -> None:
        if (appointment := self.appointment) is not None and self.move_button.isEnabled():
            self.move_requested.emit(appointment)

    def open_card(self) -> None:
        appointment = self.appointment
        if appointment is not None and appointment.patient_id is not None:
            self.patient_requested.emit(appointment.patient_id)


def _heading(appointment: Appointment, details: AppointmentDetails | None) -> str:
    if appointment.kind is AppointmentKind.CLASS:
        return appointment.type_name
    patient = details.patient if details is not None else None
    if patient is not None and patient.id == appointment.patient_id:
        return patient.display_name
    return appointment.patient_name


def _when(appointment: Appointment, zone: ZoneInfo) -> str:
    day = to_local(appointment.starts_at, zone)
    return f"{day:%a} {day.day} {day:%b %Y}, {time_range(appointment, zone)}"


def _series_place(place: SeriesPlace | None, zone: ZoneInfo) -> str:
    """ "3 of 10, next Tue 9 Dec", "10 of 10, the last"."""
    if place is None:
        return ""
    text = f"{place.number} of {place.count}"
    if place.next_starts_at is None:
        return f"{text}, the last"
    day = to_local(place.next_starts_at, zone)
    return f"{text}, next {day:%a} {day.day} {day:%b}"


def _status(appointment: Appointment) -> str:
    text = appointment.status.label
    if appointment.cancellation_reason is not None:
        text += f" ({appointment.cancellation_reason.label.lower()})"
    if appointment.read_only:
        text += " · read-only"
    return text


def _invoice_state(invoice: Invoice | None) -> str:
    """ "Not invoiced", "INV-0012 · Paid $85.00", "INV-0012 · $85.00 owing"."""
    if invoice is None:
        return "Not invoiced"
    status = invoice.paid_status
    if invoice.amount_due.cents > 0:
        return f"{invoice.number} · {invoice.amount_due} owing of {invoice.total}"
    return f"{invoice.number} · {status.label} {invoice.total}"
