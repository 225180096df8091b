"""Refunds to Xero: a credit note for the amount (FD-000123-R1), refunded in cash.

Xero keeps the invoice PAID (it was paid) and records the money going back as a
payment on the credit note. Both steps are found again by number and Reference
before they are made, so a retried refund is never made twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from xero_python.accounting import CreditNotes, Payments

from desktop.domain import xero_sync
from desktop.domain.outbox import Delivered, OutboxJob, Outcome, Refused, TryAgain
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, batch_key, sends
from desktop.xero.errors import XeroRefused
from desktop.xero.jobs.common import item_errors
from desktop.xero.jobs.contacts import contact_id_for
from desktop.xero.jobs.payments import find_payments


def _find_credit_note(delivery: XeroDelivery, number: str) -> str | None:
    answer = delivery.api.call(
        "get_credit_notes", where=documents.quoted_or("CreditNoteNumber", [number])
    )
    for item in answer.credit_notes or []:
        if str(item.status) not in ("DELETED", "VOIDED"):
            return str(item.credit_note_id)
    return None


@sends(xero_sync.REFUND)
def send_refunds(
    delivery: XeroDelivery, jobs: list[OutboxJob]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    for job in jobs:
        try:
            yield job, _send_one(delivery, job)
        except XeroRefused as exc:
            yield job, Refused(str(exc))


def _send_one(delivery: XeroDelivery, job: OutboxJob) -> Outcome:
    payload = job.payload
    refund_id = job.subject_id
    linked_note, linked_payment = delivery.links.refund_ids(refund_id)
    note_id = job.result.get("xero_credit_note_id") or linked_note
    payment_id = job.result.get("xero_payment_id") or linked_payment
    unsure = delivery.links.may_exist(job)
    if not note_id and unsure:
        note_id = _find_credit_note(delivery, payload["credit_note_number"])
    if not note_id:
        contact_id = contact_id_for(
            delivery, uuid.UUID(payload["patient_id"]), payload["contact_number"]
        )
        if contact_id is None:
            return TryAgain("The patient is not in Xero yet.")
        delivery.links.mark_sending([job])
        note = CreditNotes(
            credit_notes=[documents.refund_credit_note(payload, delivery.connection, contact_id)]
        )
        answer = delivery.api.call(
            "create_credit_notes",
            credit_notes=note,
            summarize_errors=False,
            idempotency_key=batch_key([job], "", note),
        )
        item = answer.credit_notes[0]
        errors = item_errors(item)
        if errors:
            return Refused("; ".join(errors))
        note_id = str(item.credit_note_id)
        delivery.remember(job, xero_credit_note_id=note_id, sending=True)
        delivery.links.set_refund_ids(refund_id, note_id, None)
    if not payment_id and unsure:
        payment_id = find_payments(delivery, [payload["credit_note_number"]]).get(
            payload["credit_note_number"]
        )
    if not payment_id:
        delivery.links.mark_sending([job])
        money = Payments(
            payments=[documents.refund_payment(payload, delivery.connection, str(note_id))]
        )
        answer = delivery.api.call(
            "create_payments",
            payments=money,
            summarize_errors=False,
            idempotency_key=batch_key([job], "refund", money),
        )
        item = answer.payments[0]
        errors = item_errors(item)
        if errors:
            return Refused("; ".join(errors))
        payment_id = str(item.payment_id)
        delivery.remember(job, xero_payment_id=payment_id)
    delivery.links.set_refund_ids(refund_id, str(note_id), str(payment_id))
    return Delivered({"xero_credit_note_id": str(note_id), "xero_payment_id": str(payment_id)})
