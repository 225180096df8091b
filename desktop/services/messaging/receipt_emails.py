"""Emailing a patient the receipt (or tax invoice) of one service, through the outbox.

The email goes the way reminders do: one outgoing message with its outbox job,
sent by the email channel, shown in the patient's message log with its status.
The PDF is rendered when the email is sent, from the invoice as it is then.

Never twice: one email per invoice *revision* — the invoice's version and what
has been paid, credited and refunded on it. Asking again for the same revision
is refused with a clear message (the message log has Retry for one that failed);
once the invoice is edited or paid, a new (corrected) receipt can be emailed.
A receipt still queued when its invoice is voided is not sent (see compose).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.billing import Invoice, InvoiceStatus, PaidStatus
from desktop.domain.errors import InvalidInput, NotFound
from desktop.domain.messages import is_email_address
from desktop.domain.outbox import Channel, JobState
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging.records import KINDS, Purpose, add_message
from desktop.services.messaging.reminders import opt_outs_of
from desktop.services.receipts import document_title
from desktop.store import billing_queries, outbox
from desktop.store.billing_models import InvoiceRow
from desktop.store.messaging_models import OutgoingMessageRow
from desktop.store.models import PatientRow
from desktop.store.outbox_models import OutboxJobRow

RECEIPT_KIND = KINDS[(Channel.EMAIL, Purpose.INVOICE_RECEIPT)]


def revision_of(invoice: Invoice) -> str:
    """What the emailed PDF shows that can change: the invoice's own edits and the money
    on it (a payment does not change the invoice's version)."""
    return (
        f"{invoice.version}:{invoice.status.value}:{invoice.paid.cents}:"
        f"{invoice.credited.cents}:{invoice.refunded.cents}"
    )


def receipt_address(session: Session, patient_id: uuid.UUID) -> str:
    """The patient's email address a receipt would go to, or "" (none, not valid, or
    they asked for no email)."""
    patient = session.get(PatientRow, patient_id)
    if patient is None or not is_email_address(patient.email):
        return ""
    opted = opt_outs_of(session, [patient_id]).get(patient_id)
    if opted is not None and not opted.allows(Channel.EMAIL):
        return ""
    return patient.email.strip()


def email_address_for_receipts(ctx: ServiceContext, patient_id: uuid.UUID) -> str:
    """For the payment dialog's "Email receipt to …" box: "" when none can go."""
    ctx.actor()
    with ctx.database.reading() as session:
        return receipt_address(session, patient_id)


_ALREADY = (
    "This {what} was already emailed to {name}; see their message log (a failed one can be "
    "retried there)."
)


def _what(invoice: Invoice) -> str:
    return f"{document_title(invoice).lower()} ({invoice.number})"


def receipt_text(invoice: Invoice, first_name: str, clinic_name: str) -> tuple[str, str]:
    """The subject and body of a receipt email (written at its first sending attempt)."""
    title = document_title(invoice).lower()
    claim = ", for claiming from your health fund" if invoice.paid_status is PaidStatus.PAID else ""
    return (
        f"Your {title} {invoice.number} from {clinic_name}",
        f"Dear {first_name},\n\n"
        f"Attached is your {title} {invoice.number} for {invoice.service.type_name} "
        f"on {invoice.service.service_date:%-d %B %Y}{claim}.\n\n"
        f"Kind regards,\n{clinic_name}\n",
    )


def pushed_receipt(session: Session, message: OutgoingMessageRow) -> Invoice:
    """Server: the invoice a receipt a desk queued is for — the live invoice of its
    service and patient — refused when there is none, or its receipt already went."""
    invoice_id = session.execute(
        select(InvoiceRow.id).where(
            InvoiceRow.appointment_id == message.appointment_id,
            InvoiceRow.patient_id == message.patient_id,
            InvoiceRow.clinic_id == message.clinic_id,
            InvoiceRow.status == InvoiceStatus.ISSUED.value,
        )
    ).scalar_one_or_none()
    invoice = billing_queries.load_invoice(session, invoice_id) if invoice_id else None
    if invoice is None:
        raise NotFound("The invoice this receipt is for no longer exists, or was voided.")
    if _already_queued(session, invoice.id, revision_of(invoice)):
        raise InvalidInput(_ALREADY.format(what=_what(invoice), name=invoice.patient_name))
    return invoice


def queue_pushed_receipt(
    session: Session, message: OutgoingMessageRow, invoice: Invoice, now: datetime
) -> None:
    """Server: the job of a receipt a desk queued, under the desk's job id."""
    outbox.enqueue(
        session,
        channel=Channel.EMAIL,
        kind=RECEIPT_KIND,
        subject_id=invoice.id,
        subject_version=invoice.version,
        payload={"message_id": str(message.id), "revision": revision_of(invoice)},
        not_before=now,
        supersede=False,
        job_id=message.job_id,
    )


def _already_queued(session: Session, invoice_id: uuid.UUID, revision: str) -> bool:
    jobs = session.execute(
        select(OutboxJobRow.payload).where(
            OutboxJobRow.kind == RECEIPT_KIND,
            OutboxJobRow.subject_id == invoice_id,
            OutboxJobRow.state != JobState.SUPERSEDED.value,
        )
    ).scalars()
    return any((payload or {}).get("revision") == revision for payload in jobs)


def queue_receipt_email(ctx: ServiceContext, invoice_id: uuid.UUID) -> tuple[str, Changes]:
    """Queue the invoice's receipt to the patient's email; returns the address."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        session = uow.session
        invoice = billing_queries.load_invoice(session, invoice_id)
        if invoice is None:
            raise NotFound("That invoice no longer exists.")
        if invoice.status is InvoiceStatus.VOIDED:
            raise InvalidInput(f"Invoice {invoice.number} is void; there is no receipt to email.")
        patient = session.get(PatientRow, invoice.patient_id)
        if patient is None:
            raise NotFound("That patient no longer exists.")
        name = f"{patient.first_name} {patient.last_name}"
        opted = opt_outs_of(session, [patient.id]).get(patient.id)
        if opted is not None and not opted.allows(Channel.EMAIL):
            raise InvalidInput(
                f"{name} asked not to receive email, so the receipt was not sent. "
                "Print it instead, or clear “No email” on their card if they now want it."
            )
        if not is_email_address(patient.email):
            shown = (
                f"“{patient.email.strip()}” is not a valid email address"
                if patient.email
                else ("there is no email address")
            )
            raise InvalidInput(
                f"The receipt was not queued: {shown} for {name}. Fix it on their card, then "
                "email the receipt again."
            )
        if _already_queued(session, invoice.id, revision_of(invoice)):
            raise InvalidInput(_ALREADY.format(what=_what(invoice), name=name))
        add_message(
            session,
            clinic_id=invoice.service.clinic_id,
            channel=Channel.EMAIL,
            purpose=Purpose.INVOICE_RECEIPT,
            subject_id=invoice.id,
            subject_version=invoice.version,
            patient_id=patient.id,
            # With the patient, the service names the invoice for a server (the job,
            # which names it itself, is not pushed): see `pushed_receipt`.
            appointment_id=invoice.service.appointment_id,
            payload={"revision": revision_of(invoice)},
        )
        address = patient.email.strip()
        uow.commit()
    return address, Changes(outbox=True, ids=frozenset({invoice_id}))
