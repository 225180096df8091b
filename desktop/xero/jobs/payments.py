"""Payments to Xero: created in batches; "edited" by deleting and creating again.

Xero cannot edit a payment. Every job for a live payment therefore means "this is
the payment now": whatever Xero holds for it from before (our link, or an
earlier attempt whose answer we never heard) is deleted, and the payment is
created under this revision's Reference (FD-000123-P1, FD-000123-P1.2 ...). That
Reference is what a retry looks for before creating, so nothing is paid twice.
A payment found under it counts as this one only if it is for the same amount on
the same invoice; otherwise the job is parked naming both (never adopted).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from xero_python.accounting import Payments

from desktop.domain import xero_sync
from desktop.domain.money import Money
from desktop.domain.outbox import Delivered, OutboxJob, Outcome, Refused, TryAgain
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, chunks, sends
from desktop.xero.errors import XeroRefused
from desktop.xero.jobs.in_xero import SentDocument, XeroLookup, where_any
from desktop.xero.jobs.invoices import delete_payment, invoice_id_for

PAYMENTS_BY_REFERENCE = XeroLookup(
    "get_payments",
    "payments",
    query=where_any("Reference", authorised_only=True),
    reference_of=lambda payment: payment.reference,
)


def _not_this_payment(delivery: XeroDelivery, job: OutboxJob, found: Any) -> str | None:
    """A payment in Xero under this job's Reference is ours only if it is for the
    same amount on the same invoice; anything else is named, never adopted."""
    payload = job.payload
    invoice = getattr(found, "invoice", None)
    number = str(getattr(invoice, "invoice_number", None) or "")
    xero_invoice_id = str(getattr(invoice, "invoice_id", None) or "")
    same_invoice = number == payload["invoice_number"] or (
        bool(xero_invoice_id)
        and xero_invoice_id == delivery.links.invoice_id(uuid.UUID(payload["invoice_id"]))
    )
    return payment_mismatch(
        found,
        reference=payload["reference"],
        cents=int(payload["amount_cents"]),
        target=f"invoice {payload['invoice_number']}",
        found_on=f"invoice {number}" if number else "another document",
        same_target=same_invoice,
    )


def payment_mismatch(
    found: Any, *, reference: str, cents: int, target: str, found_on: str, same_target: bool
) -> str | None:
    """The clinic's message when the payment Xero holds under our Reference is for
    another amount or another document than ours; None when it is ours."""
    wanted, held = Money(cents), Money(documents.cents(found.amount or 0))
    if held == wanted and same_target:
        return None
    return (
        f"Xero already has a payment with Reference {reference}, for {held} on {found_on}, "
        f"but Frontdesk's is for {wanted} on {target}. Frontdesk has not taken it as "
        "this one: check that payment in Xero (delete it there if it is wrong), "
        "then press Retry."
    )


PAYMENT = SentDocument(
    lookup=PAYMENTS_BY_REFERENCE,
    reference=lambda job: str(job.payload["reference"]),
    id_of=lambda payment: payment.payment_id,
    result_key="xero_payment_id",
    linked=lambda delivery, job: delivery.links.payment_id(job.subject_id),
    link=lambda delivery, job, xero_id: delivery.links.set_payment_id(job.subject_id, xero_id),
    mismatch=_not_this_payment,
)


@sends(xero_sync.PAYMENT)
def send_payments(
    delivery: XeroDelivery, jobs: list[OutboxJob]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    # Only what this very job made counts as known: our row's link may be an
    # earlier revision's payment, which is deleted before this one is made.
    created: dict[uuid.UUID, str] = {
        job.id: str(job.result["xero_payment_id"])
        for job in jobs
        if job.result.get("xero_payment_id")
    }
    unsure = [j for j in jobs if j.id not in created and delivery.links.may_exist(j)]
    orphans = _earlier_references(delivery, unsure)
    found_items = PAYMENTS_BY_REFERENCE.find(
        delivery, sorted({PAYMENT.reference(j) for j in unsure} | orphans)
    )
    found = {reference: str(item.payment_id) for reference, item in found_items.items()}
    to_create: list[OutboxJob] = []
    for job in jobs:
        reference = PAYMENT.reference(job)
        if job.payload["live"] and job.id not in created and reference in found_items:
            problem = PAYMENT.mismatch(delivery, job, found_items[reference])
            if problem:
                yield job, Refused(problem)
                continue
        mine = created.get(job.id) or (found.get(reference) if job.payload["live"] else None)
        try:
            _clear_the_way(delivery, job, mine, found)
        except XeroRefused as exc:
            yield job, exc.refusal()
            continue
        if not job.payload["live"]:
            yield job, Delivered({"deleted": True})
        elif job.id in created:
            delivery.links.set_payment_id(job.subject_id, created[job.id])
            yield job, Delivered({"xero_payment_id": created[job.id]})
        elif reference in found:
            yield job, PAYMENT.adopt(delivery, job, found[reference])
        else:
            to_create.append(job)
    yield from _create(delivery, to_create)


def _earlier_references(delivery: XeroDelivery, jobs: list[OutboxJob]) -> set[str]:
    """References sent by replaced jobs whose answer we may never have heard."""
    references: set[str] = set()
    for job in jobs:
        for payload in delivery.links.sent_payloads(job):
            if payload.get("reference") and payload["reference"] != job.payload["reference"]:
                references.add(str(payload["reference"]))
    return references


def _clear_the_way(
    delivery: XeroDelivery, job: OutboxJob, mine: str | None, found: dict[str, str]
) -> None:
    """Delete what Xero holds for this payment from before this job; `mine` is the
    Xero payment this very job already made (kept)."""
    stale: set[str] = set()
    current = delivery.links.payment_id(job.subject_id)
    if current:
        stale.add(current)
    for payload in delivery.links.sent_payloads(job):
        earlier = found.get(str(payload.get("reference") or ""))
        if earlier:
            stale.add(earlier)
    if not job.payload["live"] and job.payload["reference"] in found:
        stale.add(found[job.payload["reference"]])
    stale.discard(mine or "")
    for xero_id in sorted(stale):
        delete_payment(delivery, xero_id, f"{job.idempotency_key}-del-{xero_id}")


def _create(delivery: XeroDelivery, jobs: list[OutboxJob]) -> Iterator[tuple[OutboxJob, Outcome]]:
    ready: list[tuple[OutboxJob, str]] = []
    for job in jobs:
        invoice_id = invoice_id_for(
            delivery, uuid.UUID(job.payload["invoice_id"]), job.payload["invoice_number"]
        )
        if invoice_id is None:
            yield job, TryAgain(f"Invoice {job.payload['invoice_number']} is not in Xero yet.")
        else:
            ready.append((job, invoice_id))
    for batch in chunks(ready, delivery.batch_size):
        batch_jobs = [job for job, _ in batch]
        body = Payments(
            payments=[
                documents.payment(job.payload, delivery.connection, invoice_id)
                for job, invoice_id in batch
            ]
        )
        answer = delivery.create(batch_jobs, "create_payments", "payments", body)
        yield from PAYMENT.settle(delivery, batch_jobs, answer.payments or [])
