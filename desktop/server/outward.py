"""Xero jobs for the changes desks push: the server's one sender picks them up.

With a server, desks never talk to Xero (they hold no Xero connection; Xero
rotates its refresh token on every use, so two PCs sharing one connection would
kill each other's tokens). The server's database holds the connection, and a
change a desk made is queued for Xero here, in the same transaction that applies
it — the transactional outbox, as the services do on a desk of its own. The jobs
are the services' own (`billing_sync`, `credit`), so Xero sees exactly what it
would have seen had the change been made on the server: one job per change,
superseding an older open one for the same record, in dependency order.
`frontdesk xero worker` against the server's database drains them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from desktop.domain.billing import PaymentStatus
from desktop.services import billing_sync, credit
from desktop.store.billing_models import InvoiceLineRow, InvoiceRow, PaymentRow, RefundRow
from desktop.store.credit_models import CreditApplicationRow, CreditLotRow, CreditRefundRow
from desktop.store.models import PatientRow


def queue_for_xero(session: Session, group: list[Any]) -> None:
    """Queue the Xero jobs for one applied group (nothing when Xero is not connected)."""
    if not billing_sync.xero_enabled(session):
        return
    invoices: dict[uuid.UUID, bool] = {}  # invoice id -> its own row changed (not only lines)
    for mutation in group:
        if mutation.op == "delete":
            continue
        if mutation.entity == "invoices":
            invoices[mutation.entity_id] = mutation.op == "update" or invoices.get(
                mutation.entity_id, False
            )
        elif mutation.entity == "invoice_lines":
            row = session.get(InvoiceLineRow, mutation.entity_id)
            if row is not None:
                invoices.setdefault(row.invoice_id, True)
    for invoice_id, edited in invoices.items():
        invoice = session.get(InvoiceRow, invoice_id)
        if invoice is not None:
            billing_sync.invoice_changed(session, invoice)
            if edited:
                _resend_payments(session, invoice)
    for mutation in group:
        if mutation.op != "delete":
            _queue_one(session, mutation.entity, mutation.entity_id)


def _resend_payments(session: Session, invoice: InvoiceRow) -> None:
    """As billing._resend_payments: Xero takes payments off an invoice it changes."""
    for payment in invoice.payments:
        if payment.status == PaymentStatus.RECEIVED.value and payment.xero_revision > 0:
            billing_sync.payment_changed(session, invoice, payment)


def _queue_one(session: Session, entity: str, entity_id: uuid.UUID) -> None:
    if entity == "patients":
        patient = session.get(PatientRow, entity_id)
        if patient is not None:
            billing_sync.patient_changed(session, patient)
    elif entity == "payments":
        payment = session.get(PaymentRow, entity_id)
        if payment is not None:
            billing_sync.payment_changed(session, payment.invoice, payment)
    elif entity == "refunds":
        refund = session.get(RefundRow, entity_id)
        if refund is not None:
            billing_sync.refund_added(session, refund.invoice, refund)
    elif entity == "credit_lots":
        lot = session.get(CreditLotRow, entity_id)
        patient = session.get(PatientRow, lot.patient_id) if lot is not None else None
        if lot is not None and patient is not None:
            credit.lot_changed(session, lot, patient)
    elif entity == "credit_applications":
        app = session.get(CreditApplicationRow, entity_id)
        invoice = session.get(InvoiceRow, app.invoice_id) if app is not None else None
        if app is not None and invoice is not None:
            credit.application_changed(session, app, app.lot, invoice)
    elif entity == "credit_refunds":
        handed_back = session.get(CreditRefundRow, entity_id)
        if handed_back is not None:
            credit.credit_refund_added(session, handed_back.lot, handed_back)
