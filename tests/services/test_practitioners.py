from __future__ import annotations

from dataclasses import replace

import pytest

from desktop.domain.appointments import AppointmentStatus, CancellationReason
from desktop.domain.errors import AppointmentReadOnly, InvalidInput, PractitionerInactive
from desktop.services import booking, calendar, practitioners
from desktop.services.practitioners import FutureBookings
from tests.services.test_booking import book


def test_deactivating_with_future_bookings_asks_what_to_do(ctx, clinic) -> None:
    book(ctx, clinic, 9)
    with pytest.raises(InvalidInput, match="Alice Physio has 1 future booking"):
        practitioners.deactivate_practitioner(ctx, clinic.alice.id)
    assert clinic.alice.id in {p.id for p in calendar.practitioners(ctx)}


def test_future_bookings_are_judged_by_the_contexts_clock(ctx, clinic) -> None:
    book(ctx, clinic, 9)
    assert len(practitioners.future_bookings(ctx, clinic.alice.id)) == 1
    evening = replace(ctx, clock=lambda: clinic.at(18))  # that day's bookings are over
    assert practitioners.future_bookings(evening, clinic.alice.id) == []
    practitioners.deactivate_practitioner(evening, clinic.alice.id)  # nothing left to decide


def test_deactivating_and_moving_bookings_to_a_colleague(ctx, clinic) -> None:
    appointment = book(ctx, clinic, 9).appointment
    practitioners.deactivate_practitioner(ctx, clinic.alice.id, FutureBookings.MOVE, clinic.bob.id)
    moved = calendar.appointment(ctx, appointment.id)
    assert moved.practitioner_id == clinic.bob.id
    assert moved.status is AppointmentStatus.BOOKED
    assert clinic.alice.id not in {p.id for p in calendar.practitioners(ctx)}
    with pytest.raises(PractitionerInactive, match="Alice Physio is inactive"):
        book(ctx, clinic, 11)


def test_moving_onto_a_busy_colleague_changes_nothing(ctx, clinic) -> None:
    book(ctx, clinic, 9)
    book(ctx, clinic, 9, practitioner_id=clinic.bob.id, patient_id=clinic.patients[2].id)
    with pytest.raises(InvalidInput, match="Bob Pilates is busy"):
        practitioners.deactivate_practitioner(
            ctx, clinic.alice.id, FutureBookings.MOVE, clinic.bob.id
        )
    assert clinic.alice.id in {p.id for p in calendar.practitioners(ctx)}


def test_deactivating_and_cancelling_with_notice(ctx, clinic) -> None:
    appointment = book(ctx, clinic, 9).appointment
    practitioners.deactivate_practitioner(ctx, clinic.alice.id, FutureBookings.CANCEL)
    cancelled = calendar.appointment(ctx, appointment.id)
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert cancelled.cancellation_reason is CancellationReason.PRACTITIONER_UNAVAILABLE


def test_keeping_bookings_read_only_then_reactivating(ctx, clinic) -> None:
    appointment = book(ctx, clinic, 9).appointment
    practitioners.deactivate_practitioner(ctx, clinic.alice.id, FutureBookings.KEEP_READ_ONLY)
    kept = calendar.appointment(ctx, appointment.id)
    assert kept.read_only
    with pytest.raises(AppointmentReadOnly):
        booking.set_status(ctx, appointment.id, AppointmentStatus.ARRIVED)
    practitioners.reactivate_practitioner(ctx, clinic.alice.id)
    assert not calendar.appointment(ctx, appointment.id).read_only
    assert clinic.alice.id in {p.id for p in calendar.practitioners(ctx)}
    book(ctx, clinic, 11)
