"""Every Qt item model of the UI passes Qt's own model checks (qtmodeltester)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.appointments import AppointmentStatus, Attendance, CancellationReason
from desktop.domain.clinic_time import day_bounds
from desktop.services import calendar, patients
from desktop.services.context import ServiceContext
from desktop.services.demo_clinic import load_demo_clinic
from desktop.ui.models.appointments import APPOINTMENT_ROLE, AppointmentTableModel
from desktop.ui.models.attendees import AttendeeListModel, describe
from desktop.ui.models.patients import (
    PATIENT_ROLE,
    PatientListModel,
    PatientTableModel,
)
from desktop.ui.models.practitioners import PractitionerTableModel


@pytest.fixture
def demo(local_ctx: ServiceContext) -> ServiceContext:
    load_demo_clinic(local_ctx, today=date(2031, 3, 3), patients=40)
    return local_ctx


def test_patient_models(qtmodeltester, demo) -> None:
    found = patients.search_patients(demo, "a", limit=30)
    assert found
    listed = PatientListModel()
    listed.set_patients(found)
    qtmodeltester.check(listed)
    first = listed.index(0, 0)
    assert first.data(PATIENT_ROLE) == found[0]
    assert f"(#{found[0].number})" in first.data()
    table = PatientTableModel()
    table.set_patients(found)
    qtmodeltester.check(table)
    table.set_patients([])
    qtmodeltester.check(table)


def test_practitioner_model_lists_the_inactive_too(qtmodeltester, demo) -> None:
    model = PractitionerTableModel()
    model.set_practitioners(calendar.practitioners(demo, include_inactive=True))
    qtmodeltester.check(model)
    statuses = {model.index(r, 0).data(): model.index(r, 2).data() for r in range(model.rowCount())}
    assert statuses["Mark Davies"] == "Inactive"
    assert statuses["Sarah Chen"] == "Active"


def test_appointment_and_attendee_models(qtmodeltester, demo) -> None:
    zone = ZoneInfo("Australia/Sydney")
    start, end = day_bounds(date(2031, 3, 3), zone)
    appointments = calendar.appointments_between(demo, start, end)
    names = {p.id: p.name for p in calendar.practitioners(demo, include_inactive=True)}
    model = AppointmentTableModel(zone)
    model.set_appointments(appointments, names)
    qtmodeltester.check(model)
    assert model.index(0, 0).data(APPOINTMENT_ROLE) == appointments[0]
    reformer = next(a for a in appointments if a.attendees)
    attendees = AttendeeListModel()
    attendees.set_attendees(reformer.attendees)
    qtmodeltester.check(attendees)
    gone = Attendance(
        reformer.attendees[0].id,
        reformer.attendees[0].patient_id,
        "Sam Lee",
        AppointmentStatus.CANCELLED,
        CancellationReason.SICK,
    )
    assert describe(gone) == "Sam Lee — cancelled (sick)"
