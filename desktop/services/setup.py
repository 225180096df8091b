"""Setting up a clinic: its location details and the appointment types it offers."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.appointments import AppointmentKind, AppointmentType
from desktop.domain.clinic_time import clinic_zone
from desktop.domain.errors import InvalidInput, PermissionDenied
from desktop.domain.hours import WeeklyHours
from desktop.domain.money import Money
from desktop.domain.people import Clinic
from desktop.domain.rules import ensure_capacity_value
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store.mapping import to_appointment_type, to_clinic
from desktop.store.models import AppointmentTypeRow, ClinicRow


def create_clinic(
    ctx: ServiceContext,
    name: str,
    timezone: str,
    opening_hours: WeeklyHours,
    phone: str = "",
    address: str = "",
) -> tuple[Clinic, Changes]:
    if not ctx.actor().is_admin:
        raise PermissionDenied("Only an administrator can set up a clinic.")
    clinic_zone(timezone)
    if not name.strip():
        raise InvalidInput("The clinic needs a name.")
    with ctx.unit_of_work() as uow:
        row = ClinicRow(
            name=name.strip(),
            timezone=timezone,
            opening_hours=opening_hours.to_json(),
            phone=phone,
            address=address,
        )
        uow.session.add(row)
        uow.commit()
        return to_clinic(row), Changes(clinic=True)


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
    if not ctx.actor().is_admin:
        raise PermissionDenied("Only an administrator can add appointment types.")
    if not details.name.strip():
        raise InvalidInput("The appointment type needs a name.")
    if not 5 <= details.duration_minutes <= 12 * 60:
        raise InvalidInput("A duration must be between 5 minutes and 12 hours.")
    if details.price.cents < 0:
        raise InvalidInput("A price cannot be negative.")
    capacity = details.capacity if details.kind is AppointmentKind.CLASS else 1
    ensure_capacity_value(capacity)
    with ctx.unit_of_work() as uow:
        row = AppointmentTypeRow(
            name=details.name.strip(),
            kind=details.kind.value,
            duration_minutes=details.duration_minutes,
            price_cents=details.price.cents,
            currency=details.price.currency,
            colour=details.colour,
            item_code=details.item_code.strip(),
            capacity=capacity,
        )
        uow.session.add(row)
        uow.commit()
        return to_appointment_type(row), Changes(appointment_types=True)
