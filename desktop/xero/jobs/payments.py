"""Payments to Xero: created in batches; "edited" by deleting and creating again.

Xero cannot edit a payment. Every job for a live payment therefore means "this is
the payment now": whatever Xero holds for it from before (our link, or an
earlier attempt whose answer we never heard) is deleted, and the payment is
created under this revision's Reference (FD-000123-P1, FD-000123-P1.2 ...). That
Reference is what a retry looks for before creating, so nothing is paid twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from xero_python.accounting import Payments

from desktop.domain import xero_sync
from desktop.domain.outbox import Delivered, OutboxJob, Outcome, Refused, TryAgain
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, chunks, sends
from desktop.xero.errors import XeroRefused
from desktop.xero.jobs.common import item_errors, refusal
from desktop.xero.jobs.invoices import delete_payment, invoice_id_for


def find_payments(delivery: XeroDelivery, references: Sequence[str]) -> dict[str, str]:
    """Reference -> PaymentID for live (not deleted) payments Xero has."""
    found: dict[str, str] = {}
    for part in chunks(list(references), 20):
        clause = documents.quoted_or("Reference", list(part))
        answer = delivery.api.call("get_payments", where=f'({clause}) AND Status=="AUTHORISED"')
        for item in answer.payments or []:
            if item.reference:
                found[str(item.reference)] = str(item.payment_id)
    return found


@sends(xero_sync.PAYMENT)
def send_payments(
    delivery: XeroDelivery, jobs: list[OutboxJob]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    created: dict[uuid.UUID, str] = {
        job.id: str(job.result["xero_payment_id"])
        for job in jobs
        if job.result.get("xero_payment_id")
    }
    unsure = [j for j in jobs if j.id not in created and delivery.links.may_exist(j)]
    orphans = _earlier_references(delivery, unsure)
    found = find_payments(delivery, sorted({j.payload["reference"] for j in unsure} | orphans))
    to_create: list[OutboxJob] = []
    for job in jobs:
        reference = job.payload["reference"]
        mine = created.get(job.id) or (found.get(reference) if job.payload["live"] else None)
        try:
            _clear_the_way(delivery, job, mine, found)
        except XeroRefused as exc:
            yield job, Refused(str(exc))
            continue
        if not job.payload["live"]:
            yield job, Delivered({"deleted": True})
        elif job.id in created:
            delivery.links.set_payment_id(job.subject_id, created[job.id])
            yield job, Delivered({"xero_payment_id": created[job.id]})
        elif reference in found:
            xero_id = found[reference]
            delivery.remember(job, xero_payment_id=xero_id)
            delivery.links.set_payment_id(job.subject_id, xero_id)
            yield job, Delivered({"xero_payment_id": xero_id})
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
        yield from _settle(delivery, batch_jobs, answer.payments or [])


def _settle(
    delivery: XeroDelivery, jobs: Sequence[OutboxJob], items: Sequence[Any]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    for job, item in zip(jobs, items, strict=True):
        errors = item_errors(item)
        if errors:
            yield job, refusal(errors)
            continue
        xero_id = str(item.payment_id)
        delivery.remember(job, xero_payment_id=xero_id)
        delivery.links.set_payment_id(job.subject_id, xero_id)
        yield job, Delivered({"xero_payment_id": xero_id})
