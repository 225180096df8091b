"""A patient's choice not to be messaged by SMS or by email (each on its own).

Opting out withdraws the reminders of that channel not yet sent, in the same
transaction; opting back in queues reminders for the patient's coming
appointments. The sending worker checks again just before each send, so a
choice made while a message waits is always honoured.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select

from desktop.domain.appointments import AppointmentStatus
from desktop.domain.errors import NotFound
from desktop.domain.messages import OptOuts
from desktop.domain.outbox import Channel
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging import reminders
from desktop.services.messaging.records import Purpose, withdraw
from desktop.services.outbox_dispatch import Clock, system_clock
from desktop.store.messaging_models import MessageOptOutRow, OutgoingMessageRow
from desktop.store.models import AppointmentRow, AttendanceRow, PatientRow
from desktop.store.unit_of_work import UnitOfWork


def patient_opt_outs(ctx: ServiceContext, patient_id: uuid.UUID) -> OptOuts:
    ctx.actor()
    with ctx.database.reading() as session:
        return reminders.opt_outs_of(session, [patient_id]).get(patient_id, OptOuts())


def set_opt_out(
    ctx: ServiceContext,
    patient_id: uuid.UUID,
    channel: Channel,
    opted_out: bool,
    clock: Clock = system_clock,
) -> tuple[OptOuts, Changes]:
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        session = uow.session
        if session.get(PatientRow, patient_id) is None:
            raise NotFound("That patient no longer exists.")
        current = reminders.opt_outs_of(session, [patient_id]).get(patient_id, OptOuts())
        wanted = current.with_choice(channel, opted_out)  # refuses channels other than SMS/email
        if wanted != current:
            if opted_out:
                session.add(
                    MessageOptOutRow(
                        patient_id=patient_id, channel=channel.value, recorded_by=actor.name
                    )
                )
            else:
                # Row by row, not a bulk DELETE: a desk sharing a clinic syncs this.
                for row in session.execute(
                    select(MessageOptOutRow).where(
                        MessageOptOutRow.patient_id == patient_id,
                        MessageOptOutRow.channel == channel.value,
                    )
                ).scalars():
                    session.delete(row)
            uow.flush()
            _resync_patient(uow, patient_id, clock())
        uow.commit()
    return wanted, Changes(patients=True, outbox=True, ids=frozenset({patient_id}))


def _resync_patient(uow: UnitOfWork, patient_id: uuid.UUID, now: datetime) -> None:
    """Reconcile the reminders of every coming appointment the patient is booked into."""
    session = uow.session
    in_class = select(AttendanceRow.appointment_id).where(AttendanceRow.patient_id == patient_id)
    rows = session.execute(
        select(AppointmentRow).where(
            or_(AppointmentRow.patient_id == patient_id, AppointmentRow.id.in_(in_class)),
            AppointmentRow.status == AppointmentStatus.BOOKED.value,
            AppointmentRow.starts_at > now,
        )
    ).unique()
    for row in list(rows.scalars()):
        reminders.sync_appointment(session, row, now)
    # Anything else of this patient's still queued on a now-refused channel goes too.
    opted = reminders.opt_outs_of(session, [patient_id]).get(patient_id, OptOuts())
    for channel in opted.channels:
        jobs = session.execute(
            select(OutgoingMessageRow.job_id).where(
                OutgoingMessageRow.patient_id == patient_id,
                OutgoingMessageRow.channel == channel.value,
                OutgoingMessageRow.purpose == Purpose.REMINDER.value,
            )
        ).scalars()
        by = "SMS" if channel is Channel.SMS else "email"
        withdraw(session, list(jobs), f"The patient asked not to receive {by} messages.")
