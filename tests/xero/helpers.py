"""Small steps the Xero tests share: book, invoice, pay."""

from __future__ import annotations

from desktop.domain.billing import Invoice, PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.services import billing, booking
from tests.xero.conftest import ConnectedClinic


def invoiced(xero: ConnectedClinic, patient: int = 0, hour: int = 9, minute: int = 0) -> Invoice:
    clinic = xero.clinic
    booked = booking.book_appointment(
        xero.ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(hour, minute),
            patient_id=clinic.patients[patient].id,
            override_double_booking=True,
        ),
    )
    invoice, _ = billing.invoice_appointment(xero.ctx, booked.appointment.id)
    return invoice


def paid(xero: ConnectedClinic, invoice: Invoice, *cents: int) -> Invoice:
    tenders = [Tender(Money(c), PaymentMethod.EFTPOS) for c in cents or (invoice.total.cents,)]
    result, _ = billing.take_payment(xero.ctx, invoice.id, tenders)
    return result
