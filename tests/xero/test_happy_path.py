"""Patient -> contact, invoice, payment: all in Xero, with the right amounts, PAID."""

from __future__ import annotations

from decimal import Decimal

from desktop.domain import xero_sync
from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.domain.outbox import JobState
from desktop.services import billing, booking, xero_settings
from tests.xero.conftest import ConnectedClinic


def book_and_invoice(xero: ConnectedClinic, patient_index: int = 0, hour: int = 9):
    clinic = xero.clinic
    booked = booking.book_appointment(
        xero.ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(hour),
            patient_id=clinic.patients[patient_index].id,
        ),
    )
    invoice, _ = billing.invoice_appointment(xero.ctx, booked.appointment.id)
    return invoice


def test_an_invoiced_and_paid_consult_ends_up_paid_in_xero(xero: ConnectedClinic) -> None:
    invoice = book_and_invoice(xero)
    invoice, changes = billing.take_payment(
        xero.ctx,
        invoice.id,
        [Tender(Money(5000), PaymentMethod.CASH), Tender(Money(4000), PaymentMethod.EFTPOS)],
    )
    assert changes.billing and changes.outbox
    report = xero.sync_until_quiet()
    assert report.parked == 0, report.errors
    assert {job.state for job in xero.jobs()} == {JobState.DONE}

    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None
    assert in_xero.status == "PAID"
    assert in_xero.totals.total == Decimal("90.00")
    contact = xero.fake.state.contacts[in_xero.contact_id]
    patient = xero.clinic.patients[0]
    assert contact.name == f"Sam Lee (#{patient.number})"
    assert contact.contact_number == f"FDP-{patient.number:06d}"  # as Xero shows it
    payments = xero.fake.payments_for_invoice(in_xero)
    assert sorted(p.amount for p in payments) == [Decimal("40.00"), Decimal("50.00")]
    assert sorted(p.reference for p in payments) == [f"{invoice.number}-P1", f"{invoice.number}-P2"]

    mine = billing.get_invoice(xero.ctx, invoice.id)
    assert mine.xero_invoice_id == in_xero.invoice_id
    assert {p.xero_payment_id for p in mine.payments} == {p.payment_id for p in payments}
    status = xero_settings.invoice_sync_status(xero.ctx, invoice.id)
    assert status.state is xero_sync.SyncState.SYNCED
