"""One patient at a glance: contact and fund details, upcoming and past appointments,
messages (and their SMS/email opt-outs), their account (invoices, payments) and credit,
and whether they are on the wait list (with "Add to wait list…").

Signals:
    appointment_activated(Appointment): show this appointment on the calendar.
    edit_requested(Patient): open the patient's details for editing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.appointments import Appointment
from desktop.domain.errors import NotFound
from desktop.domain.people import Patient
from desktop.domain.phones import display_phone, region_for_zone
from desktop.services import calendar, patients
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.ui.background_ops import runner
from desktop.ui.messaging.message_log import MessageLogWidget
from desktop.ui.models.appointments import AppointmentTableModel
from desktop.ui.models.patients import born
from desktop.ui.patients.account_tab import PatientAccountTab
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.wait_list.patient_row import PatientWaitListRow

if TYPE_CHECKING:
    from desktop.ui.credit.patient_credit_panel import PatientCreditPanel


def split_by_now(appointments: list[Appointment]) -> tuple[list[Appointment], list[Appointment]]:
    """Upcoming (soonest first) and past (latest first)."""
    now = datetime.now(UTC)
    upcoming = [a for a in appointments if a.ends_at > now]
    past = [a for a in appointments if a.ends_at <= now]
    return upcoming, list(reversed(past))


def _table(model: AppointmentTableModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # the type gives way first
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    return table


class PatientCard(QWidget):
    appointment_activated = Signal(object)
    edit_requested = Signal(object)

    def __init__(
        self, caller: ServiceCaller, zone: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.patient: Patient | None = None
        self.home_region = region_for_zone(zone.key)
        self.heading = QLabel("Choose a patient")
        self.heading.setObjectName("cardHeading")
        self.facts = {
            name: QLabel() for name in ("Born", "Phone", "Email", "Address", "Fund", "Notes")
        }
        for label in self.facts.values():
            label.setWordWrap(True)
        self.edit_button = QPushButton("&Edit details…")
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.patient))
        self.upcoming = AppointmentTableModel(zone, self)
        self.past = AppointmentTableModel(zone, self)
        self.upcoming_table = _table(self.upcoming)
        self.past_table = _table(self.past)
        self.upcoming_table.doubleClicked.connect(self._activated(self.upcoming))
        self.past_table.doubleClicked.connect(self._activated(self.past))
        form = QFormLayout()
        for name, label in self.facts.items():
            form.addRow(name, label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.edit_button)
        self.wait_list = PatientWaitListRow(caller, zone)
        layout.addWidget(self.wait_list)
        self.upcoming_label = QLabel("Upcoming")
        self.past_label = QLabel("Past")
        for label in (self.upcoming_label, self.past_label):
            label.setObjectName("sectionHeading")
        appointments = QWidget()
        appointments_layout = QVBoxLayout(appointments)
        appointments_layout.addWidget(self.upcoming_label)
        appointments_layout.addWidget(self.upcoming_table, 1)
        appointments_layout.addWidget(self.past_label)
        appointments_layout.addWidget(self.past_table, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(appointments, "&Appointments")
        self.messages = MessageLogWidget(caller, zone)
        self.tabs.addTab(self.messages, "&Messages")
        self.account_tab: PatientAccountTab | None = None
        self.credit_panel: PatientCreditPanel | None = None
        layout.addWidget(self.tabs, 1)
        caller.bus.changed.connect(self._on_changes)

    def _show_money(self, patient_id: uuid.UUID | None) -> None:
        """The patient's Account and Credit tabs (made again for each patient)."""
        if self.account_tab is not None and self.account_tab.patient_id == patient_id:
            return
        for tab in (self.account_tab, self.credit_panel):
            if tab is not None:
                self.tabs.removeTab(self.tabs.indexOf(tab))
                tab.deleteLater()
        self.account_tab = None
        self.credit_panel = None
        if patient_id is not None:
            # Credit and reconciliation load with the first patient shown, not at start-up.
            from desktop.ui.credit.patient_credit_panel import PatientCreditPanel

            self.account_tab = PatientAccountTab(self.caller, patient_id)
            self.credit_panel = PatientCreditPanel(self.caller, patient_id)
            self.tabs.addTab(self.account_tab, "Acc&ount")
            self.tabs.addTab(self.credit_panel, "&Credit")

    def _activated(self, model: AppointmentTableModel) -> object:
        def activated(index: QModelIndex) -> None:
            self.appointment_activated.emit(model.appointment(index.row()))

        return activated

    def show_patient(self, patient_id: uuid.UUID | None) -> None:
        self._show_money(patient_id)
        self.messages.set_patient(patient_id)
        if patient_id is None:
            runner().cancel(f"patient-card-{id(self)}")  # a read still under way is not wanted
            self.patient = None
            self._fill(None, [], {})
            return
        ctx = self.caller.ctx
        # Read in the background; choosing another patient meanwhile drops this read.
        self.caller.in_background(
            lambda: _load(ctx, patient_id),
            key=f"patient-card-{id(self)}",
            title="Patient",
            refresh_on_refusal=False,
            parent=self,
        ).success(lambda loaded: self._fill(*loaded)).run()

    def _fill(
        self, patient: Patient | None, appointments: list[Appointment], names: dict[uuid.UUID, str]
    ) -> None:
        self.patient = patient
        self.edit_button.setEnabled(patient is not None)
        self.wait_list.set_patient(patient)
        if patient is None:
            self.heading.setText("Choose a patient")
            for label in self.facts.values():
                label.setText("")
        else:
            self.heading.setText(
                f"{patient.full_name}  <span style='font-weight:normal'>#{patient.number}</span>"
            )
            fund = " ".join(x for x in (patient.health_fund, patient.health_fund_number) if x)
            values = (
                born(patient),
                display_phone(patient.phone, self.home_region),
                patient.email,
                patient.address,
                fund,
                patient.notes,
            )
            for label, value in zip(self.facts.values(), values, strict=True):
                label.setText(value or "—")
        upcoming, past = split_by_now(appointments)
        self.upcoming.set_appointments(upcoming, names)
        self.past.set_appointments(past, names)
        self.upcoming_label.setText(f"Upcoming ({len(upcoming)})")
        self.past_label.setText(f"Past ({len(past)})")

    def _on_changes(self, changes: Changes) -> None:
        if self.patient is not None and (changes.patients or changes.appointments):
            self.show_patient(self.patient.id)


def _load(
    ctx: ServiceContext, patient_id: uuid.UUID
) -> tuple[Patient | None, list[Appointment], dict[uuid.UUID, str]]:
    try:
        patient = patients.get_patient(ctx, patient_id)
    except NotFound:
        return None, [], {}
    # Past appointments may be with practitioners who have since left.
    names = {p.id: p.name for p in calendar.practitioners(ctx, include_inactive=True)}
    return patient, patients.patient_appointments(ctx, patient_id), names
