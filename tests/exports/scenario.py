"""A known day to export: individual appointments, a cancellation and a class."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from desktop.domain.appointments import Appointment, CancellationReason
from desktop.services import booking
from desktop.services.booking import BookingRequest
from desktop.services.context import ServiceContext
from tests.helpers.clinic import DAY, ClinicFixture

NOTE = "Review home exercise program; bring referral letter"


@dataclass
class ExportDay:
    day: date
    consult: Appointment  # Alice 09:00, Sam Lee (#1), with a note
    cancelled: Appointment  # Alice 10:00, Jo Citizen, cancelled: sick
    reformer: Appointment  # Bob 07:00 class: Sam Lee (#2) and Ana Lima booked, Jo cancelled
    tomorrow: Appointment  # Alice, the next day: never on this day's exports


def book_export_day(ctx: ServiceContext, c: ClinicFixture) -> ExportDay:
    sam1, sam2, jo, ana = c.patients

    def book(practitioner, kind, hour, patient=None, day=DAY):  # type: ignore[no-untyped-def]
        request = BookingRequest(
            c.clinic.id, practitioner.id, kind.id, c.at(hour, day=day), patient_id=patient
        )
        return booking.book_appointment(ctx, request).appointment

    consult = book(c.alice, c.consult, 9, sam1.id)
    consult = booking.update_notes(ctx, consult.id, NOTE).appointment
    cancelled = book(c.alice, c.consult, 10, jo.id)
    cancelled = booking.cancel_appointment(ctx, cancelled.id, CancellationReason.SICK).appointment
    reformer = book(c.bob, c.pilates, 7)
    for patient in (sam2, ana, jo):
        reformer = booking.add_attendee(ctx, reformer.id, patient.id).appointment
    reformer = booking.cancel_attendance(
        ctx, reformer.id, jo.id, CancellationReason.WORK
    ).appointment
    tomorrow = book(c.alice, c.consult, 9, ana.id, day=DAY + timedelta(days=1))
    return ExportDay(DAY, consult, cancelled, reformer, tomorrow)
