"""`calendar.booked_days`: the clinic's local days holding a booking not cancelled
(the month calendar's bold days), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, time

from desktop.domain.appointments import CancellationReason
from desktop.domain.clinic_time import local_to_utc
from desktop.services import booking, calendar
from desktop.services.booking import BookingRequest
from tests.helpers.clinic import ZONE, book_on


def test_days_with_bookings_in_the_clinics_own_days(ctx, clinic) -> None:
    book_on(ctx, clinic, date(2031, 3, 10), clinic.patients[0])
    gone = book_on(ctx, clinic, date(2031, 3, 12), clinic.patients[1]).appointment
    booking.cancel_appointment(ctx, gone.id, CancellationReason.AWAY)
    # 7:00 on 1 April in Sydney is still 31 March in UTC: the day is the clinic's.
    early = BookingRequest(
        clinic.clinic.id,
        clinic.bob.id,
        clinic.consult.id,
        local_to_utc(date(2031, 4, 1), time(7), ZONE),
        patient_id=clinic.patients[2].id,
    )
    booking.book_appointment(ctx, early)
    march = calendar.booked_days(ctx, date(2031, 3, 1), date(2031, 3, 31), ZONE)
    assert march == {date(2031, 3, 10)}
    april = calendar.booked_days(ctx, date(2031, 4, 1), date(2031, 4, 30), ZONE)
    assert april == {date(2031, 4, 1)}
