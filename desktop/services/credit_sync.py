"""The Xero jobs patient credit writes (payloads and queueing), beside billing_sync.

Called inside the credit use cases' units of work (desktop.services.credit) and by
the server and `send-history`: a lot -> `xero.credit`, an application of credit ->
`xero.allocation` (live or removed), a refund of unused credit ->
`xero.credit_refund`. Each waits on the job its parent needs in Xero first.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain import credit as rules
from desktop.domain import xero_sync
from desktop.domain.credit import ApplicationStatus, CreditSource
from desktop.services import billing_sync
from desktop.store.billing_models import InvoiceRow
from desktop.store.credit_models import CreditApplicationRow, CreditLotRow, CreditRefundRow
from desktop.store.models import PatientRow
from desktop.store.outbox_models import OutboxJobRow


def lot_payload(row: CreditLotRow, patient: PatientRow) -> dict[str, object]:
    source = CreditSource(row.source)
    return {
        "lot_id": str(row.id),
        "number": row.number,
        "source": source.value,
        "xero_kind": source.xero_kind,
        "patient_id": str(row.patient_id),
        "contact_number": xero_sync.contact_number(patient.number),
        "date": row.received_on.isoformat(),
        "amount_cents": row.amount_cents,
        "currency": row.currency,
        "method": row.method or "bank_transfer",
        "description": f"{row.number} {row.description}",
    }


def lot_changed(session: Session, row: CreditLotRow, patient: PatientRow) -> OutboxJobRow | None:
    if not billing_sync.xero_enabled(session):
        return None
    billing_sync._flush(session)
    depends_on = billing_sync._contact_dependency(session, row.patient_id)
    return billing_sync._enqueue(
        session,
        rules.XERO_CREDIT,
        row.id,
        row.version,
        rules.STAGE_CREDIT,
        dict(lot_payload(row, patient)),
        depends_on,
    )


def lot_dependency(session: Session, lot: CreditLotRow) -> uuid.UUID | None:
    job = billing_sync._open_job(session, rules.XERO_CREDIT, lot.id)
    if job is not None:
        return job.id
    if lot.xero_credit_id:
        return None
    done = session.execute(
        select(OutboxJobRow.id).where(
            OutboxJobRow.kind == rules.XERO_CREDIT,
            OutboxJobRow.subject_id == lot.id,
            OutboxJobRow.state == "done",
        )
    ).first()
    if done is not None:
        return None
    patient = session.get(PatientRow, lot.patient_id)
    assert patient is not None
    created = lot_changed(session, lot, patient)  # sold before Xero was connected
    return created.id if created is not None else None


def application_changed(
    session: Session, app: CreditApplicationRow, lot: CreditLotRow, invoice: InvoiceRow
) -> OutboxJobRow | None:
    """An application was made (allocate in Xero) or given back (remove it there)."""
    if not billing_sync.xero_enabled(session):
        return None
    billing_sync._flush(session)
    live = app.status == ApplicationStatus.APPLIED.value
    lot_job = lot_dependency(session, lot)
    invoice_job = billing_sync._invoice_dependency(session, invoice) if live else None
    payload = {
        "application_id": str(app.id),
        "number": app.number,
        "lot_id": str(lot.id),
        "lot_number": lot.number,
        "xero_kind": CreditSource(lot.source).xero_kind,
        "invoice_id": str(invoice.id),
        "invoice_number": invoice.number,
        "amount_cents": app.amount_cents,
        "date": app.applied_on.isoformat(),
        "live": live,
    }
    return billing_sync._enqueue(
        session,
        rules.XERO_ALLOCATION,
        app.id,
        app.version,
        rules.STAGE_ALLOCATION,
        payload,
        invoice_job or lot_job,
    )


def credit_refund_added(
    session: Session, lot: CreditLotRow, refund: CreditRefundRow
) -> OutboxJobRow | None:
    if not billing_sync.xero_enabled(session):
        return None
    billing_sync._flush(session)
    payload = {
        "refund_id": str(refund.id),
        "number": refund.number,
        "lot_id": str(lot.id),
        "lot_number": lot.number,
        "xero_kind": CreditSource(lot.source).xero_kind,
        "amount_cents": refund.amount_cents,
        "date": refund.refunded_on.isoformat(),
        "method": refund.method,
    }
    return billing_sync._enqueue(
        session,
        rules.XERO_CREDIT_REFUND,
        refund.id,
        refund.version,
        rules.STAGE_CREDIT_REFUND,
        payload,
        lot_dependency(session, lot),
    )


def open_credit_jobs(session: Session, kinds: Sequence[str] | None = None) -> int:
    states = ["pending", "in_flight", "parked", "held"]
    query = select(func.count()).where(
        OutboxJobRow.kind.in_(list(kinds or (rules.XERO_CREDIT, rules.XERO_ALLOCATION))),
        OutboxJobRow.state.in_(states),
    )
    return int(session.execute(query).scalar_one())
