"""Turning a queued message into what goes out now: the address, the text, the cost.

Called by the channel handlers just before each send. It checks again that the
message is still wanted (the appointment may have been cancelled or moved, the
patient may have opted out since it was queued), reads the recipient from the
patient's record as it is *now* (so fixing an address and pressing Retry
works), and writes the text once: the first attempt renders the template and
keeps the result, so a retry sends exactly the same text,
and the message log shows what was sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from desktop.domain.appointments import AppointmentKind, AppointmentStatus
from desktop.domain.billing import InvoiceStatus
from desktop.domain.clinic_time import clinic_zone
from desktop.domain.messages import (
    ReminderFacts,
    Template,
    is_email_address,
    sms_length,
    sms_number,
)
from desktop.domain.outbox import Channel, OutboxJob
from desktop.domain.phones import region_for_zone
from desktop.services.messaging.receipt_emails import receipt_text
from desktop.services.messaging.records import Purpose
from desktop.services.messaging.reminders import opt_outs_of
from desktop.services.messaging.settings import MessagingSettings, settings_in
from desktop.services.receipts import ClinicHeading, document_title, render_invoice_pdf
from desktop.store import billing_queries
from desktop.store.database import Database
from desktop.store.messaging_models import OutgoingMessageRow
from desktop.store.models import AppointmentRow, ClinicRow, PatientRow


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready to hand to the mail server or the gateway."""

    message_id: uuid.UUID
    clinic_id: uuid.UUID
    channel: Channel
    recipient: str
    subject: str
    body: str
    segments: int  # SMS parts (what the provider bills); 0 for email
    settings: MessagingSettings
    clinic_name: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes  # a PDF


@dataclass(frozen=True, slots=True)
class Skip:
    """No longer wanted: nothing is sent and nothing is wrong."""

    reason: str


@dataclass(frozen=True, slots=True)
class Undeliverable:
    """Cannot go until a person fixes something (e.g. adds a mobile number)."""

    reason: str


Composed = Outgoing | Skip | Undeliverable
NO_MORE_RECEIPTS = (
    "Frontdesk no longer sells SMS credit: the SMS provider bills the clinic "
    "and sends its own receipts."
)


def compose(database: Database, job: OutboxJob, now: datetime) -> Composed:
    try:
        message_id = uuid.UUID(str(job.payload.get("message_id")))
    except ValueError:
        # Another feature queued mail on this channel without a message record.
        return Undeliverable(f"Frontdesk has no sender for “{job.kind}” messages.")
    with database.write_session() as session:
        message = session.get(OutgoingMessageRow, message_id)
        if message is None:
            return Skip("The message was removed.")
        clinic = session.get(ClinicRow, message.clinic_id)
        if clinic is None:
            return Skip("The clinic was removed.")
        settings = settings_in(session, clinic.id)
        if message.purpose == Purpose.INVOICE_RECEIPT.value:
            result = _patient_receipt(session, job, message, clinic, settings)
        elif message.purpose == Purpose.RECEIPT.value:
            result = _receipt(message, clinic, settings)
        elif message.purpose == Purpose.WAIT_LIST.value:
            result = _written(session, message, clinic, settings)
        else:
            result = _reminder(session, message, clinic, settings, now)
        if isinstance(result, Outgoing):
            message.recipient = result.recipient
            message.subject, message.body = result.subject, result.body
            message.segments = result.segments
            session.commit()
        return result


def _reminder(
    session: Session,
    message: OutgoingMessageRow,
    clinic: ClinicRow,
    settings: MessagingSettings,
    now: datetime,
) -> Composed:
    channel = Channel(message.channel)
    by = "SMS" if channel is Channel.SMS else "email"
    appointment = (
        session.get(AppointmentRow, message.appointment_id) if message.appointment_id else None
    )
    patient = session.get(PatientRow, message.patient_id) if message.patient_id else None
    if appointment is None or patient is None:
        return Skip("The appointment was deleted.")
    if appointment.status != AppointmentStatus.BOOKED.value:
        return Skip(f"The appointment is {AppointmentStatus(appointment.status).label.lower()}.")
    if appointment.starts_at != message.for_starts_at:
        return Skip("The appointment was moved.")
    if appointment.starts_at <= now:
        return Skip("The appointment had already started.")
    if appointment.appointment_type.kind == AppointmentKind.CLASS.value and not any(
        a.patient_id == patient.id and a.status == AppointmentStatus.BOOKED.value
        for a in appointment.attendances
    ):
        return Skip("The patient is no longer booked into the class.")
    if not (settings.reminders_by_sms if channel is Channel.SMS else settings.reminders_by_email):
        return Skip(f"Reminders by {by} were turned off.")
    if _opted_out(session, patient, channel):
        return Skip(f"The patient asked not to receive {by} messages.")
    recipient = _patient_address(patient, channel, region_for_zone(clinic.timezone))
    if isinstance(recipient, Undeliverable):
        return recipient
    subject, body = message.subject, message.body
    if not body:
        values = ReminderFacts(
            first_name=patient.first_name,
            starts_at=appointment.starts_at,
            zone=clinic_zone(clinic.timezone),
            practitioner=appointment.practitioner.name,
            location=clinic.name,
            address=clinic.address,
            clinic_phone=clinic.phone,
        ).values()
        if channel is Channel.SMS:
            body = Template(settings.sms_template).render(values)
        else:
            subject = Template(settings.email_subject).render(values)
            body = Template(settings.email_body).render(values)
    return Outgoing(
        message.id,
        clinic.id,
        channel,
        recipient,
        subject,
        body,
        sms_length(body).segments if channel is Channel.SMS else 0,
        settings,
        clinic.name,
    )


def _written(
    session: Session, message: OutgoingMessageRow, clinic: ClinicRow, settings: MessagingSettings
) -> Composed:
    """A text written when it was queued (a wait-list offer or its answer): to the patient's
    mobile as it is now, unless they have since opted out of SMS."""
    patient = session.get(PatientRow, message.patient_id) if message.patient_id else None
    if patient is None:
        return Skip("The patient was removed.")
    if _opted_out(session, patient, Channel.SMS):
        return Skip("The patient asked not to receive SMS messages.")
    recipient = _patient_address(patient, Channel.SMS, region_for_zone(clinic.timezone))
    if isinstance(recipient, Undeliverable):
        return recipient
    body = message.body
    return Outgoing(
        message.id,
        clinic.id,
        Channel.SMS,
        recipient,
        "",
        body,
        sms_length(body).segments,
        settings,
        clinic.name,
    )


def _opted_out(session: Session, patient: PatientRow, channel: Channel) -> bool:
    opted = opt_outs_of(session, [patient.id]).get(patient.id)
    return opted is not None and not opted.allows(channel)


def _patient_address(patient: PatientRow, channel: Channel, region: str) -> str | Undeliverable:
    name = f"{patient.first_name} {patient.last_name}"
    if channel is Channel.SMS:
        number = sms_number(patient.phone, region)
        if number is None:
            shown = f" (“{patient.phone}” is not a mobile number)" if patient.phone else ""
            return Undeliverable(
                f"{name} has no mobile number to text{shown}. Add one, then retry."
            )
        return number
    if not is_email_address(patient.email):
        shown = f" (“{patient.email}” is not one)" if patient.email else ""
        return Undeliverable(f"{name} has no email address{shown}. Add one, then retry.")
    return patient.email.strip()


def _patient_receipt(
    session: Session,
    job: OutboxJob,
    message: OutgoingMessageRow,
    clinic: ClinicRow,
    settings: MessagingSettings,
) -> Composed:
    """A patient's receipt (receipt_emails.py): to their email as it is now, with the PDF
    of the invoice as it is now (a correction since it was queued is what goes), unless
    the invoice was voided or the patient has since opted out of email."""
    invoice = billing_queries.load_invoice(session, job.subject_id)
    patient = session.get(PatientRow, message.patient_id)
    if invoice is None or patient is None:
        return Skip("The invoice was removed.")
    if invoice.status is InvoiceStatus.VOIDED:
        return Skip(f"Invoice {invoice.number} was voided.")
    if _opted_out(session, patient, Channel.EMAIL):
        return Skip("The patient asked not to receive email messages.")
    recipient = _patient_address(patient, Channel.EMAIL, region_for_zone(clinic.timezone))
    if isinstance(recipient, Undeliverable):
        return recipient
    subject, body = message.subject, message.body
    if not body:
        subject, body = receipt_text(invoice, patient.first_name, clinic.name)
    heading = ClinicHeading(clinic.name, clinic.address, clinic.phone)
    pdf = Attachment(
        f"{document_title(invoice)} {invoice.number}.pdf", render_invoice_pdf(invoice, heading)
    )
    return Outgoing(
        message.id,
        clinic.id,
        Channel.EMAIL,
        recipient,
        subject,
        body,
        0,
        settings,
        clinic.name,
        (pdf,),
    )


def _receipt(
    message: OutgoingMessageRow, clinic: ClinicRow, settings: MessagingSettings
) -> Composed:
    """A receipt for SMS credit bought before Frontdesk stopped selling it: one already
    written goes (a retry); one never written is not needed any more."""
    if not message.body:
        return Skip(NO_MORE_RECEIPTS)
    if not is_email_address(settings.billing_email):
        return Undeliverable(
            "The clinic has no billing email address. Enter one in the messaging settings, "
            "then retry."
        )
    return Outgoing(
        message.id,
        clinic.id,
        Channel.EMAIL,
        settings.billing_email,
        message.subject,
        message.body,
        0,
        settings,
        clinic.name,
    )
