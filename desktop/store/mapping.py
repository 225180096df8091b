"""Rows to the domain's frozen entities, so nothing above the store holds a live row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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


class StoredValues:
    """Ids and instants as the driver hands them over (SQLite: hex text and ISO text;
    PostgreSQL: already UUID and datetime), decoded once per distinct value."""

    def __init__(self) -> None:
        self._ids: dict[Any, uuid.UUID] = {}

    def id(self, value: Any) -> Any:
        if value is None or isinstance(value, uuid.UUID):
            return value
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = uuid.UUID(value)
        return found

    @staticmethod
    def instant(value: Any) -> datetime:
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
    stored = StoredValues()
    attendees: dict[Any, list[Attendance]] = {}
    for appointment_id, place_id, patient_id, first, last, status, reason in places:
        attendees.setdefault(stored.id(appointment_id), []).append(
            Attendance(
                id=stored.id(place_id),
                patient_id=stored.id(patient_id),
                patient_name=f"{first} {last}",
                status=_STATUSES[status],
                cancellation_reason=_reason(reason),
            )
        )
    return [
        Appointment(
            id=stored.id(id_),
            clinic_id=stored.id(clinic_id),
            practitioner_id=stored.id(practitioner_id),
            type_id=stored.id(type_id),
            type_name=type_name,
            kind=_KINDS[kind],
            colour=colour,
            starts_at=stored.instant(starts_at),
            ends_at=stored.instant(ends_at),
            status=_STATUSES[status],
            patient_id=stored.id(patient_id),
            patient_name=f"{first} {last}" if patient_id is not None else "",
            capacity=capacity,
            attendees=tuple(attendees.get(stored.id(id_), ())),
            notes=notes,
            cancellation_reason=_reason(reason),
            cancellation_note=cancellation_note,
            read_only=read_only,
            version=version,
            series_id=stored.id(series_id),
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
