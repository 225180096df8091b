"""Billing rows to domain values, and the queries billing shares (numbering, locks)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import QueryableAttribute, Session, object_session

from desktop.domain.billing import (
    CreditPaid,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PaymentMethod,
    PaymentRecord,
    PaymentStatus,
    RefundRecord,
    ServiceDetails,
)
from desktop.domain.errors import NotFound
from desktop.domain.money import Money
from desktop.store import numbering
from desktop.store.billing_models import InvoiceRow, PaymentRow, RefundRow
from desktop.store.credit_models import CreditApplicationRow, CreditLotRow
from desktop.store.models import PatientRow

# Any constant works; it only has to differ from the other advisory locks we take.
_INVOICE_NUMBER_LOCK = 727_004


def next_invoice_sequence(session: Session) -> tuple[str, int]:
    """The series and next invoice sequence number; callers hold a write transaction."""
    return numbering.next_in_series(
        session, InvoiceRow.sequence, InvoiceRow.series, _INVOICE_NUMBER_LOCK
    )


def lock_invoice(session: Session, invoice_id: uuid.UUID) -> InvoiceRow | None:
    """Read an invoice to change it. On PostgreSQL two desks taking money for the
    same invoice wait for each other, so together they cannot exceed what is due
    (SQLite already serialises writers with BEGIN IMMEDIATE)."""
    query = select(InvoiceRow).where(InvoiceRow.id == invoice_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=InvoiceRow)
    return session.execute(query).scalar_one_or_none()


def service_key(appointment_id: uuid.UUID, patient_id: uuid.UUID) -> str:
    return f"{appointment_id}:{patient_id}"


def to_payment(row: PaymentRow) -> PaymentRecord:
    return PaymentRecord(
        id=row.id,
        number=row.number,
        amount=Money(row.amount_cents, row.currency),
        method=PaymentMethod(row.method),
        received_on=row.received_on,
        reference=row.reference,
        status=PaymentStatus(row.status),
        version=row.version,
        xero_payment_id=row.xero_payment_id,
    )


def to_refund(row: RefundRow) -> RefundRecord:
    return RefundRecord(
        id=row.id,
        number=row.number,
        amount=Money(row.amount_cents, row.currency),
        method=PaymentMethod(row.method),
        refunded_on=row.refunded_on,
        reason=row.reason,
        version=row.version,
    )


def credits_paid(row: InvoiceRow) -> tuple[CreditPaid, ...]:
    """The live credit applications paying an invoice (issue 7)."""
    session = object_session(row)
    if session is None:
        return ()
    found = session.execute(
        select(CreditApplicationRow, CreditLotRow.description)
        .join(CreditLotRow, CreditLotRow.id == CreditApplicationRow.lot_id)
        .where(CreditApplicationRow.invoice_id == row.id, CreditApplicationRow.status == "applied")
        .order_by(CreditApplicationRow.applied_on, CreditApplicationRow.number)
    ).all()
    return tuple(
        CreditPaid(app.number, Money(app.amount_cents, row.currency), app.applied_on, description)
        for app, description in found
    )


def to_invoice(row: InvoiceRow, patient: PatientRow) -> Invoice:
    return Invoice(
        id=row.id,
        number=row.number,
        patient_id=row.patient_id,
        patient_name=f"{patient.first_name} {patient.last_name}".strip(),
        patient_number=patient.number,
        patient_health_fund=patient.health_fund,
        patient_health_fund_number=patient.health_fund_number,
        service=ServiceDetails(
            appointment_id=row.appointment_id,
            service_date=row.service_date,
            type_name=row.type_name,
            item_code=row.item_code,
            practitioner_id=row.practitioner_id,
            practitioner_name=row.practitioner_name,
            provider_number=row.provider_number,
            clinic_id=row.clinic_id,
            clinic_name=row.clinic_name,
        ),
        issued_on=row.issued_on,
        due_on=row.due_on,
        lines=tuple(
            InvoiceLine(
                description=line.description,
                unit_price=Money(line.unit_price_cents, row.currency),
                quantity=line.quantity,
                item_code=line.item_code,
            )
            for line in row.lines
        ),
        status=InvoiceStatus(row.status),
        void_reason=row.void_reason,
        payments=tuple(to_payment(p) for p in row.payments),
        refunds=tuple(to_refund(r) for r in row.refunds),
        currency=row.currency,
        version=row.version,
        xero_invoice_id=row.xero_invoice_id,
        credits=credits_paid(row),
    )


def load_invoice(session: Session, invoice_id: uuid.UUID) -> Invoice | None:
    row = session.get(InvoiceRow, invoice_id)
    if row is None:
        return None
    patient = session.get(PatientRow, row.patient_id)
    assert patient is not None
    return to_invoice(row, patient)


def patient_invoices(
    session: Session,
    patient_id: uuid.UUID,
    *where: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any] | QueryableAttribute[Any]],
) -> list[Invoice]:
    """A patient's invoices that meet `where`, in `order_by` order."""
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound("That patient no longer exists.")
    rows = session.execute(
        select(InvoiceRow).where(InvoiceRow.patient_id == patient_id, *where).order_by(*order_by)
    ).scalars()
    return [to_invoice(row, patient) for row in rows]
