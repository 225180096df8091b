"""Rows to the domain's frozen entities, so nothing above the store holds a live row."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from desktop.domain.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AppointmentType,
    Attendance,
    CancellationReason,
)
from desktop.domain.hours import WeeklyHours
from desktop.domain.money import Money
from desktop.domain.people import Clinic, Patient, Practitioner
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
)


def to_clinic(row: ClinicRow) -> Clinic:
    return Clinic(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        opening_hours=WeeklyHours.from_json(row.opening_hours),
        phone=row.phone,
        address=row.address,
    )


def to_practitioner(row: PractitionerRow) -> Practitioner:
    return Practitioner(
        id=row.id,
        name=row.name,
        profession=row.profession,
        colour=row.colour,
        active=row.active,
        availability=WeeklyHours.from_json(row.availability),
        provider_numbers={p.clinic_id: p.number for p in row.provider_numbers},
        version=row.version,
        display_order=row.sort_order,
    )


def to_patient(row: PatientRow) -> Patient:
    return Patient(
        id=row.id,
        number=row.number,
        first_name=row.first_name,
        last_name=row.last_name,
        date_of_birth=row.date_of_birth,
        phone=row.phone,
        email=row.email,
        address=row.address,
        health_fund=row.health_fund,
        health_fund_number=row.health_fund_number,
        notes=row.notes,
        version=row.version,
    )


def to_appointment_type(row: AppointmentTypeRow) -> AppointmentType:
    return AppointmentType(
        id=row.id,
        name=row.name,
        kind=AppointmentKind(row.kind),
        duration_minutes=row.duration_minutes,
        price=Money(row.price_cents, row.currency),
        colour=row.colour,
        item_code=row.item_code,
        capacity=row.capacity,
        active=row.active,
    )


def _reason(value: str | None) -> CancellationReason | None:
    return CancellationReason(value) if value else None


def to_appointment(row: AppointmentRow) -> Appointment:
    attendees = tuple(
        Attendance(
            id=a.id,
            patient_id=a.patient_id,
            patient_name=f"{a.patient.first_name} {a.patient.last_name}",
            status=AppointmentStatus(a.status),
            cancellation_reason=_reason(a.cancellation_reason),
        )
        for a in sorted(row.attendances, key=lambda a: (a.patient.last_name, a.patient.first_name))
    )
    patient = row.patient
    return Appointment(
        id=row.id,
        clinic_id=row.clinic_id,
        practitioner_id=row.practitioner_id,
        type_id=row.appointment_type_id,
        type_name=row.appointment_type.name,
        kind=AppointmentKind(row.appointment_type.kind),
        colour=row.appointment_type.colour,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=AppointmentStatus(row.status),
        patient_id=row.patient_id,
        patient_name=f"{patient.first_name} {patient.last_name}" if patient else "",
        capacity=row.capacity,
        attendees=attendees,
        notes=row.notes,
        cancellation_reason=_reason(row.cancellation_reason),
        cancellation_note=row.cancellation_note,
        read_only=row.read_only,
        version=row.version,
        series_id=row.series_id,
    )


class _Decoded(dict[Any, Any]):
    """Stored value → Python value, decoded the first time each value is seen: a week's
    rows repeat the same few practitioners, types and half-hour times. Values come as
    the driver hands them over (SQLite: hex text and ISO text; PostgreSQL: already
    UUID and datetime)."""

    def __init__(self, decode: Callable[[Any], Any]) -> None:
        super().__init__()
        self.decode = decode
        self[None] = None

    def __missing__(self, value: Any) -> Any:
        found = self[value] = self.decode(value)
        return found


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


_new_object = object.__new__
_set_uuid_int = uuid.UUID.__dict__["int"].__set__
_set_uuid_safety = uuid.UUID.__dict__["is_safe"].__set__
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown


def _stored_uuid(value: Any) -> uuid.UUID:
    """`_uuid` for a value seen once (an appointment's own id), in under half its
    time: SQLAlchemy's `Uuid` keeps exactly 32 hex digits on SQLite (and the first
    sync writes them so), so the UUID is made from their integer the way
    `uuid.UUID(hex)` ends, without its checks of the text's form."""
    if value.__class__ is not str:
        assert isinstance(value, uuid.UUID)
        return value
    made = _new_object(uuid.UUID)
    _set_uuid_int(made, int(value, 16))
    _set_uuid_safety(made, _UNKNOWN_SAFETY)
    return made


def _instant(value: Any) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


_Entity = TypeVar("_Entity")

_STATUSES = {status.value: status for status in AppointmentStatus}
_KINDS = {kind.value: kind for kind in AppointmentKind}
_REASONS: dict[str | None, CancellationReason | None] = {
    None: None,
    "": None,
    **{reason.value: reason for reason in CancellationReason},
}


def _positional(entity: type[_Entity]) -> Callable[..., _Entity]:
    """A faster constructor for a frozen, slotted dataclass, taking every field in order.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`,
    which made building the thousands of appointments of a busy week cost as much
    as reading them. This one builds a mutable twin (the same slots, in the same
    order: the same memory layout) with plain assignments, then makes it an
    instance of `entity` by assigning `__class__`, which Python allows between
    classes of the same layout. The result is an ordinary `entity`: equal, hashing
    and frozen as if built by its own `__init__`. Where the twin's layout is
    refused, `entity` itself is the constructor.
    """
    if not dataclasses.is_dataclass(entity) or hasattr(entity, "__post_init__"):
        raise TypeError(f"{entity.__name__} is not a plain dataclass")
    fields = [(field.name, field.type) for field in dataclasses.fields(entity)]
    twin = dataclasses.make_dataclass(
        f"_Loading{entity.__name__}", fields, slots=True, eq=False, repr=False
    )

    def build(*values: Any) -> _Entity:
        made: _Entity = twin(*values)
        made.__class__ = entity  # an `entity` from here on
        return made

    try:
        build(*(None for _ in fields))
    except TypeError:  # a layout Python does not take for the same: no shortcut
        return entity
    return build


_build_appointment = _positional(Appointment)
_build_attendance = _positional(Attendance)


def appointments_from_columns(
    appointments: Sequence[Sequence[Any]], places: Sequence[Sequence[Any]]
) -> list[Appointment]:
    """`to_appointment` for plain rows (queries.calendar_view's two statements).

    `places` are (appointment id, attendance id, patient id, first name, last name,
    status, cancellation reason), already in name order.
    """
    ids, instants = _Decoded(_uuid), _Decoded(_instant)
    statuses, kinds, reasons = _STATUSES, _KINDS, _REASONS
    build, stored_uuid, no_attendees = _build_appointment, _stored_uuid, ()
    classes: dict[Any, list[Attendance]] = {}
    for appointment_id, place_id, patient_id, first, last, status, reason in places:
        # Keyed by the id as stored: the appointments' rows below look it up undecoded.
        classes.setdefault(appointment_id, []).append(
            _build_attendance(
                stored_uuid(place_id),
                ids[patient_id],
                f"{first} {last}",
                statuses[status],
                reasons[reason],
            )
        )
    attendees = {appointment_id: tuple(found) for appointment_id, found in classes.items()}
    # Positional, in Appointment's field order (see the names unpacked below).
    return [
        build(
            stored_uuid(id_),
            ids[clinic_id],
            ids[practitioner_id],
            ids[type_id],
            type_name,
            kinds[kind],
            colour,
            instants[starts_at],
            instants[ends_at],
            statuses[status],
            ids[patient_id],
            f"{first} {last}" if patient_id is not None else "",
            capacity,
            attendees.get(id_, no_attendees),
            notes,
            reasons[reason],
            cancellation_note,
            bool(read_only),
            version,
            ids[series_id],
        )
        for (
            id_,
            clinic_id,
            practitioner_id,
            type_id,
            type_name,
            kind,
            colour,
            starts_at,
            ends_at,
            status,
            patient_id,
            first,
            last,
            capacity,
            notes,
            reason,
            cancellation_note,
            read_only,
            version,
            series_id,
        ) in appointments
    ]
