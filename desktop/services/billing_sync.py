"""Writing Xero outbox jobs inside the caller's transaction.

Called by the billing and patient services while their unit of work is open, so
the change and the job that tells Xero about it commit together or not at all.
Nothing is queued while the clinic has never connected Xero; once connected
(even if the connection later needs reconnecting) every change is queued and
waits for the worker.

Each job carries a snapshot of what Xero should end up with. The worker resolves
Xero IDs and account codes when it delivers, so fixing the account mapping and
pressing Retry is enough for a job refused over an account code.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from desktop.domain import xero_sync
from desktop.domain.errors import StaleEdit
from desktop.domain.outbox import Channel, JobState
from desktop.store import outbox
from desktop.store.billing_models import (
    InvoiceRow,
    PaymentRow,
    RefundRow,
    XeroContactRow,
    XeroSettingsRow,
)
from desktop.store.models import PatientRow
from desktop.store.outbox_models import OutboxJobRow

_OPEN = [s.value for s in JobState if s.open]


def _flush(session: Session) -> None:
    """Flush the caller's changes (ids, versions) before a job is written about them;
    a lost race reads as the usual "changed by someone else"."""
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise StaleEdit("record") from exc


def xero_enabled(session: Session) -> bool:
    """True once the clinic has connected Xero (and has not disconnected it)."""
    status = session.execute(
        select(XeroSettingsRow.status).where(XeroSettingsRow.key == "main")
    ).scalar_one_or_none()
    return status is not None and status != "disconnected"


def _open_job(session: Session, kind: str, subject_id: uuid.UUID) -> OutboxJobRow | None:
    return (
        session.execute(
            select(OutboxJobRow)
            .where(
                OutboxJobRow.kind == kind,
                OutboxJobRow.subject_id == subject_id,
                OutboxJobRow.state.in_(_OPEN),
            )
            .order_by(OutboxJobRow.created_at.desc())
        )
        .scalars()
        .first()
    )


def _enqueue(
    session: Session,
    kind: str,
    subject_id: uuid.UUID,
    version: int,
    stage: int,
    payload: dict[str, Any],
    depends_on: uuid.UUID | None,
) -> OutboxJobRow:
    """A Xero job in the caller's transaction (outbox.enqueue re-points the jobs that
    waited on a job it supersedes)."""
    row = outbox.enqueue(
        session,
        channel=Channel.XERO,
        kind=kind,
        subject_id=subject_id,
        subject_version=version,
        payload=payload,
        stage=stage,
        depends_on=depends_on,
    )
    _flush(session)
    return row


# --------------------------------------------------------------------------- contacts


def _contact_link(session: Session, patient: PatientRow) -> XeroContactRow:
    link = session.execute(
        select(XeroContactRow).where(XeroContactRow.patient_id == patient.id)
    ).scalar_one_or_none()
    if link is None:
        link = XeroContactRow(
            patient_id=patient.id, contact_number=xero_sync.contact_number(patient.number)
        )
        session.add(link)
    return link


def patient_changed(session: Session, patient: PatientRow) -> OutboxJobRow | None:
    """A patient was created or edited: their Xero contact must follow (if Xero is on)."""
    if not xero_enabled(session):
        return None
    _flush(session)  # the patient's id and new version
    link = _contact_link(session, patient)
    payload = {
        "patient_id": str(patient.id),
        "contact_number": link.contact_number,
        "name": xero_sync.contact_name(patient.first_name, patient.last_name, patient.number),
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": patient.email,
        "phone": patient.phone,
    }
    last = (
        session.execute(
            select(OutboxJobRow.payload)
            .where(
                OutboxJobRow.kind == xero_sync.CONTACT,
                OutboxJobRow.subject_id == patient.id,
                OutboxJobRow.state != JobState.SUPERSEDED.value,
            )
            .order_by(OutboxJobRow.created_at.desc())
        )
        .scalars()
        .first()
    )
    if last == payload:
        return None  # nothing Xero keeps changed (e.g. only the clinical notes did)
    return _enqueue(
        session,
        xero_sync.CONTACT,
        patient.id,
        patient.version,
        xero_sync.STAGE_CONTACT,
        payload,
        None,
    )


def _contact_dependency(session: Session, patient_id: uuid.UUID) -> uuid.UUID | None:
    """The open contact job an invoice must wait for; queues one if the patient has
    never been sent to Xero (e.g. registered before Xero was connected)."""
    job = _open_job(session, xero_sync.CONTACT, patient_id)
    if job is not None:
        return job.id
    link = session.execute(
        select(XeroContactRow).where(XeroContactRow.patient_id == patient_id)
    ).scalar_one_or_none()
    if link is not None and link.xero_contact_id:
        return None
    patient = session.get(PatientRow, patient_id)
    assert patient is not None
    sent_before = session.execute(
        select(OutboxJobRow.id).where(
            OutboxJobRow.kind == xero_sync.CONTACT,
            OutboxJobRow.subject_id == patient_id,
            OutboxJobRow.state == JobState.DONE.value,
        )
    ).first()
    if sent_before is not None:
        return None
    created = patient_changed(session, patient)
    return created.id if created is not None else None


# --------------------------------------------------------------------------- invoices


def invoice_payload(
    invoice: InvoiceRow, patient_number: int, date_basis: str = "service"
) -> dict[str, Any]:
    """What the invoice job sends. Dated the date of service by default (the clinic's
    choice in Settings ▸ Xero ▸ Accounts), so its income lands in that period."""
    dated = invoice.issued_on
    if date_basis == "service" and invoice.service_date is not None:
        dated = invoice.service_date
    return {
        "invoice_id": str(invoice.id),
        "number": invoice.number,
        "patient_id": str(invoice.patient_id),
        "contact_number": xero_sync.contact_number(patient_number),
        "date": dated.isoformat(),
        "due_date": max(invoice.due_on, dated).isoformat(),
        "reference": f"{invoice.type_name} {invoice.service_date:%d/%m/%Y}",
        "currency": invoice.currency,
        "status": "VOIDED" if invoice.status == "voided" else "AUTHORISED",
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_cents": line.unit_price_cents,
            }
            for line in invoice.lines
        ],
    }


def invoice_changed(session: Session, invoice: InvoiceRow) -> OutboxJobRow | None:
    """An invoice was raised, edited or voided."""
    if not xero_enabled(session):
        return None
    _flush(session)
    depends_on = _contact_dependency(session, invoice.patient_id)
    patient = session.get(PatientRow, invoice.patient_id)
    assert patient is not None
    return _enqueue(
        session,
        xero_sync.INVOICE,
        invoice.id,
        invoice.version,
        xero_sync.STAGE_INVOICE,
        invoice_payload(invoice, patient.number, _invoice_date_basis(session)),
        depends_on,
    )


def _invoice_date_basis(session: Session) -> str:
    basis = session.execute(
        select(XeroSettingsRow.invoice_date_basis).where(XeroSettingsRow.key == "main")
    ).scalar_one_or_none()
    return basis or "service"


def _invoice_dependency(session: Session, invoice: InvoiceRow) -> uuid.UUID | None:
    job = _open_job(session, xero_sync.INVOICE, invoice.id)
    if job is not None:
        return job.id
    if invoice.xero_invoice_id:
        return None
    done = session.execute(
        select(OutboxJobRow.id).where(
            OutboxJobRow.kind == xero_sync.INVOICE,
            OutboxJobRow.subject_id == invoice.id,
            OutboxJobRow.state == JobState.DONE.value,
        )
    ).first()
    if done is not None:
        return None
    created = invoice_changed(session, invoice)  # raised before Xero was connected
    return created.id if created is not None else None


# --------------------------------------------------------------------------- payments


def payment_changed(
    session: Session, invoice: InvoiceRow, payment: PaymentRow
) -> OutboxJobRow | None:
    """A payment was taken, edited or deleted; or its invoice changed in a way that
    makes Xero need it again. Xero payments cannot be edited, only replaced, so a
    payment that has (or may have) been in Xero is sent again under a new revision,
    hence a new Reference (FD-000123-P1.2); one that never got there keeps its first
    Reference, as nothing in Xero needs telling apart from it."""
    if not xero_enabled(session):
        return None
    live = payment.status == "received"
    if live and (not payment.xero_revision or _may_be_in_xero(session, payment)):
        payment.xero_revision = (payment.xero_revision or 0) + 1
    _flush(session)
    depends_on = _invoice_dependency(session, invoice)
    payload = {
        "payment_id": str(payment.id),
        "invoice_id": str(invoice.id),
        "invoice_number": invoice.number,
        "live": live,
        "reference": xero_sync.payment_reference(payment.number, payment.xero_revision or 1),
        "amount_cents": payment.amount_cents,
        "date": payment.received_on.isoformat(),
        "method": payment.method,
    }
    return _enqueue(
        session,
        xero_sync.PAYMENT,
        payment.id,
        payment.version,
        xero_sync.STAGE_PAYMENT,
        payload,
        depends_on,
    )


def _may_be_in_xero(session: Session, payment: PaymentRow) -> bool:
    """Xero has this payment, or an attempt to send it may have landed (its answer
    was lost). An attempt Xero answered with a refusal made nothing."""
    if payment.xero_payment_id:
        return True
    results = session.execute(
        select(OutboxJobRow.result).where(
            OutboxJobRow.kind == xero_sync.PAYMENT, OutboxJobRow.subject_id == payment.id
        )
    ).scalars()
    return any(
        (result or {}).get("sending") and not (result or {}).get("refusals") for result in results
    )


def refund_added(session: Session, invoice: InvoiceRow, refund: RefundRow) -> OutboxJobRow | None:
    """Money handed back: a credit note for the amount, refunded in cash, in Xero."""
    if not xero_enabled(session):
        return None
    _flush(session)
    depends_on = _invoice_dependency(session, invoice)
    patient = session.get(PatientRow, invoice.patient_id)
    assert patient is not None
    payload = {
        "refund_id": str(refund.id),
        "invoice_id": str(invoice.id),
        "invoice_number": invoice.number,
        "patient_id": str(invoice.patient_id),
        "contact_number": xero_sync.contact_number(patient.number),
        "credit_note_number": refund.number,
        "amount_cents": refund.amount_cents,
        "currency": refund.currency,
        "date": refund.refunded_on.isoformat(),
        "method": refund.method,
        "description": f"Refund on {invoice.number}: {refund.reason}".strip().rstrip(":"),
    }
    return _enqueue(
        session,
        xero_sync.REFUND,
        refund.id,
        refund.version,
        xero_sync.STAGE_REFUND,
        payload,
        depends_on,
    )
