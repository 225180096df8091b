"""Invoices to Xero: new ones in batches; changes and voids one at a time.

Xero will not change an invoice with payments on it, so before an edit or a void
the payments Frontdesk made are deleted in Xero; the payment jobs queued with the
edit put them back afterwards. A payment someone entered in Xero by hand is
never touched: the job is parked asking for it to be removed there first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from xero_python.accounting import Invoice, Invoices, PaymentDelete

from desktop.domain import xero_sync
from desktop.domain.outbox import Delivered, OutboxJob, Outcome, Refused, TryAgain
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, batch_key, chunks, sends
from desktop.xero.errors import XeroNotFound, XeroRefused
from desktop.xero.jobs.contacts import contact_id_for
from desktop.xero.jobs.in_xero import SentDocument, XeroLookup

INVOICES_BY_NUMBER = XeroLookup(
    "get_invoices",
    "invoices",
    query=lambda numbers: {"invoice_numbers": numbers},
    reference_of=lambda invoice: invoice.invoice_number,
    counts=lambda invoice: str(invoice.status) != "DELETED",
    per_call=40,  # numbers go in the query string, not a `where` clause
)

INVOICE = SentDocument(
    lookup=INVOICES_BY_NUMBER,
    reference=lambda job: str(job.payload["number"]),
    id_of=lambda invoice: invoice.invoice_id,
    result_key="xero_invoice_id",
    linked=lambda delivery, job: delivery.links.invoice_id(job.subject_id),
    link=lambda delivery, job, xero_id: delivery.links.set_invoice_id(job.subject_id, xero_id),
)


def invoice_id_for(delivery: XeroDelivery, invoice_id: uuid.UUID, number: str) -> str | None:
    known = delivery.links.invoice_id(invoice_id)
    if known:
        return known
    found = INVOICE.find_ids(delivery, [number]).get(number)
    if found:
        delivery.links.set_invoice_id(invoice_id, found)
    return found


@sends(xero_sync.INVOICE)
def send_invoices(
    delivery: XeroDelivery, jobs: list[OutboxJob]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    known, _never = INVOICE.already_in_xero(delivery, jobs)
    new: list[tuple[OutboxJob, str]] = []
    for job in jobs:
        if job.id in known:
            continue
        if job.payload["status"] == "VOIDED":
            # Void before it ever reached Xero: there is nothing to void there.
            yield job, Delivered({"skipped": "void before it reached Xero"})
            continue
        contact_id = contact_id_for(
            delivery, uuid.UUID(job.payload["patient_id"]), job.payload["contact_number"]
        )
        if contact_id is None:
            yield job, TryAgain("The patient is not in Xero yet.")
            continue
        new.append((job, contact_id))
    for batch in chunks(new, delivery.batch_size):
        batch_jobs = [job for job, _ in batch]
        body = Invoices(
            invoices=[
                documents.invoice(job.payload, delivery.connection, contact_id)
                for job, contact_id in batch
            ]
        )
        answer = delivery.create(batch_jobs, "create_invoices", "invoices", body)
        yield from INVOICE.settle(delivery, batch_jobs, answer.invoices or [])
    for job in jobs:
        if job.id in known:
            yield job, _update(delivery, job, known[job.id])


def _same(current: Any, payload: dict[str, Any]) -> bool:
    """Whether Xero's invoice already says what the job wants (e.g. a replayed job)."""
    lines = current.line_items or []
    return (
        current.date == documents.day(payload["date"])
        and documents.cents(current.total or 0) == documents.invoice_total_cents(payload)
        and [str(line.description) for line in lines]
        == [line["description"] for line in payload["lines"]]
    )


def _update(delivery: XeroDelivery, job: OutboxJob, xero_id: str) -> Outcome:
    """Change or void the invoice in Xero. When our own records say Xero holds no
    money on it (no payment of ours there, no credit of ours allocated, and this is
    the job's first try) the change goes at once, without reading the invoice
    first; if Xero refuses (money recorded there by hand), it is read and handled."""
    if _nothing_on_it_in_xero(delivery, job):
        try:
            return _post_change(delivery, job, xero_id, "")
        except XeroRefused:
            pass  # Xero holds something we did not know of: read it, then decide
    return _update_after_reading(delivery, job, xero_id)


def _nothing_on_it_in_xero(delivery: XeroDelivery, job: OutboxJob) -> bool:
    return (
        job.attempts == 0
        and not job.result.get("sending")
        and not delivery.links.payment_ids_of_invoice(job.subject_id)
        and not delivery.links.allocations_on_invoice(job.subject_id)
    )


def _post_change(delivery: XeroDelivery, job: OutboxJob, xero_id: str, operation: str) -> Outcome:
    payload = job.payload
    if payload["status"] == "VOIDED":
        change = Invoice(invoice_id=xero_id, status="VOIDED")
    else:
        contact_id = contact_id_for(
            delivery, uuid.UUID(payload["patient_id"]), payload["contact_number"]
        )
        if contact_id is None:
            return TryAgain("The patient is not in Xero yet.")
        change = documents.invoice(payload, delivery.connection, contact_id, xero_id)
    body = Invoices(invoices=[change])
    delivery.api.call(
        "update_invoice",
        invoice_id=xero_id,
        invoices=body,
        idempotency_key=batch_key([job], operation, body),
    )
    return Delivered({"xero_invoice_id": xero_id})


def _update_after_reading(delivery: XeroDelivery, job: OutboxJob, xero_id: str) -> Outcome:
    payload = job.payload
    try:
        current = delivery.api.call("get_invoice", invoice_id=xero_id).invoices[0]
    except XeroNotFound:
        return Refused(f"Invoice {payload['number']} is no longer in Xero.")
    status = str(current.status)
    wanted = payload["status"]
    if status in ("VOIDED", "DELETED"):
        if wanted == "VOIDED":
            return Delivered({"xero_invoice_id": xero_id})
        return Refused(f"Invoice {payload['number']} was voided in Xero and cannot change there.")
    if wanted == "AUTHORISED" and _same(current, payload):
        return Delivered({"xero_invoice_id": xero_id})
    try:
        blocked = _take_off_payments(delivery, job, current)
        if blocked is not None:
            return blocked
        # A key of its own: a refused blind attempt may have used the plain one.
        return _post_change(delivery, job, xero_id, "read")
    except XeroRefused as exc:
        return exc.refusal()


def _take_off_payments(delivery: XeroDelivery, job: OutboxJob, current: Any) -> Outcome | None:
    """Delete the payments Frontdesk made on this invoice in Xero (they are recreated
    by their own jobs); refuse if someone else recorded money on it in Xero."""
    payments = [
        p for p in current.payments or [] if str(getattr(p, "status", None) or "") != "DELETED"
    ]
    if not payments:
        return None
    ours = delivery.links.payment_ids_of_invoice(job.subject_id)
    prefix = f"{job.payload['number']}-P"
    foreign = [
        p
        for p in payments
        if str(p.payment_id) not in ours and not str(p.reference or "").startswith(prefix)
    ]
    if foreign:
        return Refused(
            f"Invoice {job.payload['number']} has money recorded in Xero outside Frontdesk. "
            "Remove that payment in Xero, then press Retry."
        )
    for payment in payments:
        key = f"{job.idempotency_key}-del-{payment.payment_id}"
        delete_payment(delivery, str(payment.payment_id), key)
    return None


def delete_payment(delivery: XeroDelivery, xero_payment_id: str, key: str) -> None:
    """Delete one payment in Xero; one already deleted counts as done."""
    try:
        delivery.api.call(
            "delete_payment",
            payment_id=xero_payment_id,
            payment_delete=PaymentDelete(status="DELETED"),
            idempotency_key=key[:128],
        )
    except XeroRefused:
        answer = delivery.api.call("get_payment", payment_id=xero_payment_id)
        if str(answer.payments[0].status) != "DELETED":
            raise
    except XeroNotFound:
        pass
    delivery.links.forget_payment(xero_payment_id)
