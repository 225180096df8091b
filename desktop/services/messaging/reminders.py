"""Keeping each appointment's reminders in step with the calendar.

The booking services call `appointment_changed` after every write that can
change who should be reminded of what (book, move, cancel, restore, a class
attendee added or removed), inside their own transaction. It works out the
reminders the appointment should have now — one per patient per enabled
channel, for its current start time — keeps those already queued or sent,
withdraws the ones no longer wanted (with the reason, for the message log) and
queues what is missing with `not_before = start - lead time`.

The same reconciliation, run by `sweep` on every send-due pass over the
appointments coming up soon, gives a reminder to appointments booked before
reminders were switched on, or to a patient who has since given a mobile number.
The text itself is written when the message is sent (`compose`), so an edited
template or a corrected name is used.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.domain.appointments import AppointmentKind, AppointmentStatus
from desktop.domain.messages import OptOuts, is_email_address, reminder_send_at, sms_number
from desktop.domain.outbox import Channel, JobState
from desktop.services.messaging.records import UNSENT, Purpose, add_message, withdraw
from desktop.services.messaging.settings import MessagingSettings, settings_in
from desktop.store.messaging_models import (
    MessageOptOutRow,
    MessagingSettingsRow,
    OutgoingMessageRow,
)
from desktop.store.models import AppointmentRow, PatientRow
from desktop.store.outbox_models import OutboxJobRow
from desktop.store.types import utc_now
from desktop.store.unit_of_work import UnitOfWork

# How far past its reminder time the sweep looks for appointments without one.
SWEEP_AHEAD = timedelta(days=1)

Key = tuple[uuid.UUID, Channel]  # (patient, channel)


def appointment_changed(uow: UnitOfWork, row: AppointmentRow, now: datetime | None = None) -> int:
    """The booking hook: bring this appointment's reminders up to date (same transaction).

    Returns how many reminders were queued.
    """
    uow.flush()  # the appointment's id and attendees exist; store guards report as usual
    return sync_appointment(uow.session, row, now or utc_now())


def appointment_removed(uow: UnitOfWork, appointment_id: uuid.UUID) -> None:
    """The booking hook for a deleted appointment: withdraw what has not gone yet."""
    withdraw_deleted(uow.session, appointment_id)


def withdraw_deleted(session: Session, appointment_id: uuid.UUID) -> None:
    """Before an appointment is deleted (here, or by the server for a desk): its
    reminders not yet sent are withdrawn; the log keeps them, no longer linked."""
    jobs = [job_id for _message, job_id, _state in _reminders_of(session, appointment_id)]
    withdraw(session, jobs, "The appointment was deleted.")


@dataclass(frozen=True, slots=True)
class _Wanted:
    keys: set[Key]
    why_not: dict[Key, str]  # for the log, when a queued reminder is withdrawn


def sync_appointment(session: Session, row: AppointmentRow, now: datetime) -> int:
    settings = settings_in(session, row.clinic_id)
    wanted = _wanted(session, row, settings)
    missing = set(wanted.keys)
    for message, job_id, state in _reminders_of(session, row.id):
        key = (message.patient_id, Channel(message.channel)) if message.patient_id else None
        if key in missing and message.for_starts_at == row.starts_at:
            missing.discard(key)  # queued, in flight or sent for this very time: keep it
        elif state in UNSENT:
            withdraw(session, [job_id], _reason(row, message, wanted, key))
    created = 0
    for patient_id, channel in sorted(missing, key=str):
        send_at = reminder_send_at(row.starts_at, settings.reminder_lead, now)
        if send_at is None:
            continue  # too close to the appointment to be worth a message
        add_message(
            session,
            clinic_id=row.clinic_id,
            channel=channel,
            purpose=Purpose.REMINDER,
            subject_id=row.id,
            subject_version=row.version,
            not_before=send_at,
            patient_id=patient_id,
            appointment_id=row.id,
            for_starts_at=row.starts_at,
        )
        created += 1
    return created


def _reason(
    row: AppointmentRow, message: OutgoingMessageRow, wanted: _Wanted, key: Key | None
) -> str:
    if row.status == AppointmentStatus.CANCELLED.value:
        return "The appointment was cancelled."
    if message.for_starts_at != row.starts_at:
        return "The appointment was moved; a reminder for the new time replaces this one."
    if key is not None and key in wanted.why_not:
        return wanted.why_not[key]
    return "No longer needed."


def _wanted(session: Session, row: AppointmentRow, settings: MessagingSettings) -> _Wanted:
    channels = [
        channel
        for channel, on in (
            (Channel.SMS, settings.reminders_by_sms),
            (Channel.EMAIL, settings.reminders_by_email),
        )
        if on
    ]
    keys: set[Key] = set()
    why_not: dict[Key, str] = {}
    if row.status != AppointmentStatus.BOOKED.value:
        return _Wanted(keys, why_not)
    patients = _patients(row)
    opt_outs = opt_outs_of(session, [p.id for p in patients])
    for patient in patients:
        for channel in (Channel.SMS, Channel.EMAIL):
            key = (patient.id, channel)
            reason = _why_not(patient, channel, channel in channels, opt_outs.get(patient.id))
            if reason:
                why_not[key] = reason
            else:
                keys.add(key)
    return _Wanted(keys, why_not)


def _patients(row: AppointmentRow) -> list[PatientRow]:
    if row.appointment_type.kind == AppointmentKind.CLASS.value:
        return [a.patient for a in row.attendances if a.status == AppointmentStatus.BOOKED.value]
    return [row.patient] if row.patient is not None else []


def _why_not(patient: PatientRow, channel: Channel, enabled: bool, opted: OptOuts | None) -> str:
    by = "SMS" if channel is Channel.SMS else "email"
    if not enabled:
        return f"Reminders by {by} were turned off."
    if patient.archived:
        return "The patient's record was archived."
    if opted is not None and not opted.allows(channel):
        return f"The patient asked not to receive {by} messages."
    if channel is Channel.SMS and sms_number(patient.phone) is None:
        return "The patient has no mobile number."
    if channel is Channel.EMAIL and not is_email_address(patient.email):
        return "The patient has no email address."
    return ""


def opt_outs_of(session: Session, patient_ids: list[uuid.UUID]) -> dict[uuid.UUID, OptOuts]:
    found: dict[uuid.UUID, set[Channel]] = {}
    if patient_ids:
        rows = session.execute(
            select(MessageOptOutRow.patient_id, MessageOptOutRow.channel).where(
                MessageOptOutRow.patient_id.in_(patient_ids)
            )
        ).all()
        for patient_id, channel in rows:
            found.setdefault(patient_id, set()).add(Channel(channel))
    return {pid: OptOuts(frozenset(channels)) for pid, channels in found.items()}


def _reminders_of(
    session: Session, appointment_id: uuid.UUID
) -> list[tuple[OutgoingMessageRow, uuid.UUID, str]]:
    """The appointment's reminders that were not withdrawn, with their jobs' states."""
    rows = session.execute(
        select(OutgoingMessageRow, OutboxJobRow.id, OutboxJobRow.state)
        .join(OutboxJobRow, OutboxJobRow.id == OutgoingMessageRow.job_id)
        .where(
            OutgoingMessageRow.appointment_id == appointment_id,
            OutgoingMessageRow.purpose == Purpose.REMINDER.value,
            OutboxJobRow.state != JobState.SUPERSEDED.value,
        )
    ).all()
    return [(message, job_id, state) for message, job_id, state in rows]


# --------------------------------------------------------------------------- passes


def sweep(session: Session, now: datetime) -> int:
    """Reconcile every booked appointment whose reminder time is near; returns new reminders."""
    created = 0
    enabled = session.execute(
        select(MessagingSettingsRow).where(
            MessagingSettingsRow.reminders_by_sms | MessagingSettingsRow.reminders_by_email
        )
    ).scalars()
    for settings in list(enabled):
        until = now + timedelta(minutes=settings.reminder_lead_minutes) + SWEEP_AHEAD
        created += _sync_between(session, settings.clinic_id, now, until)
    return created


def _sync_between(session: Session, clinic_id: uuid.UUID, start: datetime, end: datetime) -> int:
    query = (
        select(AppointmentRow)
        .where(
            AppointmentRow.clinic_id == clinic_id,
            AppointmentRow.status == AppointmentStatus.BOOKED.value,
            AppointmentRow.starts_at > start,
            AppointmentRow.starts_at <= end,
        )
        .order_by(AppointmentRow.starts_at)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two server processes sweeping at once must not both queue the same reminder:
        # each takes the appointments it reconciles, and leaves the ones another sweep
        # (or a booking being edited right now, which reconciles them itself) holds.
        query = query.with_for_update(of=AppointmentRow, skip_locked=True)
    rows = session.execute(query).unique()
    return sum(sync_appointment(session, row, start) for row in list(rows.scalars()))


def replan_clinic(session: Session, clinic_id: uuid.UUID, now: datetime) -> None:
    """The clinic's schedule changed: withdraw, re-time or add reminders to match it."""
    settings = settings_in(session, clinic_id)
    on = {Channel.SMS: settings.reminders_by_sms, Channel.EMAIL: settings.reminders_by_email}
    queued = session.execute(
        select(OutgoingMessageRow, OutboxJobRow)
        .join(OutboxJobRow, OutboxJobRow.id == OutgoingMessageRow.job_id)
        .where(
            OutgoingMessageRow.clinic_id == clinic_id,
            OutgoingMessageRow.purpose == Purpose.REMINDER.value,
            OutgoingMessageRow.for_starts_at > now,
            OutboxJobRow.state.in_(UNSENT),
        )
    ).all()
    for message, job in queued:
        channel = Channel(message.channel)
        by = "SMS" if channel is Channel.SMS else "email"
        if not on[channel]:
            withdraw(session, [job.id], f"Reminders by {by} were turned off.")
            continue
        if job.state != JobState.PENDING.value or job.attempts:
            continue  # waiting on a person or backing off: its timing is not ours to change
        assert message.for_starts_at is not None
        send_at = reminder_send_at(message.for_starts_at, settings.reminder_lead, now)
        if send_at is None:
            withdraw(session, [job.id], "Too close to the appointment for a reminder.")
        else:
            job.next_attempt_at = send_at
    session.flush()
    until = now + settings.reminder_lead + SWEEP_AHEAD
    _sync_between(session, clinic_id, now, until)


def nudge_waiting(session: Session, now: datetime) -> int:
    """Messages backing off after failures are tried at once (e.g. after a settings fix)."""
    result = session.execute(
        update(OutboxJobRow)
        .where(
            OutboxJobRow.channel.in_([Channel.SMS.value, Channel.EMAIL.value]),
            OutboxJobRow.state == JobState.PENDING.value,
            OutboxJobRow.attempts > 0,
            OutboxJobRow.next_attempt_at > now,
        )
        .values(next_attempt_at=now, version=OutboxJobRow.version + 1)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
