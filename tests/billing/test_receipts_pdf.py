"""Invoices and receipts as PDF, read back with pypdf: what a health fund claim needs."""

from __future__ import annotations

import io

import pypdf

from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.services import billing, booking, receipts


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_a_paid_consult_prints_as_a_claimable_receipt(ctx, clinic) -> None:
    appointment = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(9),
            patient_id=clinic.patients[0].id,
        ),
    ).appointment
    invoice, _ = billing.invoice_appointment(ctx, appointment.id)
    unpaid = text_of(receipts.invoice_pdf(ctx, invoice.id))
    assert "Tax invoice FD-000001" in unpaid and "Status: UNPAID" in unpaid
    assert "Balance due $90.00" in unpaid

    billing.take_payment(
        ctx,
        invoice.id,
        [Tender(Money(5000), PaymentMethod.CASH), Tender(Money(4000), PaymentMethod.EFTPOS)],
    )
    text = text_of(receipts.invoice_pdf(ctx, invoice.id))
    patient = clinic.patients[0]
    for fact in (
        "Receipt FD-000001",
        f"Patient Sam Lee (#{patient.number})",
        "Date of service 03/03/2031",
        "Item number 505",
        "Practitioner Alice Physio",
        "Provider number 2448761A",
        "Total fee $90.00",
        "Amount paid $90.00",
        "Balance due $0.00",
        "FD-000001-P1",
        "Cash $50.00",
        "EFTPOS $40.00",
        "Status: PAID",
    ):
        assert fact in text, fact
    reader = pypdf.PdfReader(io.BytesIO(receipts.invoice_pdf(ctx, invoice.id)))
    assert reader.metadata is not None and reader.metadata.title == "Receipt FD-000001"


def test_void_and_refunded_documents_say_so(ctx, clinic) -> None:
    appointment = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(10),
            patient_id=clinic.patients[1].id,
        ),
    ).appointment
    invoice, _ = billing.invoice_appointment(ctx, appointment.id)
    billing.take_payment(ctx, invoice.id, [Tender(Money(9000), PaymentMethod.CARD)])
    billing.refund(ctx, invoice.id, Money(9000), PaymentMethod.CARD, "Cancelled on the day")
    text = text_of(receipts.invoice_pdf(ctx, invoice.id))
    assert "Status: REFUNDED" in text and "Amount refunded $90.00" in text
    assert "FD-000001-R1" in text

    other = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(11),
            patient_id=clinic.patients[2].id,
        ),
    ).appointment
    second, _ = billing.invoice_appointment(ctx, other.id)
    billing.void_invoice(ctx, second.id, "Booked for the wrong patient")
    text = text_of(receipts.invoice_pdf(ctx, second.id))
    assert "Status: VOID" in text and "Void: Booked for the wrong patient" in text
