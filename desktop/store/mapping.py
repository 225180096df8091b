"""Rows to the domain's frozen entities, so nothing above the store holds a live row."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

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


def _instant(value: Any) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


_STATUSES = {status.value: status for status in AppointmentStatus}
_KINDS = {kind.value: kind for kind in AppointmentKind}


def appointments_from_columns(
    appointments: Sequence[Sequence[Any]], places: Sequence[Sequence[Any]]
) -> list[Appointment]:
    """`to_appointment` for plain rows (queries.calendar_view's two statements).

    `places` are (appointment id, attendance id, patient id, first name, last name,
    status, cancellation reason), already in name order.
    """
    ids, instants = _Decoded(_uuid), _Decoded(_instant)
    attendees: dict[Any, list[Attendance]] = {}
    for appointment_id, place_id, patient_id, first, last, status, reason in places:
        # Keyed by the id as stored: the appointments' rows below look it up undecoded.
        attendees.setdefault(appointment_id, []).append(
            Attendance(
                id=_uuid(place_id),
                patient_id=ids[patient_id],
                patient_name=f"{first} {last}",
                status=_STATUSES[status],
                cancellation_reason=_reason(reason),
            )
        )
    return [
        Appointment(
            id=_uuid(id_),  # one per row: not worth remembering
            clinic_id=ids[clinic_id],
            practitioner_id=ids[practitioner_id],
            type_id=ids[type_id],
            type_name=type_name,
            kind=_KINDS[kind],
            colour=colour,
            starts_at=instants[starts_at],
            ends_at=instants[ends_at],
            status=_STATUSES[status],
            patient_id=ids[patient_id],
            patient_name=f"{first} {last}" if patient_id is not None else "",
            capacity=capacity,
            attendees=tuple(attendees.get(id_, ())),
            notes=notes,
            cancellation_reason=_reason(reason),
            cancellation_note=cancellation_note,
            read_only=read_only,
            version=version,
            series_id=ids[series_id],
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
