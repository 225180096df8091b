"""Booking, moving, resizing, cancelling and marking appointments; class attendees.

Each function is one transaction: it checks the caller, locks the practitioner,
re-reads everything it decides on inside the transaction (a stale screen cannot
book an inactive practitioner or a taken slot), applies the domain rules, and
returns the appointment as it now is plus what changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import rules
from desktop.domain.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CancellationReason,
)
from desktop.domain.clinic_time import clinic_zone
from desktop.domain.errors import (
    AppointmentReadOnly,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleEdit,
)
from desktop.domain.hours import WeeklyHours
from desktop.domain.roles import Actor
from desktop.services import billing
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.services.messaging import reminders
from desktop.store import queries
from desktop.store.billing_models import InvoiceRow
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

RowT = TypeVar("RowT")


class Reads(Protocol):
    """What the checks need: a unit of work, or a read-only session (a check that
    books nothing must not take SQLite's write lock)."""

    @property
    def session(self) -> Session: ...


@dataclass(frozen=True, slots=True)
class ReadOnly:
    session: Session


@dataclass(frozen=True, slots=True)
class BookingRequest:
    clinic_id: uuid.UUID
    practitioner_id: uuid.UUID
    appointment_type_id: uuid.UUID
    starts_at: datetime
    patient_id: uuid.UUID | None = None
    ends_at: datetime | None = None  # None: the type's duration
    notes: str = ""
    override_availability: bool = False
    override_double_booking: bool = False


@dataclass(frozen=True, slots=True)
class Booked:
    appointment: Appointment
    changes: Changes


def _changed(row: AppointmentRow) -> Booked:
    return Booked(to_appointment(row), Changes(appointments=True, ids=frozenset({row.id})))


def existing(uow: Reads, model: type[RowT], ident: uuid.UUID, what: str) -> RowT:
    row = uow.session.get(model, ident)
    if row is None:
        raise NotFound(f"That {what} no longer exists.")
    return row


def bookable_practitioner(
    uow: UnitOfWork, actor: Actor, practitioner_id: uuid.UUID
) -> PractitionerRow:
    practitioner = queries.lock_practitioner(uow.session, practitioner_id)
    if practitioner is None:
        raise NotFound("That practitioner no longer exists.")
    rules.ensure_bookable(practitioner.name, practitioner.active)
    if not actor.may_edit_calendar_of(practitioner.id):
        raise PermissionDenied(f"You can only change your own calendar, not {practitioner.name}'s.")
    return practitioner


def check_slot(
    uow: Reads,
    practitioner: PractitionerRow,
    clinic: ClinicRow,
    starts_at: datetime,
    ends_at: datetime,
    *,
    exclude_id: uuid.UUID | None,
    override_availability: bool,
    override_double_booking: bool,
    also_busy: Sequence[rules.BusyBlock] = (),
) -> None:
    """`also_busy`: blocks not yet stored that the slot must not overlap either (the
    earlier appointments of a series being booked)."""
    zone = clinic_zone(clinic.timezone)
    if not override_availability:
        rules.ensure_within_availability(
            practitioner.name,
            WeeklyHours.from_json(practitioner.availability),
            starts_at,
            ends_at,
            zone,
        )
    if not override_double_booking:
        busy = queries.busy_blocks(uow.session, practitioner.id, starts_at, ends_at, exclude_id)
        busy += also_busy
        rules.ensure_no_double_booking(practitioner.name, starts_at, ends_at, busy, zone)


def book_appointment(ctx: ServiceContext, request: BookingRequest) -> Booked:
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = book_in(uow, actor, request)
        uow.commit()
        return _reloaded(ctx, row.id)


def book_in(uow: UnitOfWork, actor: Actor, request: BookingRequest) -> AppointmentRow:
    """Book by every rule inside the caller's unit of work (not committed), so a use case
    that does more with the booking keeps it all in one transaction."""
    practitioner = bookable_practitioner(uow, actor, request.practitioner_id)
    clinic: ClinicRow = existing(uow, ClinicRow, request.clinic_id, "clinic")
    kind_row = offered_type(uow, request)
    ends_at = request.ends_at or request.starts_at + timedelta(minutes=kind_row.duration_minutes)
    starts_at, ends_at = rules.ensure_time_range(request.starts_at, ends_at)
    check_slot(
        uow,
        practitioner,
        clinic,
        starts_at,
        ends_at,
        exclude_id=None,
        override_availability=request.override_availability,
        override_double_booking=request.override_double_booking,
    )
    return new_appointment(uow, request, kind_row, starts_at, ends_at)


def offered_type(uow: Reads, request: BookingRequest) -> AppointmentTypeRow:
    """The requested type, if still offered, with the patient it needs (an individual
    appointment needs one; a class may start empty)."""
    kind_row: AppointmentTypeRow = existing(
        uow, AppointmentTypeRow, request.appointment_type_id, "appointment type"
    )
    if not kind_row.active:
        raise InvalidInput(f"“{kind_row.name}” is no longer offered.")
    if AppointmentKind(kind_row.kind) is AppointmentKind.INDIVIDUAL and request.patient_id is None:
        raise InvalidInput("Choose the patient for this appointment.")
    if request.patient_id is not None:
        existing(uow, PatientRow, request.patient_id, "patient")
    return kind_row


def new_appointment(
    uow: UnitOfWork,
    request: BookingRequest,
    kind_row: AppointmentTypeRow,
    starts_at: datetime,
    ends_at: datetime,
    series_id: uuid.UUID | None = None,
) -> AppointmentRow:
    """Add the checked booking (a class with the request's patient as its first
    attendee) and queue its reminder."""
    is_class = AppointmentKind(kind_row.kind) is AppointmentKind.CLASS
    row = AppointmentRow(
        clinic_id=request.clinic_id,
        practitioner_id=request.practitioner_id,
        appointment_type_id=kind_row.id,
        patient_id=None if is_class else request.patient_id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=AppointmentStatus.BOOKED.value,
        capacity=kind_row.capacity if is_class else 1,
        notes=request.notes.strip(),
        overrides_availability=request.override_availability,
        overrides_double_booking=request.override_double_booking,
        series_id=series_id,
    )
    uow.session.add(row)
    if is_class and request.patient_id is not None:
        row.attendances.append(AttendanceRow(patient_id=request.patient_id))
    reminders.appointment_changed(uow, row)
    return row


def check_new_place(
    uow: Reads,
    row: AppointmentRow,
    practitioner: PractitionerRow,
    starts_at: datetime,
    ends_at: datetime,
    *,
    override_availability: bool = False,
) -> tuple[datetime, datetime]:
    """The booking rules for a stored appointment given this practitioner and time:
    a sane range, within hours and not over another booking (unless the appointment
    was booked overriding them); returns the checked range."""
    starts_at, ends_at = rules.ensure_time_range(starts_at, ends_at)
    clinic: ClinicRow = existing(uow, ClinicRow, row.clinic_id, "clinic")
    check_slot(
        uow,
        practitioner,
        clinic,
        starts_at,
        ends_at,
        exclude_id=row.id,
        override_availability=override_availability or row.overrides_availability,
        override_double_booking=row.overrides_double_booking,
    )
    return starts_at, ends_at


def _reloaded(ctx: ServiceContext, appointment_id: uuid.UUID) -> Booked:
    with ctx.database.reading() as session:
        row = session.get(AppointmentRow, appointment_id)
        assert row is not None
        return _changed(row)


def editable_appointment(
    uow: UnitOfWork, actor: Actor, appointment_id: uuid.UUID, version: int | None
) -> AppointmentRow:
    row = queries.lock_appointment(uow.session, appointment_id)
    if row is None:
        raise NotFound("That appointment no longer exists.")
    if version is not None and row.version != version:
        raise StaleEdit("appointment")
    if not actor.may_edit_calendar_of(row.practitioner_id):
        raise PermissionDenied(
            f"You can only change your own calendar, not {row.practitioner.name}'s."
        )
    if row.read_only:
        raise AppointmentReadOnly(
            "This appointment was kept read-only when its practitioner was deactivated."
        )
    return row


def move_appointment(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    *,
    practitioner_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    expected_version: int | None = None,
    override_availability: bool = False,
) -> Booked:
    """Move and/or resize: a new practitioner, start or end. Same rules as booking."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        move_in(
            uow,
            actor,
            appointment_id,
            practitioner_id=practitioner_id,
            starts_at=starts_at,
            ends_at=ends_at,
            expected_version=expected_version,
            override_availability=override_availability,
        )
        uow.commit()
    return _reloaded(ctx, appointment_id)


def move_in(
    uow: UnitOfWork,
    actor: Actor,
    appointment_id: uuid.UUID,
    *,
    practitioner_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime | None,
    expected_version: int | None = None,
    override_availability: bool = False,
) -> AppointmentRow:
    """Move inside the caller's unit of work (not committed); no `ends_at` keeps the
    appointment's length."""
    practitioner = bookable_practitioner(uow, actor, practitioner_id)
    row = editable_appointment(uow, actor, appointment_id, expected_version)
    if row.status == AppointmentStatus.CANCELLED.value:
        raise InvalidInput("A cancelled appointment cannot be moved; book a new one.")
    if ends_at is None:
        ends_at = starts_at + (row.ends_at - row.starts_at)
    starts_at, ends_at = check_new_place(
        uow, row, practitioner, starts_at, ends_at, override_availability=override_availability
    )
    row.practitioner_id = practitioner.id
    row.starts_at = starts_at
    row.ends_at = ends_at
    reminders.appointment_changed(uow, row)
    return row


def change_service(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    *,
    type_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    ends_at: datetime | None = None,
    expected_version: int | None = None,
) -> Booked:
    """Change what an individual appointment is (its type), who it is for (the
    patient), and with a new type its end. None leaves a field as it is. The
    booking rules are checked again: the practitioner is active, the new type is
    offered and is an individual one (a class is booked as a class), and a longer
    appointment must not run into the next one. An invoiced appointment keeps its
    type and patient: the invoice names them, so it is voided or corrected first."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, appointment_id, expected_version)
        practitioner = bookable_practitioner(uow, actor, row.practitioner_id)
        if row.status == AppointmentStatus.CANCELLED.value:
            raise InvalidInput("A cancelled appointment cannot be changed; book a new one.")
        if AppointmentKind(row.appointment_type.kind) is not AppointmentKind.INDIVIDUAL:
            raise InvalidInput("A class's attendees are changed in its Attendees window.")
        new_type = type_id is not None and type_id != row.appointment_type_id
        new_patient = patient_id is not None and patient_id != row.patient_id
        if (new_type or new_patient) and has_live_invoice(uow, row.id):
            raise InvalidInput(
                "This appointment is invoiced: void or correct the invoice "
                "before changing its type or patient."
            )
        if new_type and type_id is not None:
            kind_row: AppointmentTypeRow = existing(
                uow, AppointmentTypeRow, type_id, "appointment type"
            )
            if not kind_row.active:
                raise InvalidInput(f"“{kind_row.name}” is no longer offered.")
            if AppointmentKind(kind_row.kind) is not AppointmentKind.INDIVIDUAL:
                raise InvalidInput(
                    f"“{kind_row.name}” is a class; book the class and add the patient to it."
                )
            row.appointment_type_id = kind_row.id
        if new_patient and patient_id is not None:
            row.patient_id = existing(uow, PatientRow, patient_id, "patient").id
        if ends_at is not None and ends_at != row.ends_at:
            _, row.ends_at = check_new_place(uow, row, practitioner, row.starts_at, ends_at)
        reminders.appointment_changed(uow, row)
        uow.commit()
    return _reloaded(ctx, appointment_id)


def has_live_invoice(uow: UnitOfWork, appointment_id: uuid.UUID) -> bool:
    found = uow.session.execute(
        select(InvoiceRow.id).where(
            InvoiceRow.appointment_id == appointment_id, InvoiceRow.active_service_key.is_not(None)
        )
    ).first()
    return found is not None


def cancel_appointment(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    reason: CancellationReason,
    note: str = "",
    expected_version: int | None = None,
) -> Booked:
    """Cancel and free the slot, keeping the reason (and a note when the reason is "other")."""
    actor = ctx.actor()
    if reason is CancellationReason.OTHER and not note.strip():
        raise InvalidInput("Say why the appointment was cancelled.")
    with ctx.unit_of_work() as uow:
        row: AppointmentRow = existing(uow, AppointmentRow, appointment_id, "appointment")
        if expected_version is not None and row.version != expected_version:
            raise StaleEdit("appointment")
        if not actor.may_edit_calendar_of(row.practitioner_id):
            raise PermissionDenied("You can only change your own calendar.")
        voided = cancel_row(uow, row, reason, note)
        uow.commit()
    return _with_voided(_reloaded(ctx, appointment_id), voided)


def cancel_row(
    uow: UnitOfWork, row: AppointmentRow, reason: CancellationReason, note: str
) -> list[uuid.UUID]:
    """Cancel a checked appointment and its class places; the invoices it voided."""
    row.status = AppointmentStatus.CANCELLED.value
    row.cancellation_reason = reason.value
    row.cancellation_note = note.strip()
    for attendance in row.attendances:
        if attendance.status != AppointmentStatus.CANCELLED.value:
            attendance.status = AppointmentStatus.CANCELLED.value
            attendance.cancellation_reason = CancellationReason.CLINIC.value
    reminders.appointment_changed(uow, row)
    return billing.session_cancelled(uow, row.id)  # prepaid credit goes back


def _with_voided(booked: Booked, voided: list[uuid.UUID]) -> Booked:
    """Invoices voided by a cancellation change billing screens (and queue Xero work)."""
    if not voided:
        return booked
    extra = Changes(billing=True, outbox=True, ids=frozenset(voided))
    return Booked(booked.appointment, booked.changes | extra)


def restore_appointment(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    expected_version: int | None = None,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
) -> Booked:
    """Undo a cancellation: the slot must still be free and the practitioner active.

    `status` is what the appointment was before (undo puts an arrived patient
    back as arrived, not as merely booked).
    """
    if status not in _MARKABLE:
        raise InvalidInput(f"An appointment cannot be restored as {status.label.lower()}.")
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row: AppointmentRow = existing(uow, AppointmentRow, appointment_id, "appointment")
        if expected_version is not None and row.version != expected_version:
            raise StaleEdit("appointment")
        restore_row(uow, actor, row, status)
        uow.commit()
    return _reloaded(ctx, appointment_id)


def restore_row(
    uow: UnitOfWork, actor: Actor, row: AppointmentRow, status: AppointmentStatus
) -> None:
    """Un-cancel: the practitioner must still be active and the slot still free."""
    _ensure_slot_free(uow, row, bookable_practitioner(uow, actor, row.practitioner_id))
    row.status = status.value
    row.cancellation_reason = None
    row.cancellation_note = ""
    reminders.appointment_changed(uow, row)


_MARKABLE = {
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
}


def set_status(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    status: AppointmentStatus,
    expected_version: int | None = None,
) -> Booked:
    """Arrived, completed, no-show, or back to booked. Cancelling has its own call."""
    if status not in _MARKABLE:
        raise InvalidInput(f"Use cancel to mark an appointment {status.label.lower()}.")
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, appointment_id, expected_version)
        if row.status == AppointmentStatus.CANCELLED.value:
            raise InvalidInput("Restore the cancelled appointment before marking it.")
        if AppointmentStatus(row.status).frees_slot and not status.frees_slot:
            _reclaim_slot(uow, row)
        row.status = status.value
        uow.commit()
    return _reloaded(ctx, appointment_id)


def _reclaim_slot(uow: UnitOfWork, row: AppointmentRow) -> None:
    """A no-show set back takes its time again, unless another booking has it by now
    (its practitioner may have left since: only the clash matters)."""
    practitioner = existing(uow, PractitionerRow, row.practitioner_id, "practitioner")
    _ensure_slot_free(uow, row, practitioner)


def _ensure_slot_free(uow: UnitOfWork, row: AppointmentRow, practitioner: PractitionerRow) -> None:
    """A stored appointment taking its time again: no other booking may hold it now. Its
    own hours are not checked again (it was booked there once)."""
    clinic: ClinicRow = existing(uow, ClinicRow, row.clinic_id, "clinic")
    check_slot(
        uow,
        practitioner,
        clinic,
        row.starts_at,
        row.ends_at,
        exclude_id=row.id,
        override_availability=True,
        override_double_booking=row.overrides_double_booking,
    )


def update_notes(ctx: ServiceContext, appointment_id: uuid.UUID, notes: str) -> Booked:
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, appointment_id, None)
        row.notes = notes.strip()
        uow.commit()
    return _reloaded(ctx, appointment_id)


def delete_appointment(ctx: ServiceContext, appointment_id: uuid.UUID) -> Changes:
    """Remove a booking made in error (cancel is the normal path; it keeps a reason)."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, appointment_id, None)
        invoiced = uow.session.execute(
            select(InvoiceRow.number).where(InvoiceRow.appointment_id == row.id).limit(1)
        ).scalar_one_or_none()
        if invoiced is not None:
            # Invoices are financial records (and may already be in Xero): keep the history.
            raise InvalidInput(
                f"This appointment has been invoiced ({invoiced}), so it cannot be deleted. "
                "Cancel it instead; the invoice stays on record and can be voided."
            )
        reminders.appointment_removed(uow, row.id)
        uow.session.delete(row)
        uow.commit()
    return Changes(appointments=True, ids=frozenset({appointment_id}))


def add_attendee(ctx: ServiceContext, class_id: uuid.UUID, patient_id: uuid.UUID) -> Booked:
    """Book a patient into a class, within its capacity."""
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, class_id, None)
        bookable_practitioner(uow, actor, row.practitioner_id)
        patient: PatientRow = existing(uow, PatientRow, patient_id, "patient")
        if not seat(uow, row, patient):
            raise InvalidInput(
                f"{patient.first_name} {patient.last_name} is already in this class."
            )
        uow.commit()
    return _reloaded(ctx, class_id)


def seat(uow: UnitOfWork, row: AppointmentRow, patient: PatientRow) -> bool:
    """Give the patient a place in the checked class, within its capacity (ClassFull
    when there is none); False when they already have one."""
    if row.appointment_type.kind != AppointmentKind.CLASS.value:
        raise InvalidInput("Only classes take attendees.")
    if row.status == AppointmentStatus.CANCELLED.value:
        raise InvalidInput("This class was cancelled.")
    existing = next((a for a in row.attendances if a.patient_id == patient.id), None)
    if existing is not None and existing.status != AppointmentStatus.CANCELLED.value:
        return False
    taken = sum(1 for a in row.attendances if a.status != AppointmentStatus.CANCELLED.value)
    rules.ensure_capacity(row.appointment_type.name, row.capacity, taken)
    if existing is not None:
        existing.status = AppointmentStatus.BOOKED.value
        existing.cancellation_reason = None
    else:
        row.attendances.append(AttendanceRow(patient_id=patient.id))
    reminders.appointment_changed(uow, row)
    return True


def cancel_attendance(
    ctx: ServiceContext, class_id: uuid.UUID, patient_id: uuid.UUID, reason: CancellationReason
) -> Booked:
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, class_id, None)
        attendance = next((a for a in row.attendances if a.patient_id == patient_id), None)
        if attendance is None:
            raise NotFound("That patient is not booked into this class.")
        attendance.status = AppointmentStatus.CANCELLED.value
        attendance.cancellation_reason = reason.value
        reminders.appointment_changed(uow, row)
        voided = billing.session_cancelled(uow, row.id, patient_id)  # prepaid credit goes back
        uow.commit()
    return _with_voided(_reloaded(ctx, class_id), voided)


def set_attendance_status(
    ctx: ServiceContext, class_id: uuid.UUID, patient_id: uuid.UUID, status: AppointmentStatus
) -> Booked:
    if status not in _MARKABLE:
        raise InvalidInput("Use cancel to take a patient out of a class.")
    actor = ctx.actor()
    with ctx.unit_of_work() as uow:
        row = editable_appointment(uow, actor, class_id, None)
        attendance = next((a for a in row.attendances if a.patient_id == patient_id), None)
        if attendance is None:
            raise NotFound("That patient is not booked into this class.")
        attendance.status = status.value
        uow.commit()
    return _reloaded(ctx, class_id)
