"""The wait list: add, change and remove entries; which entries fit an open slot; book one.

Each entry is a patient waiting for a time (desktop.domain.wait_list says what
fits). Any signed-in user keeps the list. An entry tied to an appointment the
patient already has leaves the list when that appointment begins (it is simply
no longer listed; nothing needs deleting on a timer), and booking it *moves* that
appointment to the earlier slot rather than booking a second one.

`freed_slots` is what the calendar shows: cancelled bookings, the rest of no-shows
(from now or their start, if long enough), and bookings this desk deleted, in a
range whose time is still free, with the entries that fit each. Slots of inactive practitioners, and slots already begun, are never offered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import fields
from desktop.domain.appointments import AppointmentStatus
from desktop.domain.clinic_time import clinic_zone
from desktop.domain.errors import InvalidInput, NotFound, StaleEdit
from desktop.domain.wait_list import (
    OpenSlot,
    WaitListEntry,
    WaitWishes,
    best_first,
    fits,
    no_show_rest,
)
from desktop.services import booking, series
from desktop.services.booking import Booked, BookingRequest
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.series import SeriesBooked, SeriesRequest
from desktop.store import queries
from desktop.store.mapping import to_appointment
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
)
from desktop.store.unit_of_work import UnitOfWork
from desktop.store.wait_list_models import WaitListEntryRow

CANCELLED = AppointmentStatus.CANCELLED.value
NO_SHOW = AppointmentStatus.NO_SHOW.value
ANYTHING = WaitWishes()  # no wishes: any practitioner, type, day and time


@dataclass(frozen=True, slots=True)
class WaitListRequest:
    patient_id: uuid.UUID
    wishes: WaitWishes = ANYTHING
    urgent: bool = False
    note: str = ""
    appointment_id: uuid.UUID | None = None  # the appointment they want to come earlier than


@dataclass(frozen=True, slots=True)
class SavedEntry:
    entry: WaitListEntry
    changes: Changes


@dataclass(frozen=True, slots=True)
class FreedSlot:
    """An open slot in the calendar and the wait-list entries that fit it, best first."""

    slot: OpenSlot
    practitioner_name: str
    entries: tuple[WaitListEntry, ...]


def _changed(*ids: uuid.UUID) -> Changes:
    return Changes(wait_list=True, ids=frozenset(ids))


def to_entry(row: WaitListEntryRow) -> WaitListEntry:
    appointment = row.appointment
    live = appointment is not None and appointment.status != CANCELLED
    return WaitListEntry(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=f"{row.patient.first_name} {row.patient.last_name}".strip(),
        wishes=_wishes(row),
        urgent=row.urgent,
        note=row.note,
        created_at=row.created_at,
        # A cancelled appointment no longer holds them back: any time fits again.
        appointment_id=row.appointment_id if live else None,
        appointment_starts_at=appointment.starts_at if live and appointment else None,
        patient_phone=row.patient.phone,
        version=row.version,
    )


def _wishes(row: WaitListEntryRow) -> WaitWishes:
    return WaitWishes.from_json(
        {
            "practitioner_ids": row.practitioner_ids,
            "appointment_type_ids": row.appointment_type_ids,
            "weekdays": row.weekdays,
            "time_ranges": row.time_ranges,
        }
    )


def _check_request(
    session: Session,
    request: WaitListRequest,
    now: datetime,
    kept: WaitWishes = ANYTHING,
) -> None:
    """Refuses what cannot be waited for. A practitioner who has left since the entry was
    made (`kept`: the wishes stored) may stay in it: an edit keeps what the user did not touch."""
    patient = session.get(PatientRow, request.patient_id)
    if patient is None or patient.archived:
        raise NotFound("That patient no longer exists.")
    fields.storable_text(request.note, "note")
    for practitioner_id in request.wishes.practitioner_ids:
        practitioner = session.get(PractitionerRow, practitioner_id)
        if practitioner is None:
            raise NotFound("One of the chosen practitioners no longer exists.")
        if not practitioner.active and practitioner_id not in kept.practitioner_ids:
            raise InvalidInput(f"{practitioner.name} is inactive and cannot be waited for.")
    for type_id in request.wishes.type_ids:
        if session.get(AppointmentTypeRow, type_id) is None:
            raise NotFound("One of the chosen appointment types no longer exists.")
    if request.appointment_id is not None:
        appointment = session.get(AppointmentRow, request.appointment_id)
        if appointment is None:
            raise NotFound("That appointment no longer exists.")
        if appointment.patient_id != request.patient_id:
            raise InvalidInput("That appointment is another patient's.")
        if appointment.status == CANCELLED or appointment.starts_at <= now:
            raise InvalidInput(
                "Only a booking still to come can be moved earlier from the wait list."
            )


def _fill(row: WaitListEntryRow, request: WaitListRequest) -> None:
    stored = request.wishes.to_json()
    row.patient_id = request.patient_id
    row.practitioner_ids = stored["practitioner_ids"]
    row.appointment_type_ids = stored["appointment_type_ids"]
    row.weekdays = stored["weekdays"]
    row.time_ranges = stored["time_ranges"]
    row.urgent = request.urgent
    row.note = request.note.strip()
    row.appointment_id = request.appointment_id


def add_entry(ctx: ServiceContext, request: WaitListRequest) -> SavedEntry:
    ctx.actor()
    with ctx.unit_of_work() as uow:
        _check_request(uow.session, request, ctx.now())
        row = WaitListEntryRow()
        _fill(row, request)
        uow.session.add(row)
        uow.commit()
        entry_id = row.id
    return SavedEntry(entry(ctx, entry_id), _changed(entry_id))


def update_entry(
    ctx: ServiceContext,
    entry_id: uuid.UUID,
    request: WaitListRequest,
    expected_version: int | None = None,
) -> SavedEntry:
    """Change an entry as the user left it; an entry someone else changed meanwhile is refused."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        row = _get(uow.session, entry_id)
        if expected_version is not None and row.version != expected_version:
            raise StaleEdit("wait-list entry")
        _check_request(uow.session, request, ctx.now(), _wishes(row))
        _fill(row, request)
        uow.commit()
    return SavedEntry(entry(ctx, entry_id), _changed(entry_id))


def remove_entry(ctx: ServiceContext, entry_id: uuid.UUID) -> Changes:
    ctx.actor()
    with ctx.unit_of_work() as uow:
        row = uow.session.get(WaitListEntryRow, entry_id)
        if row is not None:  # removed already (another desk): the same end
            uow.session.delete(row)
            uow.commit()
    return _changed(entry_id)


def _get(session: Session, entry_id: uuid.UUID) -> WaitListEntryRow:
    row = session.get(WaitListEntryRow, entry_id)
    if row is None:
        raise NotFound("That patient is no longer on the wait list.")
    return row


def entry(ctx: ServiceContext, entry_id: uuid.UUID) -> WaitListEntry:
    ctx.actor()
    with ctx.database.reading() as session:
        return to_entry(_get(session, entry_id))


def current_entries(
    ctx: ServiceContext, now: datetime | None = None, patient_id: uuid.UUID | None = None
) -> list[WaitListEntry]:
    """The list as it stands (urgent first, then oldest); a patient's own entries if asked."""
    ctx.actor()
    with ctx.database.reading() as session:
        return current(session, now or ctx.now(), patient_id)


def current(
    session: Session, now: datetime, patient_id: uuid.UUID | None = None
) -> list[WaitListEntry]:
    query = (
        select(WaitListEntryRow)
        .join(PatientRow, PatientRow.id == WaitListEntryRow.patient_id)
        .where(PatientRow.archived.is_(False))
    )
    if patient_id is not None:
        query = query.where(WaitListEntryRow.patient_id == patient_id)
    zone = _zone(session) or clinic_zone("UTC")
    rows = session.execute(query).unique().scalars()
    return best_first(e for e in (to_entry(row) for row in rows) if e.is_current(now, zone))


def _zone(session: Session) -> ZoneInfo | None:
    """The clinic's time zone (the main clinic's, as the calendar shows it); None before set-up."""
    clinic = session.execute(select(ClinicRow).order_by(ClinicRow.name).limit(1)).scalar()
    return clinic_zone(clinic.timezone) if clinic is not None else None


def matches_for_slot(
    ctx: ServiceContext,
    practitioner_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    type_id: uuid.UUID | None = None,
    *,
    now: datetime | None = None,
) -> list[WaitListEntry]:
    """The entries that can take this slot, urgent first then oldest.

    None for an inactive practitioner or a slot already begun. Patients who are
    already booked at that time are left out.
    """
    ctx.actor()
    slot = OpenSlot(practitioner_id, starts_at, ends_at, type_id)
    with ctx.database.reading() as session:
        moment = now or ctx.now()
        return list(fitting(session, [slot], current(session, moment), moment)[0])


def freed_slots(
    ctx: ServiceContext,
    starts_at: datetime,
    ends_at: datetime,
    *,
    also: Sequence[OpenSlot] = (),
    now: datetime | None = None,
) -> list[FreedSlot]:
    """Cancelled bookings, the rest of no-shows (and `also`: bookings deleted on this
    desk) between the two instants whose time is still free, each with the entries
    that fit it."""
    ctx.actor()
    moment = now or ctx.now()
    with ctx.database.reading() as session:
        cancelled = (
            session.execute(
                select(AppointmentRow).where(
                    AppointmentRow.status == CANCELLED,
                    AppointmentRow.starts_at >= max(starts_at, moment),
                    AppointmentRow.starts_at < ends_at,
                )
            )
            .unique()
            .scalars()
        )
        candidates = [
            OpenSlot(a.practitioner_id, a.starts_at, a.ends_at, a.appointment_type_id, a.id)
            for a in cancelled
        ]
        candidates += _no_show_rests(session, max(starts_at, moment), ends_at, moment)
        candidates += [s for s in also if starts_at <= s.starts_at < ends_at]
        slots = free_slots(session, candidates, moment)
        fit = fitting(session, slots, current(session, moment), moment)
        names = _practitioner_names(session, {s.practitioner_id for s in slots})
        return [
            FreedSlot(slot, names.get(slot.practitioner_id, ""), entries)
            for slot, entries in zip(slots, fit, strict=True)
        ]


def _no_show_rests(
    session: Session, starts_at: datetime, ends_at: datetime, now: datetime
) -> list[OpenSlot]:
    """The rest of each no-show still running or to come between the two instants."""
    no_shows = (
        session.execute(
            select(AppointmentRow).where(
                AppointmentRow.status == NO_SHOW,
                AppointmentRow.ends_at > starts_at,
                AppointmentRow.starts_at < ends_at,
            )
        )
        .unique()
        .scalars()
    )
    rests = (
        no_show_rest(a.practitioner_id, a.starts_at, a.ends_at, a.appointment_type_id, a.id, now)
        for a in no_shows
    )
    return [r for r in rests if r is not None]


def free_slots(session: Session, slots: Iterable[OpenSlot], now: datetime) -> list[OpenSlot]:
    """The slots still to come whose time nobody holds now, once each, earliest first."""
    seen: dict[tuple[uuid.UUID, datetime, datetime], OpenSlot] = {}
    for slot in sorted(slots, key=lambda s: s.starts_at):
        key = (slot.practitioner_id, slot.starts_at, slot.ends_at)
        if key in seen or slot.starts_at <= now:
            continue
        if not queries.busy_blocks(session, slot.practitioner_id, slot.starts_at, slot.ends_at):
            seen[key] = slot
    return list(seen.values())


def _practitioner_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(PractitionerRow.id, PractitionerRow.name).where(PractitionerRow.id.in_(ids))
    )
    return {row[0]: row[1] for row in rows}


def fitting(
    session: Session, slots: Sequence[OpenSlot], entries: list[WaitListEntry], now: datetime
) -> list[tuple[WaitListEntry, ...]]:
    """For each slot, the entries that fit it (in `entries`' order)."""
    zone = _zone(session)
    if zone is None or not entries:
        return [() for _ in slots]
    active = set(
        session.execute(
            select(PractitionerRow.id).where(
                PractitionerRow.id.in_({s.practitioner_id for s in slots}),
                PractitionerRow.active.is_(True),
            )
        ).scalars()
    )
    found: list[tuple[WaitListEntry, ...]] = []
    for slot in slots:
        if slot.practitioner_id not in active or slot.starts_at <= now:
            found.append(())
            continue
        fit = [e for e in entries if fits(e, slot, zone)]
        busy = _booked_then(session, {e.patient_id for e in fit}, slot)
        found.append(tuple(e for e in fit if e.patient_id not in busy))
    return found


def _booked_then(session: Session, patient_ids: set[uuid.UUID], slot: OpenSlot) -> set[uuid.UUID]:
    """Patients who already have a booking overlapping the slot."""
    if not patient_ids:
        return set()
    rows = session.execute(
        select(AppointmentRow.patient_id).where(
            AppointmentRow.patient_id.in_(patient_ids),
            AppointmentRow.status != CANCELLED,
            AppointmentRow.starts_at < slot.ends_at,
            AppointmentRow.ends_at > slot.starts_at,
        )
    ).scalars()
    return {ident for ident in rows if ident is not None}


def book_entry(ctx: ServiceContext, entry_id: uuid.UUID, request: BookingRequest) -> Booked:
    """Give the slot in `request` to the entry's patient, by every booking rule, and take
    them off the list — one transaction (one sync group), so a refusal leaves both as they
    were. A patient waiting to come earlier has their appointment moved."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        found = _get(uow.session, entry_id)
        if found.appointment_id is not None:
            row = booking.move_in(
                uow,
                actor,
                found.appointment_id,
                practitioner_id=request.practitioner_id,
                starts_at=request.starts_at,
                ends_at=request.ends_at,
                override_availability=request.override_availability,
            )
        else:
            row = booking.book_in(uow, actor, replace(request, patient_id=found.patient_id))
        uow.session.delete(found)
        uow.commit()
        appointment_id = row.id
    with ctx.database.reading() as session:
        stored = session.get(AppointmentRow, appointment_id)
        assert stored is not None
        appointment = to_appointment(stored)
    booked = Changes(appointments=True, ids=frozenset({appointment_id}))
    return Booked(appointment, booked | _changed(entry_id))


def book_entry_series(
    ctx: ServiceContext, entry_id: uuid.UUID, request: SeriesRequest
) -> SeriesBooked:
    """Book a repeating series for the entry's patient and take them off the list in the
    same transaction: its first occurrence fills the slot they waited for."""
    patient_id = entry(ctx, entry_id).patient_id

    def leave_the_list(uow: UnitOfWork) -> Changes:
        row = uow.session.get(WaitListEntryRow, entry_id)
        if row is not None:  # removed meanwhile on another desk: the same end
            uow.session.delete(row)
        return _changed(entry_id)

    first = replace(request.first, patient_id=patient_id)
    return series.book_series(ctx, replace(request, first=first), also=leave_the_list)
