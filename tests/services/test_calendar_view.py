"""`calendar.appointments_in_view` (plain rows, two statements) returns exactly what
the ORM path `appointments_between` returns, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.services import booking, calendar
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from tests.helpers.clinic import DAY, ClinicFixture


def book(ctx: ServiceContext, c: ClinicFixture, practitioner, kind, patient, starts_at):  # type: ignore[no-untyped-def]
    request = BookingRequest(
        clinic_id=c.clinic.id,
        practitioner_id=practitioner.id,
        appointment_type_id=kind.id,
        patient_id=patient.id if patient else None,
        starts_at=starts_at,
    )
    return booking.book_appointment(ctx, request).appointment


def fill_the_day(ctx: ServiceContext, c: ClinicFixture) -> None:
    sam, _, jo, ana = c.patients
    reformer = book(ctx, c, c.bob, c.pilates, None, c.at(7))
    for patient in (sam, jo, ana):
        booking.add_attendee(ctx, reformer.id, patient.id)
    booking.cancel_attendance(ctx, reformer.id, jo.id, CancellationReason.SICK)
    book(ctx, c, c.alice, c.consult, sam, c.at(9))
    cancelled = book(ctx, c, c.alice, c.consult, jo, c.at(10))
    booking.cancel_appointment(ctx, cancelled.id, CancellationReason.AWAY)
    noted = book(ctx, c, c.bob, c.consult, ana, c.at(9))
    booking.update_notes(ctx, noted.id, "Left knee")
    book(ctx, c, c.bob, c.consult, ana, c.at(9, day=DAY + timedelta(days=1)))


def both_ways(ctx: ServiceContext, c: ClinicFixture, start, end):  # type: ignore[no-untyped-def]
    ids = [c.bob.id, c.alice.id]
    fast = calendar.appointments_in_view(ctx, start, end, ids)
    orm = calendar.appointments_between(ctx, start, end, ids)
    return fast, sorted(orm, key=lambda a: (a.starts_at, fast.index(a) if a in fast else -1))


def test_the_whole_day_comes_back_as_the_orm_path_builds_it(ctx, clinic) -> None:
    fill_the_day(ctx, clinic)
    fast, orm = both_ways(ctx, clinic, clinic.at(0), clinic.at(23, 59))
    assert fast == orm
    assert len(fast) == 4
    reformer = fast[0]
    assert [a.patient_name for a in reformer.attendees] == ["Jo Citizen", "Sam Lee", "Ana Lima"]
    assert reformer.attendees[0].status is AppointmentStatus.CANCELLED
    assert reformer.attendees[0].cancellation_reason is CancellationReason.SICK
    assert reformer.booked_places == 2
    assert {a.status for a in fast} == {AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED}
    assert any(a.notes == "Left knee" and a.practitioner_id == clinic.bob.id for a in fast)


def test_a_range_keeps_what_started_before_it_and_drops_what_ended(ctx, clinic) -> None:
    fill_the_day(ctx, clinic)
    fast, orm = both_ways(ctx, clinic, clinic.at(9, 15), clinic.at(9, 45))
    assert fast == orm
    assert sorted(a.patient_name for a in fast) == ["Ana Lima", "Sam Lee"]


def test_only_the_practitioners_asked_for(ctx, clinic) -> None:
    fill_the_day(ctx, clinic)
    shown = calendar.appointments_in_view(ctx, clinic.at(0), clinic.at(23), [clinic.bob.id])
    assert {a.practitioner_id for a in shown} == {clinic.bob.id}
    assert len(shown) == 2
    assert calendar.appointments_in_view(ctx, clinic.at(0), clinic.at(23), []) == []
