"""Practitioners: set-up, deactivation (never orphaning future bookings), reactivation."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import rules
from desktop.domain.appointments import Appointment, AppointmentStatus, CancellationReason
from desktop.domain.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from desktop.domain.hours import WeeklyHours
from desktop.domain.people import Practitioner
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store import queries
from desktop.store.mapping import to_appointment, to_practitioner
from desktop.store.models import AppointmentRow, PractitionerRow, ProviderNumberRow
from desktop.store.unit_of_work import UnitOfWork


class FutureBookings(enum.StrEnum):
    """What to do with a deactivated practitioner's future bookings."""

    MOVE = "move"  # to another active practitioner, same times
    CANCEL = "cancel"  # with the clinic as the reason; patients get notified
    KEEP_READ_ONLY = "keep_read_only"  # stay visible on the patient's card, cannot be changed


@dataclass(frozen=True, slots=True)
class PractitionerDetails:
    name: str
    profession: str = ""
    colour: str = "#4a90d9"
    availability: WeeklyHours = field(default_factory=WeeklyHours)
    provider_numbers: dict[uuid.UUID, str] | None = None
    # The column's place in the calendar (lowest first); None: after everyone else.
    display_order: int | None = None


def create_practitioner(
    ctx: ServiceContext, details: PractitionerDetails
) -> tuple[Practitioner, Changes]:
    if not ctx.actor().is_admin:
        raise PermissionDenied("Only an administrator can add practitioners.")
    with ctx.unit_of_work() as uow:
        count = len(uow.session.execute(select(PractitionerRow.id)).all())
        row = new_practitioner_row(details, sort_order=count)
        uow.session.add(row)
        uow.commit()
        return to_practitioner(row), Changes(practitioners=True, ids=frozenset({row.id}))


def new_practitioner_row(details: PractitionerDetails, sort_order: int) -> PractitionerRow:
    """A checked, active practitioner row (the window and the demo clinic make theirs here).

    `details.display_order`, when given, wins over `sort_order` (the next free place).
    """
    _check(details)
    row = PractitionerRow(active=True, sort_order=sort_order)
    _fill(row, details)
    return row


def update_practitioner(
    ctx: ServiceContext,
    practitioner_id: uuid.UUID,
    details: PractitionerDetails,
    expected_version: int | None = None,
) -> tuple[Practitioner, Changes]:
    """Name, profession, colour, order, hours and provider numbers; active stays as it is.

    Provider numbers are replaced by the ones given (a location left blank loses its
    number). Existing bookings outside the new hours stay where they are. With
    `expected_version` (what the editing screen showed), someone else's change in
    the meantime is refused rather than overwritten.
    """
    if not ctx.actor().is_admin:
        raise PermissionDenied("Only an administrator can change practitioners.")
    _check(details)
    with ctx.unit_of_work() as uow:
        row = queries.lock_practitioner(uow.session, practitioner_id)
        if row is None:
            raise NotFound("That practitioner no longer exists.")
        if expected_version is not None and row.version != expected_version:
            raise StaleEdit("practitioner")
        _fill(row, details)
        uow.commit()
        return to_practitioner(row), Changes(practitioners=True, ids=frozenset({row.id}))


def _check(details: PractitionerDetails) -> None:
    if not details.name.strip():
        raise InvalidInput("A practitioner needs a name.")
    if details.display_order is not None and details.display_order < 0:
        raise InvalidInput("The calendar order is a number from 0 up.")


def _fill(row: PractitionerRow, details: PractitionerDetails) -> None:
    row.name = details.name.strip()
    row.profession = details.profession.strip()
    row.colour = details.colour
    row.availability = details.availability.to_json()
    if details.display_order is not None:
        row.sort_order = details.display_order
    wanted = {
        clinic_id: number.strip()
        for clinic_id, number in (details.provider_numbers or {}).items()
        if number.strip()
    }
    for existing in list(row.provider_numbers):
        if existing.clinic_id not in wanted:
            row.provider_numbers.remove(existing)
        elif existing.number != wanted[existing.clinic_id]:
            existing.number = wanted[existing.clinic_id]
    held = {existing.clinic_id for existing in row.provider_numbers}
    for clinic_id, number in wanted.items():
        if clinic_id not in held:
            row.provider_numbers.append(ProviderNumberRow(clinic_id=clinic_id, number=number))


def future_bookings(ctx: ServiceContext, practitioner_id: uuid.UUID) -> list[Appointment]:
    """Live bookings from now on: what deactivation has to decide about."""
    ctx.actor()
    with ctx.database.reading() as session:
        return [to_appointment(row) for row in _future_rows(session, practitioner_id, ctx.now())]


def _future_rows(
    session: Session, practitioner_id: uuid.UUID, now: datetime
) -> list[AppointmentRow]:
    query = (
        select(AppointmentRow)
        .where(
            AppointmentRow.practitioner_id == practitioner_id,
            AppointmentRow.ends_at > now,
            AppointmentRow.status != AppointmentStatus.CANCELLED.value,
        )
        .order_by(AppointmentRow.starts_at)
    )
    return list(session.execute(query).unique().scalars())


def deactivate_practitioner(
    ctx: ServiceContext,
    practitioner_id: uuid.UUID,
    plan: FutureBookings | None = None,
    move_to: uuid.UUID | None = None,
) -> Changes:
    """Deactivate; future bookings are moved, cancelled or kept read-only as chosen.

    With future bookings and no plan, nothing changes: the caller must ask the user.
    """
    if not ctx.actor().is_admin:
        raise PermissionDenied("Only an administrator can deactivate practitioners.")
    with ctx.unit_of_work() as uow:
        practitioner = queries.lock_practitioner(uow.session, practitioner_id)
        if practitioner is None:
            raise NotFound("That practitioner no longer exists.")
        future = _future_rows(uow.session, practitioner_id, ctx.now())
        if future and plan is None:
            raise InvalidInput(
                f"{practitioner.name} has {len(future)} future booking(s). "
                "Choose whether to move them, cancel them, or keep them read-only."
            )
        if plan is FutureBookings.MOVE:
            _move_all(uow, future, practitioner, move_to)
        elif plan is FutureBookings.CANCEL:
            for row in future:
                row.status = AppointmentStatus.CANCELLED.value
                row.cancellation_reason = CancellationReason.PRACTITIONER_UNAVAILABLE.value
                row.cancellation_note = f"{practitioner.name} is no longer available."
        elif plan is FutureBookings.KEEP_READ_ONLY:
            for row in future:
                row.read_only = True
        practitioner.active = False
        uow.commit()
    return Changes(practitioners=True, appointments=True, ids=frozenset({practitioner_id}))


def _move_all(
    uow: UnitOfWork,
    future: list[AppointmentRow],
    source: PractitionerRow,
    move_to: uuid.UUID | None,
) -> None:
    if move_to is None or move_to == source.id:
        raise InvalidInput("Choose another practitioner to move the bookings to.")
    target = queries.lock_practitioner(uow.session, move_to)
    if target is None:
        raise NotFound("The practitioner to move to no longer exists.")
    rules.ensure_bookable(target.name, target.active)
    for row in future:
        busy = queries.busy_blocks(uow.session, target.id, row.starts_at, row.ends_at, row.id)
        clash = rules.find_clash(row.starts_at, row.ends_at, busy)
        if clash is not None:
            raise InvalidInput(
                f"{target.name} is busy at {row.starts_at:%d %b %H:%M} UTC ({clash.label}); "
                "move that booking by hand first, or choose another option."
            )
        row.practitioner_id = target.id
        uow.flush()


def reactivate_practitioner(ctx: ServiceContext, practitioner_id: uuid.UUID) -> Changes:
    if not ctx.actor().is_admin:
        raise PermissionDenied("Only an administrator can reactivate practitioners.")
    with ctx.unit_of_work() as uow:
        row = queries.lock_practitioner(uow.session, practitioner_id)
        if row is None:
            raise NotFound("That practitioner no longer exists.")
        row.active = True
        for appointment in _future_rows(uow.session, practitioner_id, ctx.now()):
            appointment.read_only = False
        uow.commit()
    return Changes(practitioners=True, appointments=True, ids=frozenset({practitioner_id}))
