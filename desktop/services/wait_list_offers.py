"""Offering freed slots by SMS to the wait list: the first to reply YES gets the time.

Optional, per clinic (the Wait list window's "Offer freed times by SMS"). On each
pass of the message sender (`send_due`), `offer_freed_slots` looks for cancelled
bookings in the next two weeks whose time is still free and not yet offered, and
texts the best N entries that fit (urgent first, then oldest; only patients with
a mobile who have not opted out of SMS; never an inactive practitioner's time),
through the same message outbox as reminders.

A reply from a patient with an open offer is routed here by
`desktop.services.messaging.replies.record_reply` (webhook or polling alike):
YES books them by the normal booking rules (taking them off the list, or moving
the booking they wanted to bring forward) and texts a confirmation, and every
other patient offered the same time is told it has gone; a YES after the time
went (to someone else, or booked at the desk) is told so; NO closes their offer.
Any other text is an ordinary reply. When the server has a public address
(FRONTDESK_PUBLIC_URL), each offer also carries a link, `<address>/o/<token>`, whose
page takes the time the same way as a YES (`take_by_link`); the token is the offer's
random id (122 random bits), so it needs no sign-in, and it stops working once the
time has started. Offers live where the sender runs (the desk
alone, or the server's database); desks download them to show the answers, and the
setting syncs like the clinic's other settings.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.appointments import AppointmentKind, AppointmentStatus
from desktop.domain.clinic_time import clinic_zone
from desktop.domain.errors import DomainError, InvalidInput, PermissionDenied
from desktop.domain.messages import format_day, format_time
from desktop.domain.outbox import Channel
from desktop.domain.phones import region_for_zone, sms_number
from desktop.domain.roles import Actor, Role
from desktop.domain.wait_list import OpenSlot
from desktop.services import booking, wait_list
from desktop.services.booking import Booked, BookingRequest
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging.records import Purpose, add_message
from desktop.services.messaging.reminders import opt_outs_of
from desktop.services.messaging.twilio_sms import public_url
from desktop.store.database import Database
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
)
from desktop.store.unit_of_work import UnitOfWork
from desktop.store.wait_list_models import WaitListOfferRow, WaitListSettingsRow

OFFER_AHEAD = timedelta(days=14)
MOST_AT_ONCE = 10
YES_WORDS = frozenset({"YES", "Y", "YEP", "YEAH", "OK", "OKAY", "SURE"})
NO_WORDS = frozenset({"NO", "N", "NOPE"})


class OfferState:
    OFFERED = "offered"
    ACCEPTED = "accepted"
    TAKEN = "taken"  # someone else said yes first
    TOO_LATE = "too_late"  # the time went before their yes
    DECLINED = "declined"


# What a reply did, for the patient's message log.
ANSWERED = {
    OfferState.ACCEPTED: "booked",
    OfferState.TOO_LATE: "too late: the time had gone",
    OfferState.DECLINED: "declined the offer",
}


@dataclass(frozen=True, slots=True)
class WaitListSettings:
    clinic_id: uuid.UUID
    offer_by_sms: bool = False
    offer_to: int = 3  # how many patients one freed time is offered to at once


def check_settings(actor: Actor, offer_to: int) -> None:
    """Who may change the setting, and to what (the server checks a pushed one the same)."""
    if actor.role is Role.PRACTITIONER:
        raise PermissionDenied(
            "Only reception or an administrator can change how freed times are offered."
        )
    if not 1 <= offer_to <= MOST_AT_ONCE:
        raise InvalidInput(f"Offer a freed time to between 1 and {MOST_AT_ONCE} patients at once.")


def get_settings(ctx: ServiceContext, clinic_id: uuid.UUID) -> WaitListSettings:
    ctx.actor()
    with ctx.database.reading() as session:
        return _settings(session, clinic_id)


def _settings(session: Session, clinic_id: uuid.UUID) -> WaitListSettings:
    row = session.execute(
        select(WaitListSettingsRow).where(WaitListSettingsRow.clinic_id == clinic_id)
    ).scalar_one_or_none()
    if row is None:
        return WaitListSettings(clinic_id)
    return WaitListSettings(clinic_id, row.offer_by_sms, row.offer_to)


def save_settings(ctx: ServiceContext, settings: WaitListSettings) -> Changes:
    """Reception or an administrator turns SMS offers on or off (not a practitioner)."""
    check_settings(ctx.actor(), settings.offer_to)
    with ctx.unit_of_work() as uow:
        row = uow.session.execute(
            select(WaitListSettingsRow).where(WaitListSettingsRow.clinic_id == settings.clinic_id)
        ).scalar_one_or_none()
        if row is None:
            row = WaitListSettingsRow(clinic_id=settings.clinic_id)
            uow.session.add(row)
        row.offer_by_sms = settings.offer_by_sms
        row.offer_to = settings.offer_to
        uow.commit()
    return Changes(wait_list=True)


def _when(starts_at: datetime, zone_name: str) -> str:
    local = starts_at.astimezone(clinic_zone(zone_name))
    return f"{format_day(local)} at {format_time(local)}"


def offer_freed_slots(session: Session, now: datetime) -> int:
    """The sender's pass: offer each freed, not yet offered time; returns texts queued."""
    queued = 0
    clinics = session.execute(
        select(WaitListSettingsRow.clinic_id).where(WaitListSettingsRow.offer_by_sms.is_(True))
    ).scalars()
    for clinic_id in list(clinics):
        clinic = session.get(ClinicRow, clinic_id)
        if clinic is not None:
            queued += _offer_for_clinic(session, clinic, now)
    return queued


def _offer_for_clinic(session: Session, clinic: ClinicRow, now: datetime) -> int:
    settings = _settings(session, clinic.id)
    cancelled = (
        session.execute(
            select(AppointmentRow)
            .join(AppointmentTypeRow, AppointmentTypeRow.id == AppointmentRow.appointment_type_id)
            .where(
                AppointmentRow.clinic_id == clinic.id,
                AppointmentRow.status == AppointmentStatus.CANCELLED.value,
                AppointmentTypeRow.kind == AppointmentKind.INDIVIDUAL.value,
                AppointmentRow.starts_at > now,
                AppointmentRow.starts_at < now + OFFER_AHEAD,
            )
        )
        .unique()
        .scalars()
    )
    candidates = [
        OpenSlot(a.practitioner_id, a.starts_at, a.ends_at, a.appointment_type_id)
        for a in cancelled
    ]
    slots = [
        s
        for s in wait_list.free_slots(session, candidates, now)
        if not _offered(session, s) and _bookable(session, clinic, s)
    ]
    if not slots:
        return 0
    fitting = wait_list.fitting(session, slots, wait_list.current(session, now), now)
    region = region_for_zone(clinic.timezone)
    queued = 0
    for slot, entries in zip(slots, fitting, strict=True):
        reachable = [e for e in entries if _textable(session, e.patient_id, region)]
        round_id = uuid.uuid4()
        for entry in reachable[: settings.offer_to]:
            offer = WaitListOfferRow(
                clinic_id=clinic.id,
                round_id=round_id,
                entry_id=entry.id,
                patient_id=entry.patient_id,
                practitioner_id=slot.practitioner_id,
                appointment_type_id=slot.type_id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                state=OfferState.OFFERED,
            )
            session.add(offer)
            session.flush()
            practitioner = _practitioner_name(session, slot.practitioner_id)
            link = offer_link(offer.id)
            how = f"Reply YES or tap {link} to take it" if link else "Reply YES to take it"
            _text(
                session,
                offer,
                f"{clinic.name}: a time has come free with {practitioner} on "
                f"{_when(slot.starts_at, clinic.timezone)}. {how} "
                "(first to reply gets it).",
            )
            queued += 1
    return queued


def _bookable(session: Session, clinic: ClinicRow, slot: OpenSlot) -> bool:
    """Whether a YES could be booked there by the rules, with no override: a time
    booked outside the practitioner's hours (ticked at the desk), or of a type no
    longer offered, is left to the desk rather than texted to patients who would
    all be told it has gone."""
    practitioner = session.get(PractitionerRow, slot.practitioner_id)
    kind = session.get(AppointmentTypeRow, slot.type_id) if slot.type_id else None
    if practitioner is None or not practitioner.active or kind is None or not kind.active:
        return False
    try:
        booking.check_slot(
            booking.ReadOnly(session),
            practitioner,
            clinic,
            slot.starts_at,
            slot.ends_at,
            exclude_id=None,
            override_availability=False,
            override_double_booking=False,
        )
    except DomainError:
        return False
    return True


def offer_link(offer_id: uuid.UUID) -> str:
    """The offer's link when the server has a public address, else ""."""
    public = public_url()
    return f"{public}/o/{link_token(offer_id)}" if public else ""


def link_token(offer_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(offer_id.bytes).decode("ascii").rstrip("=")


def _offer_id(token: str) -> uuid.UUID | None:
    if len(token) != 22:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(token + "=="))
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class LinkedOffer:
    """What an offer's link page shows: the time, and whether it can still be taken."""

    clinic: str
    practitioner: str
    when: str
    state: str  # an OfferState

    @property
    def available(self) -> bool:
        return self.state == OfferState.OFFERED

    @property
    def booked(self) -> bool:
        return self.state == OfferState.ACCEPTED


def linked_offer(database: Database, token: str, now: datetime) -> LinkedOffer | None:
    """The offer a link names; None when there is none or its time has started."""
    offer_id = _offer_id(token)
    if offer_id is None:
        return None
    with database.reading() as session:
        offer = session.get(WaitListOfferRow, offer_id)
        if offer is None or offer.starts_at <= now:
            return None
        clinic = session.get(ClinicRow, offer.clinic_id)
        assert clinic is not None
        return LinkedOffer(
            clinic.name,
            _practitioner_name(session, offer.practitioner_id),
            _when(offer.starts_at, clinic.timezone),
            offer.state,
        )


def take_by_link(database: Database, token: str, now: datetime) -> LinkedOffer | None:
    """The link's "Take this time": books it like a YES; None as for `linked_offer`.

    The answer's state says what came of it: accepted, or too_late (gone to someone
    else first, or no longer free); an offer answered before keeps its answer."""
    offer_id = _offer_id(token)
    if offer_id is None:
        return None
    with database.reading() as session:
        offer = session.get(WaitListOfferRow, offer_id)
        unanswered = (
            offer is not None
            and offer.starts_at > now
            and offer.answered_at is None
            and offer.state in (OfferState.OFFERED, OfferState.TAKEN)
        )
        open_offer = _OpenOffer.of(offer) if unanswered and offer is not None else None
    if open_offer is not None:
        _answer(database, open_offer, None, yes=True, now=now)
    return linked_offer(database, token, now)


def _offered(session: Session, slot: OpenSlot) -> bool:
    """This time already has an offer waiting for answers."""
    found = session.execute(
        select(WaitListOfferRow.id).where(
            WaitListOfferRow.practitioner_id == slot.practitioner_id,
            WaitListOfferRow.starts_at == slot.starts_at,
            WaitListOfferRow.state == OfferState.OFFERED,
        )
    ).first()
    return found is not None


def _textable(session: Session, patient_id: uuid.UUID, region: str) -> bool:
    patient = session.get(PatientRow, patient_id)
    if patient is None or sms_number(patient.phone, region) is None:
        return False
    opted = opt_outs_of(session, [patient_id]).get(patient_id)
    return opted is None or opted.allows(Channel.SMS)


def _practitioner_name(session: Session, practitioner_id: uuid.UUID) -> str:
    row = session.get(PractitionerRow, practitioner_id)
    return row.name if row is not None else "us"


def _text(session: Session, offer: WaitListOfferRow, body: str) -> None:
    message = add_message(
        session,
        clinic_id=offer.clinic_id,
        channel=Channel.SMS,
        purpose=Purpose.WAIT_LIST,
        subject_id=offer.id,
        subject_version=offer.version,
        patient_id=offer.patient_id,
    )
    message.body = body


def _answer_word(text: str) -> str:
    return text.strip().strip(".!").split(maxsplit=1)[0].upper() if text.strip() else ""


def route_reply(
    database: Database,
    reply_id: uuid.UUID,
    patient_id: uuid.UUID,
    text: str,
    now: datetime,
) -> str | None:
    """Answer an open offer with this reply; None when it answers none (an ordinary reply)."""
    word = _answer_word(text)
    if word not in YES_WORDS and word not in NO_WORDS:
        return None
    with database.reading() as session:
        offer = session.execute(
            select(WaitListOfferRow)
            .where(
                WaitListOfferRow.patient_id == patient_id,
                # Open, or gone to someone else and not yet answered (a late YES).
                WaitListOfferRow.state.in_((OfferState.OFFERED, OfferState.TAKEN)),
                WaitListOfferRow.reply_id.is_(None),
                WaitListOfferRow.starts_at > now,
            )
            .order_by(WaitListOfferRow.created_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        if offer is None:
            return None
        open_offer = _OpenOffer.of(offer)
    return _answer(database, open_offer, reply_id, yes=word in YES_WORDS, now=now)


@dataclass(frozen=True, slots=True)
class _OpenOffer:
    """An offer waiting for its answer, read out of its session."""

    id: uuid.UUID
    gone: bool  # someone else took the time first
    entry_id: uuid.UUID | None
    request: BookingRequest

    @classmethod
    def of(cls, offer: WaitListOfferRow) -> _OpenOffer:
        request = BookingRequest(
            offer.clinic_id,
            offer.practitioner_id,
            offer.appointment_type_id,
            offer.starts_at,
            patient_id=offer.patient_id,
            ends_at=offer.ends_at,
        )
        return cls(offer.id, offer.state == OfferState.TAKEN, offer.entry_id, request)


def _answer(
    database: Database,
    offer: _OpenOffer,
    reply_id: uuid.UUID | None,
    *,
    yes: bool,
    now: datetime,
) -> str:
    """A YES (by text or link) books the time if it is still free; a NO declines."""
    if not yes:
        return _settle(database, offer.id, reply_id, OfferState.DECLINED, None, now)
    booked = None if offer.gone else _book(database, offer.entry_id, offer.request)
    state = OfferState.ACCEPTED if booked is not None else OfferState.TOO_LATE
    return _settle(database, offer.id, reply_id, state, booked, now)


def _book(database: Database, entry_id: uuid.UUID | None, request: BookingRequest) -> Booked | None:
    """By every booking rule, as the clinic itself; None when the time is no longer free."""
    ctx = ServiceContext.for_system(database)
    try:
        if entry_id is not None:
            return wait_list.book_entry(ctx, entry_id, request)
        return booking.book_appointment(ctx, request)
    except DomainError:
        return None


def _settle(
    database: Database,
    offer_id: uuid.UUID,
    reply_id: uuid.UUID | None,
    state: str,
    booked: Booked | None,
    now: datetime,
) -> str:
    with UnitOfWork(database) as uow:
        session = uow.session
        offer = session.get(WaitListOfferRow, offer_id)
        assert offer is not None
        clinic = session.get(ClinicRow, offer.clinic_id)
        assert clinic is not None
        when = _when(offer.starts_at, clinic.timezone)
        if offer.answered_at is not None:  # answered meanwhile (a link and a text at once)
            return f"{ANSWERED.get(offer.state, offer.state)} ({when})"
        offer.state, offer.reply_id, offer.answered_at = state, reply_id, now
        if booked is not None:
            offer.appointment_id = booked.appointment.id
            _text(session, offer, f"{clinic.name}: you're booked for {when}. See you then!")
            for other in _open_in_round(session, offer):
                other.state = OfferState.TAKEN
                _text(
                    session,
                    other,
                    f"{clinic.name}: sorry, the {when} time has been taken. "
                    "You're still on our wait list.",
                )
        elif state == OfferState.TOO_LATE:
            _text(
                session,
                offer,
                f"{clinic.name}: sorry, the {when} time has just gone. "
                "You're still on our wait list.",
            )
        uow.commit()
    return f"{ANSWERED[state]} ({when})"


def _open_in_round(session: Session, offer: WaitListOfferRow) -> list[WaitListOfferRow]:
    return list(
        session.execute(
            select(WaitListOfferRow).where(
                WaitListOfferRow.round_id == offer.round_id,
                WaitListOfferRow.id != offer.id,
                WaitListOfferRow.state == OfferState.OFFERED,
            )
        ).scalars()
    )


def answers_to(session: Session, reply_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """For the message log: what each reply did to an offer ("booked (Mon 3 Mar at 10:00 am)")."""
    if not reply_ids:
        return {}
    rows = session.execute(
        select(WaitListOfferRow, ClinicRow.timezone)
        .join(ClinicRow, ClinicRow.id == WaitListOfferRow.clinic_id)
        .where(WaitListOfferRow.reply_id.in_(reply_ids))
    )
    return {
        row[0].reply_id: f"{ANSWERED.get(row[0].state, row[0].state)} "
        f"({_when(row[0].starts_at, row[1])})"
        for row in rows
        if row[0].reply_id is not None
    }
