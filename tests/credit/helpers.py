"""Steps the credit tests share: a pilates pass, booking class places, invoicing them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from desktop.domain.billing import Invoice, PaymentMethod
from desktop.domain.credit import CreditLot, Package
from desktop.domain.money import Money
from desktop.services import billing, booking, credit
from desktop.services.context import ServiceContext
from tests.helpers.clinic import DAY, ClinicFixture


def pilates_pass(
    ctx: ServiceContext, clinic: ClinicFixture, sessions: int = 10, valid_days: int | None = None
) -> Package:
    package, _ = credit.create_package(
        ctx,
        credit.PackageDetails(
            f"{sessions} x Pilates Reformer",
            Money(4500 * sessions),
            sessions=sessions,
            eligible_type_ids=frozenset({clinic.pilates.id}),
            valid_days=valid_days,
        ),
    )
    return package


def sell(
    ctx: ServiceContext, clinic: ClinicFixture, package: Package, patient: int = 0
) -> CreditLot:
    lot, _ = credit.sell_package(ctx, clinic.patients[patient].id, package.id, PaymentMethod.EFTPOS)
    return lot


def book_class(
    ctx: ServiceContext, clinic: ClinicFixture, week: int, patient: int = 0
) -> uuid.UUID:
    """Patient's place in a Reformer class, one class a week from DAY."""
    day = DAY + timedelta(days=7 * week)
    booked = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.bob.id,
            clinic.pilates.id,
            clinic.at(10, 0, day),
            override_double_booking=True,
        ),
    )
    booking.add_attendee(ctx, booked.appointment.id, clinic.patients[patient].id)
    return booked.appointment.id


def invoice_class(
    ctx: ServiceContext, clinic: ClinicFixture, appointment_id: uuid.UUID, patient: int = 0
) -> Invoice:
    invoice, _ = billing.invoice_appointment(ctx, appointment_id, clinic.patients[patient].id)
    return invoice


def consult(ctx: ServiceContext, clinic: ClinicFixture, hour: int = 9, patient: int = 0) -> Invoice:
    booked = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(hour),
            patient_id=clinic.patients[patient].id,
            override_double_booking=True,
        ),
    )
    invoice, _ = billing.invoice_appointment(ctx, booked.appointment.id)
    return invoice
