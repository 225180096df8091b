"""Writing a message with its outbox job, withdrawing messages not yet sent, noting sends.

`add_message` and `withdraw` work inside the caller's transaction: a message
exists exactly when the booking or move that caused it was committed.
`record_sent` is the worker's own short transaction after a send.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from desktop.domain.outbox import Channel, JobState
from desktop.store import outbox
from desktop.store.database import Database
from desktop.store.messaging_models import OutgoingMessageRow
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.types import utc_now


class Purpose(enum.StrEnum):
    REMINDER = "reminder"
    RECEIPT = "receipt"  # of SMS credit bought before 0011_sms (kept, not synced)
    INVOICE_RECEIPT = "invoice_receipt"  # a patient's receipt (receipt_emails.py)
    WAIT_LIST = "wait_list"  # an offer of a freed slot and its answers (text written when queued)


KINDS: dict[tuple[Channel, Purpose], str] = {
    (Channel.SMS, Purpose.REMINDER): "sms.reminder",
    (Channel.EMAIL, Purpose.REMINDER): "email.reminder",
    (Channel.EMAIL, Purpose.RECEIPT): "email.receipt",
    # Its own kind: the sync leaves out "email.receipt" jobs (migration 0011_msgsync).
    (Channel.EMAIL, Purpose.INVOICE_RECEIPT): "email.invoice_receipt",
    (Channel.SMS, Purpose.WAIT_LIST): "sms.wait_list",
}
# Not yet handed to the mail server or gateway: these can still be withdrawn.
UNSENT = (JobState.PENDING.value, JobState.HELD.value, JobState.PARKED.value)


def add_message(
    session: Session,
    *,
    clinic_id: uuid.UUID,
    channel: Channel,
    purpose: Purpose,
    subject_id: uuid.UUID,
    subject_version: int = 1,
    not_before: datetime | None = None,
    patient_id: uuid.UUID | None = None,
    appointment_id: uuid.UUID | None = None,
    for_starts_at: datetime | None = None,
    payload: dict[str, str] | None = None,
) -> OutgoingMessageRow:
    """`payload`: more for the job to carry (a receipt's invoice revision)."""
    message_id = uuid.uuid4()
    job = outbox.enqueue(
        session,
        channel=channel,
        kind=KINDS[(channel, purpose)],
        subject_id=subject_id,
        subject_version=subject_version,
        payload={**(payload or {}), "message_id": str(message_id)},
        not_before=not_before,
        # Reminders manage their own replacement (one per patient per channel, and a
        # class has many patients for one subject), so nothing is superseded blindly.
        supersede=False,
    )
    message = OutgoingMessageRow(
        id=message_id,
        clinic_id=clinic_id,
        job=job,
        channel=channel.value,
        purpose=purpose.value,
        patient_id=patient_id,
        appointment_id=appointment_id,
        for_starts_at=for_starts_at,
    )
    session.add(message)
    return message


def withdraw(session: Session, job_ids: Collection[uuid.UUID], reason: str) -> int:
    """Cancel messages that have not gone yet; the reason shows in the message log.

    A message in flight is left alone: it may already be with the gateway, and
    its outcome is recorded when the worker settles it.
    """
    if not job_ids:
        return 0
    result = session.execute(
        update(OutboxJobRow)
        .where(OutboxJobRow.id.in_(list(job_ids)), OutboxJobRow.state.in_(UNSENT))
        .values(
            state=JobState.SUPERSEDED.value,
            last_error=reason,
            finished_at=utc_now(),
            version=OutboxJobRow.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def record_sent(database: Database, message_id: uuid.UUID, provider_id: str, now: datetime) -> None:
    """After the gateway or mail server took a message: its id there, and when (for the log)."""
    with database.write_session() as session:
        message = session.get(OutgoingMessageRow, message_id)
        if message is not None:
            message.provider_id, message.sent_at = provider_id, now
            session.commit()
