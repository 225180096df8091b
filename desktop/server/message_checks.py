"""Messages a desk pushes, checked and queued for the clinic's one message sender.

A desk following a server never sends (desktop.services.messaging.send_due): the
reminders its bookings queue travel up as `outgoing_messages` rows, and the server
gives each the outbox job its sender drains — with the id the desk gave it, so the
job's state (scheduled, sent, failed …) comes back down to every desk, which then
shows the same message log. What the server re-checks:

* a desk queues appointment reminders, for a booked appointment of that patient,
  and receipt emails, for the live invoice of that patient's service (once per
  revision of the invoice: receipt_emails.py) — neither yet sent (what went out,
  and when, is the sender's to write);
* a desk changes only where a message goes, to a valid mobile number or email
  address, and when Retry was pressed; either way the job is tried again at once;
* only an administrator changes the messaging settings, and only to settings that
  can work (the same checks as the settings page). Secrets are not settings: they
  stay in the keyring of the machine that sends.

After a group is applied, the appointments it touched have their reminders
reconciled on the server, as the booking services do on a desk: a reminder for a
cancelled or moved appointment is withdrawn, so no desk shows it as scheduled; a
deleted appointment's are withdrawn just before the row goes (`before_delete`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.appointments import AppointmentKind
from desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from desktop.domain.messages import reminder_send_at
from desktop.domain.outbox import Channel, JobState
from desktop.domain.roles import Actor
from desktop.services.messaging import receipt_emails, reminders
from desktop.services.messaging.message_log import check_address
from desktop.services.messaging.records import KINDS, UNSENT, Purpose, withdraw
from desktop.services.messaging.settings import from_row, settings_in
from desktop.store import outbox
from desktop.store.messaging_models import MessagingSettingsRow, OutgoingMessageRow
from desktop.store.models import AppointmentRow, AttendanceRow, Row
from desktop.store.outbox_models import OutboxJobRow
from desktop.sync.conflicts import MESSAGE_WHAT

MODELS: dict[str, type[Row]] = {
    "messaging_settings": MessagingSettingsRow,
    "outgoing_messages": OutgoingMessageRow,
}
WHAT = MESSAGE_WHAT
# What a desk changes on a queued message: where it goes, and Retry pressed.
_DESKS_FIELDS = frozenset({"recipient", "retry_requested_at"})
# What the sender writes as it sends: never set by a desk.
_SENDERS_FIELDS = ("subject", "body", "segments", "provider_id", "sent_at", "delivery_status")


def check_write(
    session: Session, actor: Actor, row: Row, before: Mapping[str, Any] | None, changed: set[str]
) -> None:
    """Refuse a pushed insert (`before` None) or update of a messaging row."""
    if isinstance(row, MessagingSettingsRow):
        if not actor.is_admin:
            raise PermissionDenied("Only an administrator can change the messaging settings.")
        if before is not None and row.clinic_id != before["clinic_id"]:
            raise InvalidInput("Messaging settings cannot move to another clinic.")
        from_row(row).checked()
        # The desk keeps the cleaned addresses; one pushed with a line break around it
        # would be stored as pushed and end the headers of every email it heads.
        for label, value in (("sender", row.sender_address), ("billing", row.billing_email)):
            if value != value.strip():
                raise InvalidInput(f"The {label} address must be the address alone.")
    elif isinstance(row, OutgoingMessageRow):
        if before is None:
            _new_message(session, row)
        else:
            if changed - _DESKS_FIELDS:
                raise InvalidInput(
                    "Only where a message goes can be changed; the server's sender keeps the rest."
                )
            if "recipient" in changed:
                check_address(Channel(row.channel), row.recipient)


def check_delete(row: Row) -> None:
    raise InvalidInput(f"The {WHAT[row.__tablename__]} cannot be deleted from a desk.")


def before_delete(session: Session, row: Row) -> None:
    """A desk deleted an appointment: its reminders not yet sent are withdrawn here, on
    the one sender's queue, as the delete did on the desk (reconcile_reminders cannot:
    the row is gone by then, and its messages no longer point at it)."""
    if isinstance(row, AppointmentRow):
        reminders.withdraw_deleted(session, row.id)


def _new_message(session: Session, row: OutgoingMessageRow) -> None:
    if row.purpose not in (Purpose.REMINDER.value, Purpose.INVOICE_RECEIPT.value):
        raise InvalidInput(
            "A desk queues appointment reminders and receipts only; the server sends the rest."
        )
    if row.channel not in (Channel.SMS.value, Channel.EMAIL.value):
        raise InvalidInput(f"“{row.channel[:20]}” is not a way to send a message.")
    if row.purchase_id is not None or any(getattr(row, name) for name in _SENDERS_FIELDS):
        raise InvalidInput("A new message cannot say it was sent; the server's sender does.")
    if session.get(OutboxJobRow, row.job_id) is not None:
        raise InvalidInput("This message is already queued on the server.")
    if row.purpose == Purpose.INVOICE_RECEIPT.value:
        if row.channel != Channel.EMAIL.value:
            raise InvalidInput("Receipts go by email only.")
        receipt_emails.pushed_receipt(session, row)
    else:
        _new_reminder(session, row)


def _new_reminder(session: Session, row: OutgoingMessageRow) -> None:
    appointment = session.get(AppointmentRow, row.appointment_id) if row.appointment_id else None
    if appointment is None or row.patient_id is None or row.for_starts_at is None:
        raise NotFound("The appointment this reminder is for no longer exists.")
    if appointment.clinic_id != row.clinic_id or row.patient_id not in _patients_of(
        session, appointment
    ):
        raise InvalidInput("This reminder's patient is not booked in that appointment.")


def _patients_of(session: Session, appointment: AppointmentRow) -> set[uuid.UUID]:
    if appointment.appointment_type.kind == AppointmentKind.CLASS.value:
        # Read, not the relationship: the group may have just added this attendee.
        return set(
            session.execute(
                select(AttendanceRow.patient_id).where(
                    AttendanceRow.appointment_id == appointment.id
                )
            ).scalars()
        )
    return {appointment.patient_id} if appointment.patient_id is not None else set()


def after_update(session: Session, row: Row, changed: set[str], now: datetime) -> None:
    """A desk pressed Retry (maybe with the address corrected): the sender tries again."""
    if isinstance(row, OutgoingMessageRow) and changed & _DESKS_FIELDS:
        job = session.get(OutboxJobRow, row.job_id)
        if job is not None and job.state in UNSENT:
            job.state, job.next_attempt_at = JobState.PENDING.value, now


def queue_pushed(session: Session, row: Row, now: datetime) -> None:
    """Give a reminder or receipt a desk queued its job on the server, under the desk's
    job id."""
    if not isinstance(row, OutgoingMessageRow):
        return
    if row.purpose == Purpose.INVOICE_RECEIPT.value:
        receipt_emails.queue_pushed_receipt(
            session, row, receipt_emails.pushed_receipt(session, row), now
        )
        return
    appointment = session.get(AppointmentRow, row.appointment_id)
    assert appointment is not None  # checked by check_write
    assert row.for_starts_at is not None
    lead = settings_in(session, row.clinic_id).reminder_lead
    send_at = reminder_send_at(row.for_starts_at, lead, now)
    outbox.enqueue(
        session,
        channel=Channel(row.channel),
        kind=KINDS[(Channel(row.channel), Purpose.REMINDER)],
        subject_id=appointment.id,
        subject_version=appointment.version,
        payload={"message_id": str(row.id)},
        not_before=send_at or now,
        supersede=False,
        job_id=row.job_id,
    )
    if send_at is None:
        session.flush()
        withdraw(session, [row.job_id], "Too close to the appointment for a reminder.")


def reconcile_reminders(session: Session, group: list[Any], now: datetime) -> None:
    """The reminders of every appointment the group touched, as the booking services
    keep them: withdrawn when cancelled or moved, queued when newly wanted; and, when
    the messaging settings changed, the clinic's queued reminders follow the new
    schedule, as saving them at a desk of its own does."""
    appointments: set[uuid.UUID] = set()
    for mutation in group:
        if mutation.op == "delete":
            continue
        if mutation.entity == "messaging_settings":
            settings = session.get(MessagingSettingsRow, mutation.entity_id)
            if settings is not None:
                session.flush()
                reminders.replan_clinic(session, settings.clinic_id, now)
                reminders.nudge_waiting(session, now)
        elif mutation.entity == "appointments":
            appointments.add(mutation.entity_id)
        elif mutation.entity == "attendances":
            attendance = session.get(AttendanceRow, mutation.entity_id)
            if attendance is not None:
                appointments.add(attendance.appointment_id)
    if not appointments:
        return
    session.flush()
    for appointment_id in sorted(appointments):
        row = session.get(AppointmentRow, appointment_id)
        if row is not None:
            reminders.sync_appointment(session, row, now)
