"""What the calendar shows: the clinic, its practitioners, types and a range of appointments."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from desktop.domain.appointments import Appointment, AppointmentType
from desktop.domain.clinic_time import day_bounds, local_date
from desktop.domain.errors import NotFound
from desktop.domain.people import Clinic, Practitioner
from desktop.services.context import ServiceContext
from desktop.store import queries
from desktop.store.mapping import (
    to_appointment,
    to_appointment_type,
    to_clinic,
    to_practitioner,
)
from desktop.store.models import AppointmentRow, AppointmentTypeRow, ClinicRow, PractitionerRow


def clinics(ctx: ServiceContext) -> list[Clinic]:
    ctx.actor()
    with ctx.database.reading() as session:
        rows = session.execute(select(ClinicRow).order_by(ClinicRow.name)).scalars()
        return [to_clinic(row) for row in rows]


def main_clinic(ctx: ServiceContext) -> Clinic:
    found = clinics(ctx)
    if not found:
        raise NotFound("No clinic is set up yet: an administrator sets it up in Settings ▸ Clinic.")
    return found[0]


def practitioners(ctx: ServiceContext, *, include_inactive: bool = False) -> list[Practitioner]:
    """Active practitioners in calendar order; inactive ones only when asked (admin pages)."""
    ctx.actor()
    with ctx.database.reading() as session:
        query = select(PractitionerRow).order_by(PractitionerRow.sort_order, PractitionerRow.name)
        if not include_inactive:
            query = query.where(PractitionerRow.active.is_(True))
        return [to_practitioner(row) for row in session.execute(query).scalars()]


def appointment_types(
    ctx: ServiceContext, *, include_inactive: bool = False
) -> list[AppointmentType]:
    ctx.actor()
    with ctx.database.reading() as session:
        query = select(AppointmentTypeRow).order_by(AppointmentTypeRow.name)
        if not include_inactive:
            query = query.where(AppointmentTypeRow.active.is_(True))
        return [to_appointment_type(row) for row in session.execute(query).scalars()]


def appointments_between(
    ctx: ServiceContext,
    starts_at: datetime,
    ends_at: datetime,
    practitioner_ids: Sequence[uuid.UUID] | None = None,
) -> list[Appointment]:
    ctx.actor()
    with ctx.database.reading() as session:
        rows = queries.appointments_between(session, starts_at, ends_at, practitioner_ids)
        return [to_appointment(row) for row in rows]


def appointment(ctx: ServiceContext, appointment_id: uuid.UUID) -> Appointment:
    ctx.actor()
    with ctx.database.reading() as session:
        row = session.get(AppointmentRow, appointment_id)
        if row is None:
            raise NotFound("That appointment no longer exists.")
        return to_appointment(row)


def appointments_by_id(ctx: ServiceContext, ids: Iterable[uuid.UUID]) -> list[Appointment]:
    """The appointments that still exist among `ids` (a screen refreshing just those)."""
    ctx.actor()
    wanted = list(ids)
    if not wanted:
        return []
    with ctx.database.reading() as session:
        query = select(AppointmentRow).where(AppointmentRow.id.in_(wanted))
        return [to_appointment(row) for row in session.execute(query).unique().scalars()]


def appointments_in_view(
    ctx: ServiceContext,
    starts_at: datetime,
    ends_at: datetime,
    practitioner_ids: Sequence[uuid.UUID],
) -> list[Appointment]:
    """What a calendar range shows: like `appointments_between`, fast on a long history
    and thousands of rows (see `queries.calendar_view`)."""
    ctx.actor()
    with ctx.database.reading() as session:
        return queries.calendar_view(session, starts_at, ends_at, practitioner_ids)


def booked_days(ctx: ServiceContext, first: date, last: date, zone: ZoneInfo) -> set[date]:
    """The clinic's days from `first` to `last` that hold a booking not cancelled
    (the month calendar marks them)."""
    ctx.actor()
    starts_at, _ = day_bounds(first, zone)
    _, ends_at = day_bounds(last, zone)
    with ctx.database.reading() as session:
        return {
            local_date(start, zone) for start in queries.booked_starts(session, starts_at, ends_at)
        }
