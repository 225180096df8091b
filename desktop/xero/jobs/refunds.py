"""Refunds to Xero: a credit note for the amount (FD-000123-R1), refunded in cash.

Xero keeps the invoice PAID (it was paid) and records the money going back as a
payment on the credit note. Both steps are found again by number and Reference
before they are made, so a retried refund is never made twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from xero_python.accounting import CreditNotes, Payments

from desktop.domain import xero_sync
from desktop.domain.outbox import Delivered, OutboxJob, Outcome, Refused, TryAgain
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, sends_each
from desktop.xero.jobs.contacts import contact_id_for
from desktop.xero.jobs.in_xero import SentDocument, XeroLookup, where_any
from desktop.xero.jobs.payments import PAYMENTS_BY_REFERENCE, payment_mismatch

CREDIT_NOTES_BY_NUMBER = XeroLookup(
    "get_credit_notes",
    "credit_notes",
    query=where_any("CreditNoteNumber"),
    reference_of=lambda note: note.credit_note_number,
    counts=lambda note: str(note.status) not in ("DELETED", "VOIDED"),
)


REFUND_NOTE = SentDocument(
    lookup=CREDIT_NOTES_BY_NUMBER,
    reference=lambda job: str(job.payload["credit_note_number"]),
    id_of=lambda note: note.credit_note_id,
    result_key="xero_credit_note_id",
    linked=lambda delivery, job: delivery.links.refund_ids(job.subject_id)[0],
    link=lambda delivery, job, xero_id: delivery.links.set_refund_ids(
        job.subject_id, xero_id, None
    ),
)


def _not_this_refund(_delivery: XeroDelivery, job: OutboxJob, found: Any) -> str | None:
    note = getattr(found, "credit_note", None)
    number = str(getattr(note, "credit_note_number", None) or "")
    wanted = job.payload["credit_note_number"]
    return payment_mismatch(
        found,
        reference=wanted,
        cents=int(job.payload["amount_cents"]),
        target=f"credit note {wanted}",
        found_on=f"credit note {number}" if number else "another document",
        same_target=number == wanted,
    )


REFUND_PAYMENT = SentDocument(
    lookup=PAYMENTS_BY_REFERENCE,
    reference=lambda job: str(job.payload["credit_note_number"]),
    id_of=lambda payment: payment.payment_id,
    result_key="xero_payment_id",
    linked=lambda delivery, job: delivery.links.refund_ids(job.subject_id)[1],
    link=lambda delivery, job, xero_id: delivery.links.set_refund_ids(
        job.subject_id, None, xero_id
    ),
    mismatch=_not_this_refund,
)


@sends_each(xero_sync.REFUND)
def send_refund(delivery: XeroDelivery, job: OutboxJob) -> Outcome:
    note_id = REFUND_NOTE.find_one(delivery, job)
    if note_id is None:
        made = _make_credit_note(delivery, job)
        if not isinstance(made, Delivered):
            return made
        note_id = str(made.result[REFUND_NOTE.result_key])
    if isinstance(note_id, Refused):
        return note_id
    payment_id = REFUND_PAYMENT.find_one(delivery, job)
    if payment_id is None:
        money = Payments(
            payments=[documents.refund_payment(job.payload, delivery.connection, note_id)]
        )
        answer = delivery.create([job], "create_payments", "payments", money)
        paid = REFUND_PAYMENT.settle_one(delivery, job, answer.payments[0])
        if not isinstance(paid, Delivered):
            return paid
        payment_id = str(paid.result[REFUND_PAYMENT.result_key])
    if isinstance(payment_id, Refused):
        return payment_id
    return Delivered({REFUND_NOTE.result_key: note_id, REFUND_PAYMENT.result_key: payment_id})


def _make_credit_note(delivery: XeroDelivery, job: OutboxJob) -> Outcome:
    payload = job.payload
    contact_id = contact_id_for(
        delivery, uuid.UUID(payload["patient_id"]), payload["contact_number"]
    )
    if contact_id is None:
        return TryAgain("The patient is not in Xero yet.")
    note = CreditNotes(
        credit_notes=[documents.refund_credit_note(payload, delivery.connection, contact_id)]
    )
    answer = delivery.create([job], "create_credit_notes", "credit_notes", note)
    return REFUND_NOTE.settle_one(delivery, job, answer.credit_notes[0])
