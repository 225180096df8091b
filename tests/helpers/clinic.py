"""A small, known clinic built through the real services, for tests to book into."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from desktop.domain.appointments import AppointmentKind, AppointmentType
from desktop.domain.clinic_time import local_to_utc
from desktop.domain.hours import WeeklyHours
from desktop.domain.money import Money
from desktop.domain.people import Clinic, Patient, Practitioner
from desktop.services import booking, calendar, practitioners, setup
from desktop.services.context import ServiceContext
from desktop.services.patients import PatientDetails, create_patient
from desktop.services.practitioners import PractitionerDetails

ZONE = ZoneInfo("Australia/Sydney")
# A Monday well in the future, so "future bookings" logic sees these appointments.
DAY = date(2031, 3, 3)
HOURS = WeeklyHours.same_every_day(range(7), time(7), time(19))


@dataclass
class ClinicFixture:
    clinic: Clinic
    alice: Practitioner  # active physio
    bob: Practitioner  # active, for moves
    retired: Practitioner  # inactive
    consult: AppointmentType  # individual, 30 min, $90
    pilates: AppointmentType  # class of 3
    patients: list[Patient]

    def at(self, hour: int, minute: int = 0, day: date = DAY) -> datetime:
        return local_to_utc(day, time(hour, minute), ZONE)


def make_clinic(ctx: ServiceContext) -> ClinicFixture:
    clinic, _ = setup.create_clinic(ctx, "Test Clinic", "Australia/Sydney", HOURS)
    alice, _ = practitioners.create_practitioner(
        ctx,
        PractitionerDetails(
            "Alice Physio",
            "Physiotherapist",
            availability=HOURS,
            provider_numbers={clinic.id: "2448761A"},
        ),
    )
    bob, _ = practitioners.create_practitioner(
        ctx, PractitionerDetails("Bob Pilates", "Pilates instructor", availability=HOURS)
    )
    retired, _ = practitioners.create_practitioner(
        ctx, PractitionerDetails("Rita Retired", "Physiotherapist", availability=HOURS)
    )
    practitioners.deactivate_practitioner(ctx, retired.id)
    consult, _ = setup.create_appointment_type(
        ctx,
        setup.AppointmentTypeDetails(
            "Consult", AppointmentKind.INDIVIDUAL, 30, Money(9000), item_code="505"
        ),
    )
    pilates, _ = setup.create_appointment_type(
        ctx,
        setup.AppointmentTypeDetails(
            "Reformer", AppointmentKind.CLASS, 55, Money(4500), item_code="560", capacity=3
        ),
    )
    patients = [
        create_patient(ctx, PatientDetails(first, last, date(1980 + i, 1, 15), phone=phone))[0]
        for i, (first, last, phone) in enumerate(
            [
                ("Sam", "Lee", "0412 345 678"),
                ("Sam", "Lee", "0499 000 111"),
                ("Jo", "Citizen", "02 9555 1234"),
                ("Ana", "Lima", "0400 111 222"),
            ]
        )
    ]
    retired_now = next(
        p for p in calendar.practitioners(ctx, include_inactive=True) if p.id == retired.id
    )
    return ClinicFixture(clinic, alice, bob, retired_now, consult, pilates, patients)


def book_at(
    ctx: ServiceContext,
    clinic: ClinicFixture,
    hour: int,
    minute: int = 0,
    *,
    day: date = DAY,
    practitioner_id: uuid.UUID | None = None,
    type_id: uuid.UUID | None = None,
    **extra: Any,
) -> booking.Booked:
    """A booking at hour:minute clinic time on `day`: a consult with Alice for the
    first patient unless told otherwise (patient_id None: nobody, as for a class);
    `extra` are the request's other fields (patient_id, notes, ends_at, the overrides)."""
    extra.setdefault("patient_id", clinic.patients[0].id)
    request = booking.BookingRequest(
        clinic.clinic.id,
        practitioner_id or clinic.alice.id,
        type_id or clinic.consult.id,
        clinic.at(hour, minute, day),
        **extra,
    )
    return booking.book_appointment(ctx, request)


def book_on(
    ctx: ServiceContext, clinic: ClinicFixture, day: date, patient: Patient
) -> booking.Booked:
    """A 9:00 consult with Bob on `day` for `patient` (its changes, for a window's bus)."""
    return book_at(ctx, clinic, 9, day=day, practitioner_id=clinic.bob.id, patient_id=patient.id)
