"""The message log of the patient card: what was sent, delivered or failed, and why.

A message's status is read from its outbox job (the one source of truth for
sending) plus the gateway's delivery report. A failed message can be retried
by hand, or its address corrected on the patient's record and retried in one
step.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select

from desktop.domain.errors import InvalidInput, NotFound
from desktop.domain.messages import is_email_address, sms_number
from desktop.domain.outbox import Channel, JobState
from desktop.domain.phones import stored_phone
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging.records import Purpose
from desktop.services.messaging.settings import settings_row
from desktop.services.outbox_dispatch import Clock, system_clock
from desktop.services.patients import home_region
from desktop.store.messaging_models import OutgoingMessageRow
from desktop.store.models import PatientRow
from desktop.store.outbox import OutboxQueue
from desktop.store.outbox_models import OutboxJobRow


class MessageStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    RETRYING = "retrying"
    SENDING = "sending"
    HELD = "held"
    FAILED = "failed"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    NOT_SENT = "not_sent"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "scheduled": "Scheduled",
            "retrying": "Will retry",
            "sending": "Sending",
            "held": "Waiting",
            "failed": "Failed",
            "sent": "Sent",
            "delivered": "Delivered",
            "undelivered": "Not delivered",
            "not_sent": "Not needed",
            "cancelled": "Cancelled",
        }[self.value]

    @property
    def needs_attention(self) -> bool:
        return self in (MessageStatus.FAILED, MessageStatus.HELD, MessageStatus.UNDELIVERED)


@dataclass(frozen=True, slots=True)
class MessageLogEntry:
    id: uuid.UUID
    channel: Channel
    purpose: Purpose
    status: MessageStatus
    detail: str  # the reason for a failure, a wait or a cancellation
    recipient: str
    subject: str
    body: str
    created_at: datetime
    due_at: datetime | None  # not sent yet: when it goes, is tried again, or was due
    sent_at: datetime | None
    attempts: int
    appointment_id: uuid.UUID | None
    appointment_starts_at: datetime | None
    segments: int = 0

    @property
    def can_retry(self) -> bool:
        return self.status in (MessageStatus.FAILED, MessageStatus.HELD, MessageStatus.RETRYING)


def _status(message: OutgoingMessageRow, job: OutboxJobRow) -> tuple[MessageStatus, str]:
    state = JobState(job.state)
    if state is JobState.SUPERSEDED:
        return MessageStatus.CANCELLED, job.last_error
    if state is JobState.PENDING:
        if job.attempts:
            return MessageStatus.RETRYING, job.last_error
        return MessageStatus.SCHEDULED, ""
    if state is JobState.IN_FLIGHT:
        return MessageStatus.SENDING, ""
    if state is JobState.HELD:
        return MessageStatus.HELD, job.last_error
    if state is JobState.PARKED:
        return MessageStatus.FAILED, job.last_error
    if (job.result or {}).get("skipped"):
        return MessageStatus.NOT_SENT, str(job.result["skipped"])
    if message.delivery_status == "delivered":
        return MessageStatus.DELIVERED, ""
    if message.delivery_status == "failed":
        return MessageStatus.UNDELIVERED, message.delivery_detail
    return MessageStatus.SENT, ""


_UNSENT = (
    MessageStatus.SCHEDULED,
    MessageStatus.RETRYING,
    MessageStatus.HELD,
    MessageStatus.FAILED,
)


def _entry(
    message: OutgoingMessageRow, job: OutboxJobRow, patient: PatientRow | None = None
) -> MessageLogEntry:
    status, detail = _status(message, job)
    due = job.next_attempt_at if status in _UNSENT else None
    recipient = message.recipient
    if not recipient and patient is not None and status in _UNSENT:
        recipient = _address_of(patient, Channel(message.channel))  # where it will go
    return MessageLogEntry(
        id=message.id,
        channel=Channel(message.channel),
        purpose=Purpose(message.purpose),
        status=status,
        detail=detail,
        recipient=recipient,
        subject=message.subject,
        body=message.body,
        created_at=message.created_at,
        due_at=due,
        sent_at=message.sent_at or (job.finished_at if status is MessageStatus.SENT else None),
        attempts=job.attempts,
        appointment_id=message.appointment_id,
        appointment_starts_at=message.for_starts_at,
        segments=message.segments,
    )


def _with_jobs_newest_first(
    *where: ColumnElement[bool],
) -> Select[OutgoingMessageRow, OutboxJobRow]:
    return (
        select(OutgoingMessageRow, OutboxJobRow)
        .join(OutboxJobRow, OutboxJobRow.id == OutgoingMessageRow.job_id)
        .where(*where)
        .order_by(OutgoingMessageRow.created_at.desc(), OutgoingMessageRow.id)
    )


def message_log(
    ctx: ServiceContext, patient_id: uuid.UUID, *, include_cancelled: bool = False
) -> list[MessageLogEntry]:
    """Every message to the patient, newest first; replaced and cancelled ones on request."""
    ctx.actor()
    with ctx.database.reading() as session:
        query = _with_jobs_newest_first(OutgoingMessageRow.patient_id == patient_id)
        if not include_cancelled:
            query = query.where(OutboxJobRow.state != JobState.SUPERSEDED.value)
        patient = session.get(PatientRow, patient_id)
        rows = session.execute(query).unique().all()
        return [_entry(message, job, patient) for message, job in rows]


def _address_of(patient: PatientRow, channel: Channel) -> str:
    if channel is Channel.SMS:
        return sms_number(patient.phone) or ""
    return patient.email.strip() if is_email_address(patient.email) else ""


def clinic_messages(
    ctx: ServiceContext, clinic_id: uuid.UUID, purpose: Purpose | None = None, limit: int = 50
) -> list[MessageLogEntry]:
    """The clinic's latest messages (e.g. the receipts of credit purchases), newest first."""
    ctx.actor()
    with ctx.database.reading() as session:
        query = _with_jobs_newest_first(OutgoingMessageRow.clinic_id == clinic_id).limit(limit)
        if purpose is not None:
            query = query.where(OutgoingMessageRow.purpose == purpose.value)
        return [_entry(message, job) for message, job in session.execute(query).unique().all()]


_RETRYABLE = (JobState.PARKED.value, JobState.HELD.value, JobState.PENDING.value)


def retry_message(
    ctx: ServiceContext, message_id: uuid.UUID, clock: Clock = system_clock
) -> Changes:
    """A person pressed Retry on a failed or waiting message."""
    ctx.actor()
    job_id = _retryable_job(ctx, message_id)
    if not OutboxQueue(ctx.database).retry_now(job_id, clock()):
        raise InvalidInput("That message was sent or cancelled meanwhile.")
    with ctx.unit_of_work() as uow:
        message = uow.session.get(OutgoingMessageRow, message_id)
        if message is not None:  # a desk following a server: this reaches its sender
            message.retry_requested_at = clock()
        uow.commit()
    return Changes(outbox=True, ids=frozenset({message_id}))


def _retryable_job(ctx: ServiceContext, message_id: uuid.UUID) -> uuid.UUID:
    with ctx.database.reading() as session:
        found = session.execute(
            select(OutboxJobRow.id, OutboxJobRow.state)
            .join(OutgoingMessageRow, OutgoingMessageRow.job_id == OutboxJobRow.id)
            .where(OutgoingMessageRow.id == message_id)
        ).one_or_none()
    if found is None:
        raise NotFound("That message no longer exists.")
    if found.state not in _RETRYABLE:
        raise InvalidInput("Only a failed or waiting message can be retried.")
    return uuid.UUID(str(found.id))


def fix_recipient_and_retry(
    ctx: ServiceContext, message_id: uuid.UUID, recipient: str, clock: Clock = system_clock
) -> Changes:
    """Correct where a failed message goes — on the patient's record (or the clinic's
    billing address for a receipt), so later messages go there too — then retry it."""
    ctx.actor()
    recipient = recipient.strip()
    job_id = _retryable_job(ctx, message_id)
    with ctx.unit_of_work() as uow:
        message = uow.session.get(OutgoingMessageRow, message_id)
        if message is None:
            raise NotFound("That message no longer exists.")
        channel = Channel(message.channel)
        check_address(channel, recipient)
        changes = Changes(outbox=True, ids=frozenset({message_id}))
        if message.purpose == Purpose.RECEIPT.value:
            settings = settings_row(uow.session, message.clinic_id)
            if settings is None:
                raise NotFound("The clinic's messaging settings no longer exist.")
            settings.billing_email = recipient
            changes = changes | Changes(clinic=True)
        else:
            patient = (
                uow.session.get(PatientRow, message.patient_id) if message.patient_id else None
            )
            if patient is None:
                raise NotFound("That patient no longer exists.")
            if channel is Channel.SMS:
                patient.phone = stored_phone(recipient, home_region(uow.session))
            else:
                patient.email = recipient
            changes = changes | Changes(patients=True, ids=frozenset({patient.id}))
        message.recipient = recipient
        uow.commit()
    OutboxQueue(ctx.database).retry_now(job_id, clock())
    return changes


def check_address(channel: Channel, recipient: str) -> None:
    if channel is Channel.SMS and sms_number(recipient) is None:
        raise InvalidInput(f"“{recipient}” is not a mobile number (e.g. 0412 345 678).")
    if channel is Channel.EMAIL and (
        recipient != recipient.strip() or not is_email_address(recipient)
    ):
        raise InvalidInput(f"“{recipient}” is not an email address.")
