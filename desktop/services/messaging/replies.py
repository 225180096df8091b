"""Texts patients send back: STOP records an opt-out, anything else shows as a reply.

Replies reach Frontdesk two ways, and both end in `record_reply`: the provider
calls `frontdesk server`'s signed webhook, or — a desk alone, with no public
address — the message pass polls the provider for texts to the clinic's number
(`poll_replies`). Each reply is kept once (by the provider's id), matched to the
patient whose phone is that number, and shown on the desk as "patient replied".
STOP and its synonyms (Twilio's opt-out keywords) record the patient's SMS
opt-out, so no further reminder is planned for them. A YES or NO from a patient
with an open wait-list offer answers that offer (desktop.services.wait_list_offers)
and shows as such in their message log, not as a bare reply.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from desktop.domain.outbox import Channel
from desktop.domain.phones import region_for_zone, sms_number
from desktop.services import wait_list_offers
from desktop.services.context import ServiceContext
from desktop.services.messaging import opt_outs
from desktop.services.messaging.connections import ConnectionPerClinic
from desktop.services.messaging.settings import settings_in
from desktop.services.messaging.sms_channel import GatewayFactory
from desktop.services.messaging.sms_gateway import GatewayUnavailable
from desktop.store.database import Database
from desktop.store.messaging_models import MessagingSettingsRow, SmsReplyRow
from desktop.store.models import ClinicRow, PatientRow

OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
# The first poll of a desk looks this far back.
FIRST_POLL = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class PatientReply:
    id: uuid.UUID
    patient_id: uuid.UUID | None
    sender: str
    text: str
    received_at: datetime
    opt_out: bool
    answered: str = ""  # what it did to a wait-list offer (desktop.services.wait_list_offers)

    @property
    def describe(self) -> str:
        if self.answered:
            return f"Patient answered the wait-list offer “{self.text.strip()}”: {self.answered}."
        if self.opt_out:
            return f"Patient replied “{self.text.strip()}”: no more SMS to them."
        return f"Patient replied: {self.text.strip()}"


def is_opt_out(text: str) -> bool:
    return text.strip().strip(".!").upper() in OPT_OUT_WORDS


def record_reply(
    database: Database,
    clinic_id: uuid.UUID,
    sender: str,
    text: str,
    provider_id: str,
    received_at: datetime,
) -> PatientReply | None:
    """Keep one inbound text; None when it was already kept (a webhook retried, a re-poll)."""
    stop = is_opt_out(text)
    with database.write_session() as session:
        if session.execute(
            select(SmsReplyRow.id).where(SmsReplyRow.provider_id == provider_id)
        ).first():
            return None
        clinic = session.get(ClinicRow, clinic_id)
        region = region_for_zone(clinic.timezone) if clinic is not None else "AU"
        number = sms_number(sender, region) or sender
        patient_id = session.execute(
            select(PatientRow.id)
            .where(PatientRow.phone == number, PatientRow.archived.is_(False))
            .order_by(PatientRow.number)
            .limit(1)
        ).scalar_one_or_none()
        row = SmsReplyRow(
            clinic_id=clinic_id,
            patient_id=patient_id,
            sender=number[:20],
            body=text,
            provider_id=provider_id,
            received_at=received_at,
            opt_out=stop,
        )
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # another instance kept the same reply a moment ago
            session.rollback()
            return None
        reply = _reply(row)
    if stop and patient_id is not None:
        opt_outs.set_opt_out(ServiceContext.for_system(database), patient_id, Channel.SMS, True)
    elif patient_id is not None:
        answered = wait_list_offers.route_reply(database, reply.id, patient_id, text, received_at)
        if answered is not None:
            reply = replace(reply, answered=answered)
    return reply


def poll_replies(database: Database, gateways: GatewayFactory, now: datetime) -> int:
    """Ask each clinic's provider for texts to its number; returns how many were new."""
    with database.reading() as session:
        clinics = [
            settings_in(session, clinic_id)
            for clinic_id in session.execute(select(MessagingSettingsRow.clinic_id)).scalars()
        ]
    batch = ConnectionPerClinic(gateways)
    new = 0
    try:
        for settings in clinics:
            number = sms_number(settings.sms_sender_id) if settings.sms_configured else None
            if number is None:
                continue  # an alphanumeric sender or a messaging service cannot be replied to
            since = last_reply_at(database, settings.clinic_id) or now - FIRST_POLL
            try:
                found = batch.get(settings).replies(number, since)
            except GatewayUnavailable as exc:
                batch.failed(settings.clinic_id, exc)
                continue  # asked again on the next pass
            for sms in found:
                kept = record_reply(
                    database,
                    settings.clinic_id,
                    sms.sender,
                    sms.text,
                    sms.provider_id,
                    sms.received_at,
                )
                new += kept is not None
    finally:
        batch.close()
    return new


def last_reply_at(database: Database, clinic_id: uuid.UUID) -> datetime | None:
    with database.reading() as session:
        found: datetime | None = session.execute(
            select(func.max(SmsReplyRow.received_at)).where(SmsReplyRow.clinic_id == clinic_id)
        ).scalar_one_or_none()
        return found


def patient_replies(ctx: ServiceContext, patient_id: uuid.UUID) -> list[PatientReply]:
    """What the patient texted back, newest first (the patient card's message log)."""
    ctx.actor()
    with ctx.database.reading() as session:
        rows = session.execute(
            select(SmsReplyRow)
            .where(SmsReplyRow.patient_id == patient_id)
            .order_by(SmsReplyRow.received_at.desc())
        ).scalars()
        found = [_reply(row) for row in rows]
        answers = wait_list_offers.answers_to(session, [r.id for r in found])
        return [replace(r, answered=answers.get(r.id, "")) for r in found]


def _reply(row: SmsReplyRow) -> PatientReply:
    return PatientReply(row.id, row.patient_id, row.sender, row.body, row.received_at, row.opt_out)


@dataclass(frozen=True, slots=True)
class DeskReply:
    """A reply for the desk's notice: who sent it ("" when the number is no patient's)."""

    reply: PatientReply
    patient_name: str


def replies_for_desk(ctx: ServiceContext, since: datetime) -> list[DeskReply]:
    """Replies received after `since` that someone at the desk should read, newest
    first: not STOP (that is an opt-out, already acted on) and not an answer to a
    wait-list offer (the sender settled it)."""
    ctx.actor()
    with ctx.database.reading() as session:
        rows = session.execute(
            select(SmsReplyRow, PatientRow.first_name, PatientRow.last_name)
            .outerjoin(PatientRow, PatientRow.id == SmsReplyRow.patient_id)
            .where(SmsReplyRow.received_at > since, SmsReplyRow.opt_out.is_(False))
            .order_by(SmsReplyRow.received_at.desc())
        ).all()
        answers = wait_list_offers.answers_to(session, [row[0].id for row in rows])
        return [
            DeskReply(_reply(row[0]), f"{row[1] or ''} {row[2] or ''}".strip())
            for row in rows
            if row[0].id not in answers
        ]
