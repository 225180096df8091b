"""Repeating appointments and classes: check a series, book it, and change or cancel
"this one / this and the following / all" of it.

A series is the appointments booked together from one repeat rule; they share a
`series_id` (see migration 0011_repeats). There is no series record: what was
booked is what the series is, so skipping or moving a date needs no exception list.

`check_series` lists every occurrence with why it cannot be booked (a double
booking, outside the practitioner's hours, the practitioner inactive, a time the
clocks skip, a month without the wanted weekday, a date outside 1990–2099). The
user skips or moves those; `book_series` books the rest in ONE unit of work, so
they are one change for the screens, and on a desk following a server ONE sync
group, which the server accepts or refuses as a whole. If anything changed since
the check (another desk took a slot) nothing is booked and the refusal says which
date: the dialog checks again, and the user decides — never a half-booked series.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import rules
from desktop.domain.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CancellationReason,
)
from desktop.domain.clinic_time import clinic_zone, local_date, local_to_utc, to_local
from desktop.domain.errors import (
    ClassFull,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PractitionerInactive,
)
from desktop.domain.repeats import RepeatRule, SeriesScope, occurrences
from desktop.domain.roles import Actor
from desktop.services.booking import (
    BookingRequest,
    ReadOnly,
    Reads,
    bookable_practitioner,
    cancel_row,
    check_new_place,
    check_slot,
    editable_appointment,
    existing,
    has_live_invoice,
    new_appointment,
    offered_type,
    restore_row,
    seat,
)
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging import reminders
from desktop.store.mapping import to_appointment
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    AttendanceRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
)
from desktop.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class SeriesRequest:
    """The first appointment as typed, how it repeats, and the user's decisions.

    `moved`: occurrence number -> its new start (the length stays the first's).
    `skipped`: occurrence numbers not to book. `attendees`: for a class, patients
    booked into every occurrence besides `first.patient_id`.
    """

    first: BookingRequest
    rule: RepeatRule
    moved: Mapping[int, datetime] = field(default_factory=dict)
    skipped: frozenset[int] = frozenset()
    attendees: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedOccurrence:
    """One date of the series as it would be booked now."""

    number: int
    day: date  # local; for a month without the weekday, the 1st of that month
    starts_at: datetime | None
    ends_at: datetime | None
    problem: str = ""  # why it cannot be booked; empty when it can
    moved: bool = False
    skipped: bool = False

    @property
    def will_book(self) -> bool:
        return not self.skipped and not self.problem


@dataclass(frozen=True, slots=True)
class SeriesBooked:
    appointments: tuple[Appointment, ...]
    changes: Changes


def check_series(ctx: ServiceContext, request: SeriesRequest) -> list[PlannedOccurrence]:
    """Every occurrence, each bookable or with its reason; nothing is written."""
    actor = ctx.actor()
    with ctx.database.reading() as session:  # no write lock: this books nothing
        uow = ReadOnly(session)
        practitioner: PractitionerRow = existing(
            uow, PractitionerRow, request.first.practitioner_id, "practitioner"
        )
        if not actor.may_edit_calendar_of(practitioner.id):
            raise PermissionDenied(
                f"You can only change your own calendar, not {practitioner.name}'s."
            )
        return _plan(uow, practitioner, request)


def book_series(
    ctx: ServiceContext,
    request: SeriesRequest,
    *,
    also: Callable[[UnitOfWork], Changes] | None = None,
) -> SeriesBooked:
    """Book every occurrence not skipped, all or none. `also`: more work of the caller's
    done in the same transaction (taking the patient off the wait list)."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        # Locks the practitioner's calendar; an inactive practitioner is refused by name.
        practitioner = bookable_practitioner(uow, actor, request.first.practitioner_id)
        plan = _plan(uow, practitioner, request)
        blocked = [o for o in plan if not o.skipped and o.problem]
        if blocked:
            first = blocked[0]
            raise InvalidInput(
                f"{first.day:%a %d %b %Y} can no longer be booked: {first.problem} "
                "Nothing was booked; check the dates again."
            )
        booking = [o for o in plan if o.will_book]
        if not booking:
            raise InvalidInput("Every date is skipped, so there is nothing to book.")
        kind_row = offered_type(uow, request.first)
        series_id = uuid.uuid4()
        rows = []
        for occurrence in booking:
            assert occurrence.starts_at is not None
            assert occurrence.ends_at is not None
            row = new_appointment(
                uow, request.first, kind_row, occurrence.starts_at, occurrence.ends_at, series_id
            )
            for patient_id in request.attendees:
                row.attendances.append(AttendanceRow(patient_id=patient_id))
            rows.append(row)
        extra = also(uow) if also is not None else Changes()
        uow.session.flush()  # the ids are assigned here
        ids = [row.id for row in rows]
        uow.commit()
    done = _reloaded(ctx, ids, 0, extra)
    return SeriesBooked(done.appointments, done.changes)


def _plan(
    uow: Reads, practitioner: PractitionerRow, request: SeriesRequest
) -> list[PlannedOccurrence]:
    first = request.first
    clinic: ClinicRow = existing(uow, ClinicRow, first.clinic_id, "clinic")
    zone = clinic_zone(clinic.timezone)
    kind_row = offered_type(uow, first)
    _check_attendees(uow, request, kind_row)
    ends_at = first.ends_at or first.starts_at + timedelta(minutes=kind_row.duration_minutes)
    length = ends_at - first.starts_at
    local_start = to_local(first.starts_at, zone)
    listed = occurrences(request.rule, local_start.date(), local_start.time(), length, zone)
    planned: list[PlannedOccurrence] = []
    taken: list[rules.BusyBlock] = []  # the series' own earlier dates
    for occurrence in listed:
        number = occurrence.number
        if number in request.skipped:
            planned.append(
                PlannedOccurrence(
                    number, occurrence.day, occurrence.starts_at, occurrence.ends_at, skipped=True
                )
            )
            continue
        moved_to = request.moved.get(number)
        starts_at: datetime | None
        ends: datetime | None
        if moved_to is not None:
            starts_at, ends = moved_to, moved_to + length
            day, problem = local_date(moved_to, zone), ""
        else:
            starts_at, ends = occurrence.starts_at, occurrence.ends_at
            day, problem = occurrence.day, occurrence.problem
        if not problem and not practitioner.active:
            problem = str(PractitionerInactive(practitioner.name))
        if not problem and starts_at is not None and ends is not None:
            problem = _slot_problem(uow, practitioner, clinic, first, starts_at, ends, taken)
            if not problem:
                taken.append(rules.BusyBlock(starts_at, ends, f"date {number} of this series"))
        planned.append(
            PlannedOccurrence(number, day, starts_at, ends, problem, moved=moved_to is not None)
        )
    return planned


def _slot_problem(
    uow: Reads,
    practitioner: PractitionerRow,
    clinic: ClinicRow,
    first: BookingRequest,
    starts_at: datetime,
    ends_at: datetime,
    taken: list[rules.BusyBlock],
) -> str:
    """Why this slot cannot be booked, in the words a single booking's refusal uses."""
    try:
        starts_at, ends_at = rules.ensure_time_range(starts_at, ends_at)
        check_slot(
            uow,
            practitioner,
            clinic,
            starts_at,
            ends_at,
            exclude_id=None,
            override_availability=first.override_availability,
            override_double_booking=first.override_double_booking,
            also_busy=taken,
        )
    except DomainError as refused:
        return str(refused)
    return ""


def _check_attendees(uow: Reads, request: SeriesRequest, kind_row: AppointmentTypeRow) -> None:
    """A class's attendees exist, are listed once, and fit its capacity."""
    if not request.attendees:
        return
    if AppointmentKind(kind_row.kind) is not AppointmentKind.CLASS:
        raise InvalidInput("Only a class takes more than one patient.")
    everyone = [
        *([request.first.patient_id] if request.first.patient_id else []),
        *request.attendees,
    ]
    if len(set(everyone)) != len(everyone):
        raise InvalidInput("A patient is listed twice for this class.")
    for patient_id in request.attendees:
        existing(uow, PatientRow, patient_id, "patient")
    if len(everyone) > kind_row.capacity:
        raise ClassFull(kind_row.name, kind_row.capacity)


# --- this one / this and the following / all ------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesChanged:
    """The appointments a scoped change or cancel touched, as they now are."""

    appointments: tuple[Appointment, ...]
    changes: Changes
    past_left: int = 0  # appointments of the series already begun, left as they were
    # Each one's status before a cancel: what undo restores (an arrived patient stays arrived).
    before: tuple[tuple[uuid.UUID, AppointmentStatus], ...] = ()
    # Each one as it was before a change: what undo puts back.
    previous: tuple[Appointment, ...] = ()


def scope_members(
    ctx: ServiceContext, appointment_id: uuid.UUID, scope: SeriesScope, now: datetime | None = None
) -> SeriesChanged:
    """What a scoped change would touch (nothing is written): for the question's wording."""
    ctx.actor()
    with ctx.database.reading() as session:
        row = session.get(AppointmentRow, appointment_id)
        if row is None:
            raise NotFound("That appointment no longer exists.")
        members, past = _members(session, row, scope, now or ctx.now())
        return SeriesChanged(tuple(to_appointment(m) for m in members), Changes(), past)


@dataclass(frozen=True, slots=True)
class SeriesPlace:
    """Where an appointment stands in its series: "3 of 10", and the next one."""

    number: int
    count: int
    next_starts_at: datetime | None  # None for the last one


def place_in_series(ctx: ServiceContext, appointment: Appointment) -> SeriesPlace | None:
    """None when it is not one of a series. Cancelled ones do not count, except itself
    (it still shows where it stood)."""
    ctx.actor()
    if appointment.series_id is None:
        return None
    with ctx.database.reading() as session:
        members = list(
            session.execute(
                select(AppointmentRow.id, AppointmentRow.starts_at)
                .where(
                    AppointmentRow.series_id == appointment.series_id,
                    (AppointmentRow.status != AppointmentStatus.CANCELLED.value)
                    | (AppointmentRow.id == appointment.id),
                )
                .order_by(AppointmentRow.starts_at, AppointmentRow.id)
            )
        )
    number = next((n for n, m in enumerate(members, 1) if m.id == appointment.id), None)
    if number is None:
        return None  # gone since it was read
    later = members[number:]
    return SeriesPlace(number, len(members), later[0].starts_at if later else None)


def cancel_in_series(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    scope: SeriesScope,
    reason: CancellationReason,
    note: str = "",
    now: datetime | None = None,
) -> SeriesChanged:
    """Cancel this one, this and the following, or all (never those already begun)."""
    actor = ctx.actor()
    _ensure_reason(reason, note)
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, appointment_id, None)
        members, past = _members(uow.session, row, scope, now or ctx.now())
        return _cancel(ctx, uow, actor, members, reason, note, past)


def cancel_ids(
    ctx: ServiceContext, ids: Sequence[uuid.UUID], reason: CancellationReason, note: str = ""
) -> SeriesChanged:
    """Cancel exactly these again (redo of a scoped cancel), all or none."""
    actor = ctx.actor()
    _ensure_reason(reason, note)
    with ctx.unit_of_work() as uow:
        members = [editable_appointment(uow, actor, appointment_id, None) for appointment_id in ids]
        return _cancel(ctx, uow, actor, members, reason, note, 0)


def _ensure_reason(reason: CancellationReason, note: str) -> None:
    if reason is CancellationReason.OTHER and not note.strip():
        raise InvalidInput("Say why the appointment was cancelled.")


def _cancel(
    ctx: ServiceContext,
    uow: UnitOfWork,
    actor: Actor,
    members: list[AppointmentRow],
    reason: CancellationReason,
    note: str,
    past: int,
) -> SeriesChanged:
    before = tuple((m.id, AppointmentStatus(m.status)) for m in members)
    voided: list[uuid.UUID] = []
    for member in members:
        editable_appointment(uow, actor, member.id, None)
        voided += cancel_row(uow, member, reason, note)
    uow.commit()
    extra = Changes(billing=True, outbox=True, ids=frozenset(voided)) if voided else Changes()
    done = _reloaded(ctx, [m.id for m in members], past, extra)
    return SeriesChanged(done.appointments, done.changes, past, before)


def restore_cancelled(
    ctx: ServiceContext, before: Sequence[tuple[uuid.UUID, AppointmentStatus]]
) -> SeriesChanged:
    """Undo a scoped cancel in one step: each back as it was, or none if any slot was taken."""
    actor = ctx.actor()
    if any(status is AppointmentStatus.CANCELLED for _, status in before):
        raise InvalidInput("An appointment cannot be restored as cancelled.")
    with ctx.unit_of_work() as uow:
        for appointment_id, status in before:
            row = editable_appointment(uow, actor, appointment_id, None)
            try:
                restore_row(uow, actor, row, status)
            except DomainError as refused:
                raise _on_day(uow, row, refused) from refused
            uow.session.flush()  # the next one's slot check sees this one
        uow.commit()
    return _reloaded(ctx, [appointment_id for appointment_id, _ in before], 0, Changes())


@dataclass(frozen=True, slots=True)
class SeriesEdit:
    """What to change on each chosen appointment; None (or no shift) leaves it alone."""

    shift: timedelta = timedelta(0)  # of the time of day, in the clinic's wall time
    practitioner_id: uuid.UUID | None = None
    type_id: uuid.UUID | None = None
    length: timedelta | None = None
    notes: str | None = None


def change_in_series(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    scope: SeriesScope,
    edit: SeriesEdit,
    now: datetime | None = None,
) -> SeriesChanged:
    """Apply one edit to this one, this and the following, or all; the booking rules are
    checked for each, and if any is refused nothing changes and the date is named."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, appointment_id, None)
        members, past = _members(uow.session, row, scope, now or ctx.now())
        return _change(ctx, uow, actor, members, edit, past)


def change_ids(ctx: ServiceContext, ids: Sequence[uuid.UUID], edit: SeriesEdit) -> SeriesChanged:
    """Apply the edit to exactly these again (redo of a scoped change), all or none."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        members = [editable_appointment(uow, actor, appointment_id, None) for appointment_id in ids]
        return _change(ctx, uow, actor, members, edit, 0)


def put_back(ctx: ServiceContext, previous: Sequence[Appointment]) -> SeriesChanged:
    """Undo of a scoped change: each appointment back to its practitioner, time, type
    and notes as they were, checked again; all or none."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        for before in previous:
            row = editable_appointment(uow, actor, before.id, None)
            kind_row = None
            if before.type_id != row.appointment_type_id:
                kind_row = existing(uow, AppointmentTypeRow, before.type_id, "appointment type")
            place = (before.practitioner_id, before.starts_at, before.ends_at)
            try:
                _set(uow, actor, row, place, kind_row, before.notes)
            except DomainError as refused:
                raise _on_day(uow, row, refused) from refused
        uow.commit()
    return _reloaded(ctx, [a.id for a in previous], 0, Changes())


def _change(
    ctx: ServiceContext,
    uow: UnitOfWork,
    actor: Actor,
    members: list[AppointmentRow],
    edit: SeriesEdit,
    past: int,
) -> SeriesChanged:
    previous = tuple(to_appointment(m) for m in members)
    kind_row = _new_type(uow, edit.type_id)
    for member in members:
        editable_appointment(uow, actor, member.id, None)
        clinic: ClinicRow = existing(uow, ClinicRow, member.clinic_id, "clinic")
        zone = clinic_zone(clinic.timezone)
        local = to_local(member.starts_at, zone).replace(tzinfo=None) + edit.shift
        try:
            starts_at = local_to_utc(local.date(), local.time(), zone)
            ends_at = starts_at + (edit.length or member.ends_at - member.starts_at)
            place = (edit.practitioner_id or member.practitioner_id, starts_at, ends_at)
            _set(uow, actor, member, place, kind_row, edit.notes)
        except DomainError as refused:
            raise _on_day(uow, member, refused) from refused
    uow.commit()
    done = _reloaded(ctx, [m.id for m in members], past, Changes())
    return SeriesChanged(done.appointments, done.changes, past, previous=previous)


def add_attendee_in_series(
    ctx: ServiceContext,
    class_id: uuid.UUID,
    patient_id: uuid.UUID,
    scope: SeriesScope,
    now: datetime | None = None,
) -> SeriesChanged:
    """Book a patient into this class, this and the following, or all of a term (not
    those already begun). Classes they are already in are left as they are; a full
    one refuses the lot, naming its date."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, class_id, None)
        patient: PatientRow = existing(uow, PatientRow, patient_id, "patient")
        members, past = _members(uow.session, row, scope, now or ctx.now())
        added = []
        for member in members:
            editable_appointment(uow, actor, member.id, None)
            try:
                bookable_practitioner(uow, actor, member.practitioner_id)
                if seat(uow, member, patient):
                    added.append(member.id)
            except DomainError as refused:
                raise _on_day(uow, member, refused) from refused
        if not added:
            raise InvalidInput(
                f"{patient.first_name} {patient.last_name} is already in each of those classes."
            )
        uow.commit()
    return _reloaded(ctx, added, past, Changes())


def _new_type(uow: UnitOfWork, type_id: uuid.UUID | None) -> AppointmentTypeRow | None:
    if type_id is None:
        return None
    kind_row: AppointmentTypeRow = existing(uow, AppointmentTypeRow, type_id, "appointment type")
    if not kind_row.active:
        raise InvalidInput(f"“{kind_row.name}” is no longer offered.")
    return kind_row


def _set(
    uow: UnitOfWork,
    actor: Actor,
    row: AppointmentRow,
    place: tuple[uuid.UUID, datetime, datetime],
    kind_row: AppointmentTypeRow | None,
    notes: str | None,
) -> None:
    """Give one appointment this practitioner, start and end, type and notes (None
    leaves type or notes alone), with the booking rules checked again."""
    practitioner_id, starts_at, ends_at = place
    practitioner = bookable_practitioner(uow, actor, practitioner_id)
    if kind_row is not None and kind_row.id != row.appointment_type_id:
        if kind_row.kind != row.appointment_type.kind:
            raise InvalidInput(f"“{kind_row.name}” is a different kind of booking (class or not).")
        if has_live_invoice(uow, row.id):
            raise InvalidInput("It is invoiced: void or correct the invoice first.")
        row.appointment_type_id = kind_row.id
    if (practitioner.id, starts_at, ends_at) != (row.practitioner_id, row.starts_at, row.ends_at):
        starts_at, ends_at = check_new_place(uow, row, practitioner, starts_at, ends_at)
        row.practitioner_id, row.starts_at, row.ends_at = practitioner.id, starts_at, ends_at
    if notes is not None:
        row.notes = notes.strip()
    reminders.appointment_changed(uow, row)
    uow.session.flush()  # the next one's slot check sees this one where it now is


def _members(
    session: Session, row: AppointmentRow, scope: SeriesScope, now: datetime
) -> tuple[list[AppointmentRow], int]:
    """The chosen appointments in date order, and how many begun ones were left out.

    Cancelled ones are not touched again. Those already begun are never changed by
    "the following" or "all": only the one the user opened can be in the past.
    """
    if scope is SeriesScope.THIS or row.series_id is None:
        return [row], 0
    query = (
        select(AppointmentRow)
        .where(
            AppointmentRow.series_id == row.series_id,
            AppointmentRow.status != AppointmentStatus.CANCELLED.value,
        )
        .order_by(AppointmentRow.starts_at)
    )
    if scope is SeriesScope.FOLLOWING:
        query = query.where(AppointmentRow.starts_at >= row.starts_at)
    candidates = list(session.execute(query).unique().scalars())
    chosen = [m for m in candidates if m.id == row.id or m.starts_at >= now]
    return chosen, len(candidates) - len(chosen)


def _on_day(uow: UnitOfWork, row: AppointmentRow, refused: DomainError) -> InvalidInput:
    clinic: ClinicRow = existing(uow, ClinicRow, row.clinic_id, "clinic")
    day = to_local(row.starts_at, clinic_zone(clinic.timezone))
    return InvalidInput(f"{day:%a %d %b %Y}: {refused} Nothing was changed.")


def _reloaded(
    ctx: ServiceContext, ids: list[uuid.UUID], past: int, extra: Changes
) -> SeriesChanged:
    with ctx.database.reading() as session:
        stored = (session.get(AppointmentRow, row_id) for row_id in ids)
        found = tuple(to_appointment(row) for row in stored if row is not None)
    changes = Changes(appointments=True, ids=frozenset(ids)) | extra
    return SeriesChanged(found, changes, past)
