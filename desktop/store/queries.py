"""Queries the services share: busy time, calendar ranges, patient search, locks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Select,
    String,
    bindparam,
    func,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from desktop.domain.appointments import Appointment, AppointmentStatus
from desktop.domain.rules import LONGEST_APPOINTMENT, BusyBlock
from desktop.store.mapping import appointments_from_columns
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    AttendanceRow,
    PatientRow,
    PractitionerRow,
)
from desktop.store.sync_models import SyncStateRow


def lock_practitioner(session: Session, practitioner_id: uuid.UUID) -> PractitionerRow | None:
    """Read the practitioner for a booking, serialising bookings of the same person.

    On PostgreSQL the row lock makes a racing booking wait and then see ours; SQLite
    already serialises writers with BEGIN IMMEDIATE.
    """
    query = select(PractitionerRow).where(PractitionerRow.id == practitioner_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def lock_appointment(session: Session, appointment_id: uuid.UUID) -> AppointmentRow | None:
    """Read an appointment to change it; on PostgreSQL, concurrent edits (two desks
    adding the last place in a class) wait for each other instead of both passing."""
    query = select(AppointmentRow).where(AppointmentRow.id == appointment_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=AppointmentRow)
    return session.execute(query).unique().scalar_one_or_none()


# The statuses that leave an appointment's time to other bookings (as the store's guards).
SLOT_FREEING = tuple(s.value for s in AppointmentStatus if s.frees_slot)


def busy_blocks(
    session: Session,
    practitioner_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    exclude_id: uuid.UUID | None = None,
) -> list[BusyBlock]:
    query = select(AppointmentRow).where(
        AppointmentRow.practitioner_id == practitioner_id,
        AppointmentRow.status.not_in(SLOT_FREEING),
        AppointmentRow.overrides_double_booking.is_(False),
        AppointmentRow.starts_at < ends_at,
        # A lower bound on the indexed start column: no appointment is longer than
        # LONGEST_APPOINTMENT, so older ones cannot reach this range.
        AppointmentRow.starts_at > starts_at - LONGEST_APPOINTMENT,
        AppointmentRow.ends_at > starts_at,
    )
    if exclude_id is not None:
        query = query.where(AppointmentRow.id != exclude_id)
    return [busy_block(row) for row in session.execute(query).unique().scalars()]


def busy_block(row: AppointmentRow) -> BusyBlock:
    """The time an appointment holds, named as a double-booking refusal names it."""
    return BusyBlock(row.starts_at, row.ends_at, _label(row))


def _label(row: AppointmentRow) -> str:
    if row.patient is not None:
        return f"{row.appointment_type.name} with {row.patient.first_name} {row.patient.last_name}"
    return row.appointment_type.name


def appointments_between(
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    practitioner_ids: Sequence[uuid.UUID] | None = None,
) -> Sequence[AppointmentRow]:
    query = select(AppointmentRow).where(
        AppointmentRow.starts_at < ends_at,
        AppointmentRow.starts_at > starts_at - LONGEST_APPOINTMENT,
        AppointmentRow.ends_at > starts_at,
    )
    if practitioner_ids is not None:
        query = query.where(AppointmentRow.practitioner_id.in_(list(practitioner_ids)))
    return session.execute(query.order_by(AppointmentRow.starts_at)).unique().scalars().all()


def booked_starts(session: Session, starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """When the appointments not cancelled that overlap the range start (distinct).

    Only the one column the month calendar needs: a month of a busy clinic is
    thousands of appointments, and mapping each (type, patient, attendees) held a
    worker on the GIL for most of a second while the week view was being drawn.
    """
    query = (
        select(AppointmentRow.starts_at)
        .where(
            AppointmentRow.starts_at < ends_at,
            AppointmentRow.starts_at > starts_at - LONGEST_APPOINTMENT,
            AppointmentRow.ends_at > starts_at,
            AppointmentRow.status != AppointmentStatus.CANCELLED.value,
        )
        .distinct()
    )
    return list(session.execute(query).scalars())


def server_followed(session: Session) -> str | None:
    """The address of the server this database is a desk replica of (None: it is not)."""
    state = session.get(SyncStateRow, 1)
    return None if state is None else state.server_url


def next_patient_number(session: Session) -> int:
    if session.get_bind().dialect.name == "postgresql":
        # Two desks adding patients at once must not pick the same number.
        session.execute(text("SELECT pg_advisory_xact_lock(727001)"))
    current = session.execute(select(func.max(PatientRow.number))).scalar_one_or_none()
    return (current or 0) + 1


def patient_search_query(words: Sequence[str], born: date | None) -> Select[PatientRow]:
    """Every word must match the start of a name, or the phone digits; or the birth date."""
    query = select(PatientRow).where(PatientRow.archived.is_(False))
    for word in words:
        pattern = f"{word.lower()}%"
        digits = "".join(ch for ch in word if ch.isdigit())
        conditions = [
            func.lower(PatientRow.first_name).like(pattern),
            func.lower(PatientRow.last_name).like(pattern),
        ]
        if len(digits) >= 3:
            phone_digits = func.replace(func.replace(PatientRow.phone, " ", ""), "-", "")
            conditions.append(phone_digits.like(f"%{digits}%"))
            if digits.startswith("0"):  # numbers are kept in E.164, without the trunk 0
                conditions.append(phone_digits.like(f"%{digits[1:]}%"))
        query = query.where(or_(*conditions))
    if born is not None:
        query = query.where(PatientRow.date_of_birth == born)
    return query.order_by(PatientRow.last_name, PatientRow.first_name, PatientRow.number)


def calendar_view(
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    practitioner_ids: Sequence[uuid.UUID],
) -> list[Appointment]:
    """What the calendar draws for a range, as plain rows in two statements.

    A week holds thousands of appointments; mapping each to an ORM object (with its
    type, patient and attendances) cost several times the query itself.
    """
    if not practitioner_ids:
        return []
    # Core on the session's connection: the ORM's row loading is not needed for tuples.
    connection = session.connection()
    values = {
        "practitioners": list(practitioner_ids),
        "earliest_start": starts_at - LONGEST_APPOINTMENT,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }
    appointments = _driver_rows(connection, _VIEW_APPOINTMENTS, values)
    places = _driver_rows(connection, _VIEW_PLACES, values)
    return appointments_from_columns(appointments, places)


def _driver_rows(connection: Connection, statement: Select[Any], values: dict[str, Any]) -> Any:
    """The statement's rows as the driver's own tuples.

    Executed through SQLAlchemy (compiled once and cached, parameters converted, its
    events and error translation), but read straight from the DBAPI cursor: a
    `Row` per row and the one result processor (`read_only`'s 0/1) cost about a
    seventh of the raw query on a busy week, and `mapping.appointments_from_columns`
    decodes every column itself anyway.
    """
    result = connection.execute(statement, values)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _as_stored(column: Any) -> Any:
    """The column as the driver returns it: SQLAlchemy's per-value conversion of ids
    and instants was most of the cost; `mapping.appointments_from_columns` converts them, once per
    distinct id, instead."""
    return type_coerce(column, String)


_APPOINTMENT_COLUMNS = (
    _as_stored(AppointmentRow.id),
    _as_stored(AppointmentRow.clinic_id),
    _as_stored(AppointmentRow.practitioner_id),
    _as_stored(AppointmentRow.appointment_type_id),
    AppointmentTypeRow.name,
    AppointmentTypeRow.kind,
    AppointmentTypeRow.colour,
    _as_stored(AppointmentRow.starts_at),
    _as_stored(AppointmentRow.ends_at),
    AppointmentRow.status,
    _as_stored(AppointmentRow.patient_id),
    PatientRow.first_name,
    PatientRow.last_name,
    AppointmentRow.capacity,
    AppointmentRow.notes,
    AppointmentRow.cancellation_reason,
    AppointmentRow.cancellation_note,
    AppointmentRow.read_only,
    AppointmentRow.version,
    _as_stored(AppointmentRow.series_id),
)
_ATTENDANCE_COLUMNS = (
    _as_stored(AttendanceRow.appointment_id),
    _as_stored(AttendanceRow.id),
    _as_stored(AttendanceRow.patient_id),
    PatientRow.first_name,
    PatientRow.last_name,
    AttendanceRow.status,
    AttendanceRow.cancellation_reason,
)

# The range filter both calendar statements share, shaped for the (practitioner_id,
# starts_at) index: no appointment is longer than LONGEST_APPOINTMENT, so one
# overlapping the range starts at most that long before ("earliest_start").
# Built once: composing the statements anew cost as much as running them.
_IN_VIEW = (
    AppointmentRow.practitioner_id.in_(bindparam("practitioners", expanding=True)),
    AppointmentRow.starts_at > bindparam("earliest_start"),
    AppointmentRow.starts_at < bindparam("ends_at"),
    AppointmentRow.ends_at > bindparam("starts_at"),
)
_VIEW_APPOINTMENTS = (
    select(*_APPOINTMENT_COLUMNS)
    .join(AppointmentTypeRow, AppointmentTypeRow.id == AppointmentRow.appointment_type_id)
    .outerjoin(PatientRow, PatientRow.id == AppointmentRow.patient_id)
    .where(*_IN_VIEW)
    .order_by(AppointmentRow.starts_at)
)
_VIEW_PLACES = (
    select(*_ATTENDANCE_COLUMNS)
    .join(AppointmentRow, AppointmentRow.id == AttendanceRow.appointment_id)
    .join(PatientRow, PatientRow.id == AttendanceRow.patient_id)
    .where(*_IN_VIEW)
    .order_by(PatientRow.last_name, PatientRow.first_name)
)
