"""Booking rules through the real services, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.domain.errors import (
    ClassFull,
    DoubleBooking,
    InvalidInput,
    NotFound,
    OutsideAvailability,
    PractitionerInactive,
    StaleEdit,
)
from desktop.services import booking, calendar
from desktop.services.booking import Booked, BookingRequest
from desktop.services.context import ServiceContext
from tests.helpers.clinic import ClinicFixture, book_at


def book(ctx: ServiceContext, c: ClinicFixture, hour: int, minute: int = 0, **kw: Any) -> Booked:
    return book_at(ctx, c, hour, minute, **kw)


def test_booking_uses_the_type_duration_and_reports_the_change(ctx, clinic) -> None:
    booked = book(ctx, clinic, 9)
    assert booked.appointment.ends_at - booked.appointment.starts_at == timedelta(minutes=30)
    assert booked.appointment.patient_name == "Sam Lee"
    assert booked.changes.appointments
    assert booked.appointment.id in booked.changes.ids
    shown = calendar.appointments_between(ctx, clinic.at(0), clinic.at(23))
    assert [a.id for a in shown] == [booked.appointment.id]


def test_double_booking_is_refused_but_back_to_back_is_fine(ctx, clinic) -> None:
    book(ctx, clinic, 9)
    with pytest.raises(DoubleBooking, match="Alice Physio is already booked from 09:00 to 09:30"):
        book(ctx, clinic, 9, 15, patient_id=clinic.patients[2].id)
    book(ctx, clinic, 9, 30, patient_id=clinic.patients[2].id)
    assert len(calendar.appointments_between(ctx, clinic.at(0), clinic.at(23))) == 2


def test_an_explicit_override_allows_an_overlap(ctx, clinic) -> None:
    book(ctx, clinic, 9)
    book(ctx, clinic, 9, 15, patient_id=clinic.patients[2].id, override_double_booking=True)
    assert len(calendar.appointments_between(ctx, clinic.at(0), clinic.at(23))) == 2


def test_inactive_practitioner_cannot_be_booked_even_from_a_stale_screen(ctx, clinic) -> None:
    with pytest.raises(PractitionerInactive, match="Rita Retired is inactive"):
        book(ctx, clinic, 9, practitioner_id=clinic.retired.id)
    assert clinic.retired.id not in {p.id for p in calendar.practitioners(ctx)}


def test_moving_onto_an_inactive_practitioner_is_refused(ctx, clinic) -> None:
    appointment = book(ctx, clinic, 9).appointment
    with pytest.raises(PractitionerInactive):
        booking.move_appointment(
            ctx,
            appointment.id,
            practitioner_id=clinic.retired.id,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
        )
    unchanged = calendar.appointment(ctx, appointment.id)
    assert unchanged.practitioner_id == clinic.alice.id


def test_outside_availability_needs_an_override(ctx, clinic) -> None:
    with pytest.raises(OutsideAvailability, match="not working from 20:00"):
        book(ctx, clinic, 20)
    assert book(ctx, clinic, 20, override_availability=True).appointment.status is (
        AppointmentStatus.BOOKED
    )


def test_unknown_patient_is_a_clear_error(ctx, clinic) -> None:
    import uuid

    with pytest.raises(NotFound, match="patient no longer exists"):
        book(ctx, clinic, 9, patient_id=uuid.uuid4())


def test_cancelling_frees_the_slot_and_keeps_the_reason(ctx, clinic) -> None:
    appointment = book(ctx, clinic, 9).appointment
    cancelled = booking.cancel_appointment(ctx, appointment.id, CancellationReason.SICK).appointment
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert cancelled.cancellation_reason is CancellationReason.SICK
    book(ctx, clinic, 9, patient_id=clinic.patients[2].id)
    with pytest.raises(DoubleBooking):
        booking.restore_appointment(ctx, appointment.id)


def test_other_reason_needs_a_note(ctx, clinic) -> None:
    appointment = book(ctx, clinic, 9).appointment
    with pytest.raises(InvalidInput, match="Say why"):
        booking.cancel_appointment(ctx, appointment.id, CancellationReason.OTHER)


def test_move_and_resize_follow_the_same_rules(ctx, clinic) -> None:
    first = book(ctx, clinic, 9).appointment
    second = book(ctx, clinic, 10, patient_id=clinic.patients[2].id).appointment
    with pytest.raises(DoubleBooking):
        booking.move_appointment(
            ctx,
            second.id,
            practitioner_id=clinic.alice.id,
            starts_at=clinic.at(9, 15),
            ends_at=clinic.at(9, 45),
        )
    moved = booking.move_appointment(
        ctx,
        second.id,
        practitioner_id=clinic.bob.id,
        starts_at=clinic.at(9, 15),
        ends_at=clinic.at(10),
    ).appointment
    assert (moved.practitioner_id, moved.starts_at, moved.ends_at) == (
        clinic.bob.id,
        clinic.at(9, 15),
        clinic.at(10),
    )
    # A stale screen (old version) cannot overwrite the move.
    with pytest.raises(StaleEdit):
        booking.move_appointment(
            ctx,
            second.id,
            practitioner_id=clinic.alice.id,
            starts_at=clinic.at(11),
            ends_at=clinic.at(11, 30),
            expected_version=second.version,
        )
    assert first.version == 1
    assert moved.version == 2


def test_class_capacity_and_attendees(ctx, clinic) -> None:
    session = book(
        ctx, clinic, 7, type_id=clinic.pilates.id, practitioner_id=clinic.bob.id, patient_id=None
    ).appointment
    for patient in clinic.patients[:3]:
        session = booking.add_attendee(ctx, session.id, patient.id).appointment
    assert session.booked_places == 3
    assert session.title == "Reformer (3/3)"
    with pytest.raises(ClassFull, match="3 of 3"):
        booking.add_attendee(ctx, session.id, clinic.patients[3].id)
    with pytest.raises(InvalidInput, match="already in this class"):
        booking.add_attendee(ctx, session.id, clinic.patients[1].id)
    booking.cancel_attendance(ctx, session.id, clinic.patients[0].id, CancellationReason.SICK)
    # The freed place can be taken.
    session = booking.add_attendee(ctx, session.id, clinic.patients[3].id).appointment
    assert session.booked_places == 3


def test_status_changes(ctx, clinic) -> None:
    appointment = book(ctx, clinic, 9).appointment
    arrived = booking.set_status(ctx, appointment.id, AppointmentStatus.ARRIVED).appointment
    assert arrived.status is AppointmentStatus.ARRIVED
    no_show = booking.set_status(ctx, appointment.id, AppointmentStatus.NO_SHOW).appointment
    assert no_show.status is AppointmentStatus.NO_SHOW
    with pytest.raises(InvalidInput):
        booking.set_status(ctx, appointment.id, AppointmentStatus.CANCELLED)


def test_a_no_show_frees_its_time_and_setting_it_back_needs_the_time_free(ctx, clinic) -> None:
    missed = book(ctx, clinic, 9).appointment
    booking.set_status(ctx, missed.id, AppointmentStatus.NO_SHOW)
    walk_in = book(ctx, clinic, 9, 10, patient_id=clinic.patients[2].id).appointment
    with pytest.raises(DoubleBooking) as refused:
        booking.set_status(ctx, missed.id, AppointmentStatus.ARRIVED)
    assert "Consult with Jo Citizen" in str(refused.value)  # names the booking in the way
    assert calendar.appointment(ctx, missed.id).status is AppointmentStatus.NO_SHOW
    booking.set_status(ctx, missed.id, AppointmentStatus.NO_SHOW)  # staying a no-show is fine

    booking.cancel_appointment(ctx, walk_in.id, CancellationReason.SICK)
    back = booking.set_status(ctx, missed.id, AppointmentStatus.BOOKED).appointment
    assert back.status is AppointmentStatus.BOOKED  # the time was free again
    with pytest.raises(DoubleBooking):  # and it holds its time once more
        book(ctx, clinic, 9, 10, patient_id=clinic.patients[2].id)


def test_an_invoiced_appointment_cannot_be_deleted_only_cancelled(ctx, clinic) -> None:
    from desktop.services import billing

    appointment = book(ctx, clinic, 9).appointment
    invoice = billing.invoice_appointment(ctx, appointment.id)
    with pytest.raises(InvalidInput, match=r"has been invoiced \(FD-\d+\).*Cancel it instead"):
        booking.delete_appointment(ctx, appointment.id)
    assert calendar.appointment(ctx, appointment.id).id == appointment.id
    assert invoice is not None


@pytest.mark.parametrize("years", [-60, 80])
def test_booking_or_moving_outside_1990_to_2099_is_refused(ctx, clinic, years) -> None:
    request = BookingRequest(
        clinic_id=clinic.clinic.id,
        practitioner_id=clinic.alice.id,
        appointment_type_id=clinic.consult.id,
        patient_id=clinic.patients[1].id,
        starts_at=clinic.at(9) + timedelta(days=365 * years),
        override_availability=True,
    )
    with pytest.raises(InvalidInput, match="between 1990 and 2099"):
        booking.book_appointment(ctx, request)
    booked = book(ctx, clinic, 9).appointment
    far = booked.starts_at + timedelta(days=365 * years)
    with pytest.raises(InvalidInput, match="between 1990 and 2099"):
        booking.move_appointment(
            ctx,
            booked.id,
            practitioner_id=booked.practitioner_id,
            starts_at=far,
            ends_at=far + timedelta(minutes=30),
        )
