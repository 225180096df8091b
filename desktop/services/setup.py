"""Setting up a clinic: its location details and the appointment types it offers.

Administrators only. Each change is one unit of work: a refused value changes
nothing. `missing_setup` says what a new clinic still lacks, so the calendar can
say so instead of showing nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.appointments import AppointmentKind, AppointmentType
from desktop.domain.clinic_time import clinic_zone
from desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from desktop.domain.hours import WeeklyHours
from desktop.domain.money import Money
from desktop.domain.people import Clinic
from desktop.domain.rules import ensure_capacity_value
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store.mapping import to_appointment_type, to_clinic
from desktop.store.models import AppointmentTypeRow, ClinicRow, PractitionerRow


def create_clinic(
    ctx: ServiceContext,
    name: str,
    timezone: str,
    opening_hours: WeeklyHours,
    phone: str = "",
    address: str = "",
) -> tuple[Clinic, Changes]:
    _require_admin(ctx, "set up a clinic")
    with ctx.unit_of_work() as uow:
        row = new_clinic_row(name, timezone, opening_hours, phone, address)
        uow.session.add(row)
        uow.commit()
        return to_clinic(row), Changes(clinic=True)


def new_clinic_row(
    name: str, timezone: str, opening_hours: WeeklyHours, phone: str = "", address: str = ""
) -> ClinicRow:
    """A checked clinic row (the window and the demo clinic both make theirs here)."""
    _check_clinic(name, timezone)
    return ClinicRow(
        name=name.strip(),
        timezone=timezone,
        opening_hours=opening_hours.to_json(),
        phone=phone.strip(),
        address=address.strip(),
    )


def update_clinic(
    ctx: ServiceContext,
    clinic_id: uuid.UUID,
    name: str,
    timezone: str,
    opening_hours: WeeklyHours,
    phone: str = "",
    address: str = "",
) -> tuple[Clinic, Changes]:
    """Settings ▸ Clinic: the same details as `create_clinic`, all saved or none."""
    _require_admin(ctx, "change the clinic's details")
    _check_clinic(name, timezone)
    with ctx.unit_of_work() as uow:
        row = uow.session.get(ClinicRow, clinic_id)
        if row is None:
            raise NotFound("That clinic no longer exists.")
        row.name = name.strip()
        row.timezone = timezone
        row.opening_hours = opening_hours.to_json()
        row.phone = phone.strip()
        row.address = address.strip()
        uow.commit()
        return to_clinic(row), Changes(clinic=True, ids=frozenset({clinic_id}))


def _check_clinic(name: str, timezone: str) -> None:
    if not name.strip():
        raise InvalidInput("The clinic needs a name.")
    clinic_zone(timezone)


def _require_admin(ctx: ServiceContext, what: str) -> None:
    if not ctx.actor().is_admin:
        raise PermissionDenied(f"Only an administrator can {what}.")


def missing_setup(ctx: ServiceContext) -> list[str]:
    """What the calendar still needs before anyone can book: "clinic", "practitioners", "types".

    Counts active ones only: a clinic whose practitioners are all inactive cannot book either.
    """
    ctx.actor()
    with ctx.database.reading() as session:
        clinics = session.scalar(select(func.count()).select_from(ClinicRow))
        practitioners = session.scalar(select(func.count()).where(PractitionerRow.active.is_(True)))
        types = session.scalar(select(func.count()).where(AppointmentTypeRow.active.is_(True)))
    counts = {"clinic": clinics, "practitioners": practitioners, "types": types}
    return [what for what, count in counts.items() if not count]


@dataclass(frozen=True, slots=True)
class AppointmentTypeDetails:
    name: str
    kind: AppointmentKind
    duration_minutes: int
    price: Money
    colour: str = "#7fb3d5"
    item_code: str = ""
    capacity: int = 1


def create_appointment_type(
    ctx: ServiceContext, details: AppointmentTypeDetails
) -> tuple[AppointmentType, Changes]:
    _require_admin(ctx, "add appointment types")
    with ctx.unit_of_work() as uow:
        row = new_type_row(uow.session, details)
        uow.session.add(row)
        uow.commit()
        return to_appointment_type(row), Changes(appointment_types=True)


def new_type_row(session: Session, details: AppointmentTypeDetails) -> AppointmentTypeRow:
    """A checked appointment type row (the window and the demo clinic both make theirs here)."""
    capacity = _check_type(details)
    _ensure_type_name_free(session, details.name)
    row = AppointmentTypeRow(kind=details.kind.value)
    _fill_type(row, details, capacity)
    return row


def update_appointment_type(
    ctx: ServiceContext, type_id: uuid.UUID, details: AppointmentTypeDetails
) -> tuple[AppointmentType, Changes]:
    """Edit a type; booked appointments keep their own times, capacity and invoices."""
    _require_admin(ctx, "change appointment types")
    capacity = _check_type(details)
    with ctx.unit_of_work() as uow:
        row = uow.session.get(AppointmentTypeRow, type_id)
        if row is None:
            raise NotFound("That appointment type no longer exists.")
        if details.kind.value != row.kind:
            raise InvalidInput(
                "An individual type cannot become a class (or the reverse): "
                "add a new type and retire this one."
            )
        _ensure_type_name_free(uow.session, details.name, type_id)
        _fill_type(row, details, capacity)
        uow.commit()
        return to_appointment_type(row), Changes(appointment_types=True, ids=frozenset({type_id}))


def set_appointment_type_active(ctx: ServiceContext, type_id: uuid.UUID, active: bool) -> Changes:
    """Retire a type (no new bookings; history keeps it) or bring it back."""
    _require_admin(ctx, "retire appointment types")
    with ctx.unit_of_work() as uow:
        row = uow.session.get(AppointmentTypeRow, type_id)
        if row is None:
            raise NotFound("That appointment type no longer exists.")
        row.active = active
        uow.commit()
    return Changes(appointment_types=True, ids=frozenset({type_id}))


def _check_type(details: AppointmentTypeDetails) -> int:
    """The capacity to store, once every value is acceptable."""
    if not details.name.strip():
        raise InvalidInput("The appointment type needs a name.")
    if not 5 <= details.duration_minutes <= 12 * 60:
        raise InvalidInput("A duration must be between 5 minutes and 12 hours.")
    if details.price.cents < 0:
        raise InvalidInput("A price cannot be negative.")
    capacity = details.capacity if details.kind is AppointmentKind.CLASS else 1
    ensure_capacity_value(capacity)
    return capacity


def _ensure_type_name_free(session: Session, name: str, own_id: uuid.UUID | None = None) -> None:
    query = select(AppointmentTypeRow.id).where(AppointmentTypeRow.name == name.strip())
    found = session.execute(query).scalar_one_or_none()
    if found is not None and found != own_id:
        raise InvalidInput(f"There is already an appointment type called “{name.strip()}”.")


def _fill_type(row: AppointmentTypeRow, details: AppointmentTypeDetails, capacity: int) -> None:
    row.name = details.name.strip()
    row.duration_minutes = details.duration_minutes
    row.price_cents = details.price.cents
    row.currency = details.price.currency
    row.colour = details.colour
    row.item_code = details.item_code.strip()
    row.capacity = capacity
