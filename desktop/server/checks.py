"""The booking rules applied to a pushed row change, before the server stores it.

The desktop's services already checked these rules when the change was made
offline; the server checks them again against *its* data, which may have moved
on (another desk booked the slot, an administrator deactivated the practitioner).
The rules are the domain's own (`desktop.domain.rules`); the store's guards
(exclusion constraint, triggers) still stand behind them.

Working hours are checked when an appointment is booked without the override;
a later move is not re-judged (the desk may have overridden them, and that choice
is not kept on the row). Inactive practitioners, double bookings, class capacity,
read-only appointments, permissions and stale edits are always enforced.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.auth.records import SessionPolicy
from desktop.domain import fields, rules
from desktop.domain.appointments import AppointmentKind, AppointmentStatus, CancellationReason
from desktop.domain.clinic_time import clinic_zone
from desktop.domain.errors import (
    AppointmentReadOnly,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from desktop.domain.hours import WeeklyHours
from desktop.domain.phones import stored_phone
from desktop.domain.roles import Actor
from desktop.domain.wait_list import WaitWishes
from desktop.server import message_checks, money_checks
from desktop.services import wait_list_offers
from desktop.store import queries
from desktop.store.auth_models import SIGN_IN_POLICY_ID, SignInPolicyRow
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    AttendanceRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
    Row,
)
from desktop.store.types import utc_now
from desktop.store.wait_list_models import WaitListEntryRow, WaitListSettingsRow

ADMIN_ONLY = {"clinics", "practitioners", "provider_numbers", "appointment_types"}
CANCELLED = AppointmentStatus.CANCELLED.value
_MOVING = {"practitioner_id", "starts_at", "ends_at"}


def check_write(
    session: Session,
    actor: Actor,
    row: Row,
    before: Mapping[str, Any] | None,
    changed: set[str],
) -> None:
    """Refuse (with a DomainError) an insert (`before` None) or update of `row`."""
    table = row.__tablename__
    if table in ADMIN_ONLY and not actor.is_admin:
        raise PermissionDenied("Only an administrator can change the clinic's set-up.")
    if isinstance(row, SignInPolicyRow):
        _sign_in_policy(actor, row)
    elif isinstance(row, ClinicRow):
        clinic_zone(row.timezone)
        _hours(row.opening_hours, "opening hours")
        _named(row.name, "The clinic needs a name.")
    elif isinstance(row, PractitionerRow):
        _hours(row.availability, "working hours")
        _named(row.name, "A practitioner needs a name.")
    elif isinstance(row, AppointmentTypeRow):
        _appointment_type(row)
    elif isinstance(row, PatientRow):
        _patient(session, row, before)
    elif isinstance(row, AppointmentRow):
        _appointment(session, actor, row, before, changed)
    elif isinstance(row, AttendanceRow):
        _attendance(session, actor, row, before)
    elif isinstance(row, WaitListEntryRow):
        _wait_list_entry(session, row)
    elif isinstance(row, WaitListSettingsRow):
        wait_list_offers.check_settings(actor, row.offer_to)
    elif row.__tablename__ in message_checks.MODELS:
        message_checks.check_write(session, actor, row, before, changed)
    else:
        money_checks.check_write(actor, row, before, changed)


def check_delete(session: Session, actor: Actor, row: Row) -> None:
    table = row.__tablename__
    if (table in ADMIN_ONLY or isinstance(row, PatientRow)) and not actor.is_admin:
        raise PermissionDenied("Only an administrator can delete this.")
    if isinstance(row, AppointmentRow):
        _may_edit(actor, session, row.practitioner_id)
        if row.read_only:
            raise AppointmentReadOnly(
                "This appointment was kept read-only when its practitioner was deactivated."
            )
    elif isinstance(row, AttendanceRow):
        appointment = session.get(AppointmentRow, row.appointment_id)
        if appointment is not None:
            _may_edit(actor, session, appointment.practitioner_id)
    elif isinstance(row, SignInPolicyRow):
        raise InvalidInput("The clinic's sign-in settings cannot be deleted.")
    elif row.__tablename__ in message_checks.MODELS:
        message_checks.check_delete(row)
    else:
        money_checks.check_delete(row)


def check_group(session: Session, deactivated: set[Any], now: datetime) -> None:
    """Rules about a whole group of changes: nobody is deactivated with orphaned bookings."""
    for practitioner_id in deactivated:
        practitioner = session.get(PractitionerRow, practitioner_id)
        if practitioner is None or practitioner.active:
            continue
        orphans = session.execute(
            select(func.count(AppointmentRow.id)).where(
                AppointmentRow.practitioner_id == practitioner_id,
                AppointmentRow.ends_at > now,
                AppointmentRow.status != CANCELLED,
                AppointmentRow.read_only.is_(False),
            )
        ).scalar_one()
        if orphans:
            raise InvalidInput(
                f"{practitioner.name} has {orphans} future booking(s). "
                "Choose whether to move them, cancel them, or keep them read-only."
            )


def _sign_in_policy(actor: Actor, row: SignInPolicyRow) -> None:
    """Settings ▸ Sign-in, as the desk's own service checks it (services.accounts.set_policy)."""
    if not actor.is_admin:
        raise PermissionDenied("Only an administrator can change how long sign-ins last.")
    if row.id != SIGN_IN_POLICY_ID:
        raise InvalidInput("The clinic has one set of sign-in settings; change that one.")
    SessionPolicy(
        idle_timeout=timedelta(seconds=row.idle_timeout_seconds),
        lifetime=timedelta(seconds=row.lifetime_seconds),
        remember_for=timedelta(seconds=row.remember_seconds),
    ).check()


def _wait_list_entry(session: Session, row: WaitListEntryRow) -> None:
    """The wishes are readable, and the patient (and appointment, if any) exist."""
    WaitWishes.from_json(
        {
            "practitioner_ids": row.practitioner_ids,
            "appointment_type_ids": row.appointment_type_ids,
            "weekdays": row.weekdays,
            "time_ranges": row.time_ranges,
        }
    )
    if session.get(PatientRow, row.patient_id) is None:
        raise NotFound("The patient of this wait-list entry no longer exists.")
    if row.appointment_id is not None and session.get(AppointmentRow, row.appointment_id) is None:
        raise NotFound("The appointment this wait-list entry is tied to no longer exists.")


def _named(name: str, message: str) -> None:
    if not name.strip():
        raise InvalidInput(message)


def _hours(value: Any, what: str) -> None:
    try:
        WeeklyHours.from_json(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"The {what} are not in a form Frontdesk understands.") from exc


def _enum(value: Any, allowed: type[Any], what: str) -> None:
    try:
        allowed(value)
    except ValueError as exc:
        raise InvalidInput(f"“{value}” is not a {what}.") from exc


def _appointment_type(row: AppointmentTypeRow) -> None:
    _named(row.name, "The appointment type needs a name.")
    _enum(row.kind, AppointmentKind, "kind of appointment")
    if not 5 <= row.duration_minutes <= 12 * 60:
        raise InvalidInput("A duration must be between 5 minutes and 12 hours.")
    if row.price_cents < 0:
        raise InvalidInput("A price cannot be negative.")
    rules.ensure_capacity_value(row.capacity)


def _patient(session: Session, row: PatientRow, before: Mapping[str, Any] | None) -> None:
    if not row.first_name.strip() or not row.last_name.strip():
        raise InvalidInput("A patient needs a first and a last name.")
    if before is None:
        # The server numbers patients: two desks adding patients offline would
        # otherwise both pick the next number. The replica takes this one back.
        row.number = queries.next_patient_number(session)
    elif row.number != before["number"]:
        raise InvalidInput("A patient's number cannot be changed.")
    _patient_fields(row, before)


def _patient_fields(row: PatientRow, before: Mapping[str, Any] | None) -> None:
    """The desk's field checks, on the fields this change sets (old data is left be)."""

    def new(name: str) -> bool:
        return before is None or getattr(row, name) != before[name]

    if row.email and new("email"):
        fields.ensure_email(row.email)
    # A desk keeps a phone in E.164 (desktop.services.patients); anything else pushed
    # would never be texted, and would show as typed on every desk.
    if row.phone and new("phone") and stored_phone(row.phone) != row.phone:
        raise InvalidInput(f"“{row.phone[:40]}” is not a phone number in E.164 form.")
    if row.date_of_birth is not None and new("date_of_birth"):
        # The server's "today" runs a day ahead: a clinic east of UTC may already
        # be on tomorrow's date.
        fields.ensure_birth_date(row.date_of_birth, (utc_now() + timedelta(days=1)).date())


def _may_edit(actor: Actor, session: Session, practitioner_id: Any) -> None:
    if not actor.may_edit_calendar_of(practitioner_id):
        practitioner = session.get(PractitionerRow, practitioner_id)
        name = practitioner.name if practitioner is not None else "another practitioner"
        raise PermissionDenied(f"You can only change your own calendar, not {name}'s.")


def _appointment(
    session: Session,
    actor: Actor,
    row: AppointmentRow,
    before: Mapping[str, Any] | None,
    changed: set[str],
) -> None:
    _enum(row.status, AppointmentStatus, "appointment status")
    if row.cancellation_reason is not None:
        _enum(row.cancellation_reason, CancellationReason, "cancellation reason")
    rules.ensure_capacity_value(row.capacity)
    _may_edit(actor, session, row.practitioner_id)
    if before is not None:
        _may_edit(actor, session, before["practitioner_id"])
        if changed - {"read_only"} and before["read_only"]:
            raise AppointmentReadOnly(
                "This appointment was kept read-only when its practitioner was deactivated."
            )
        if "read_only" in changed and not actor.is_admin:
            raise PermissionDenied("Only an administrator can make an appointment read-only.")
    moved = before is None or bool(changed & _MOVING)
    # A no-show (or a cancellation) holds no time, as in the store's guards; one set
    # back takes its time again, so it must not clash with a booking made meanwhile.
    reclaimed = before is not None and AppointmentStatus(before["status"]).frees_slot
    if moved:
        _placed(session, row, before)
    if AppointmentStatus(row.status).frees_slot or not (moved or reclaimed):
        return
    starts_at, ends_at = rules.ensure_time_range(row.starts_at, row.ends_at)
    # A no-show set back only needs its time free: its practitioner may have left since.
    only_reclaimed = not moved and before is not None and before["status"] != CANCELLED
    practitioner = _bookable_practitioner(session, row.practitioner_id, only_reclaimed)
    kind = session.get(AppointmentTypeRow, row.appointment_type_id)
    if kind is None:
        raise NotFound("That appointment type no longer exists.")
    clinic = session.get(ClinicRow, row.clinic_id)
    if clinic is None:
        raise NotFound("That clinic no longer exists.")
    zone = clinic_zone(clinic.timezone)
    if before is None:
        if not kind.active:
            raise InvalidInput(f"“{kind.name}” is no longer offered.")
        if kind.kind == AppointmentKind.INDIVIDUAL.value and row.patient_id is None:
            raise InvalidInput("Choose the patient for this appointment.")
        if not row.overrides_availability:
            rules.ensure_within_availability(
                practitioner.name,
                WeeklyHours.from_json(practitioner.availability),
                starts_at,
                ends_at,
                zone,
            )
    if not row.overrides_double_booking:
        busy = queries.busy_blocks(session, practitioner.id, starts_at, ends_at, row.id)
        rules.ensure_no_double_booking(practitioner.name, starts_at, ends_at, busy, zone)


def _placed(session: Session, row: AppointmentRow, before: Mapping[str, Any] | None) -> None:
    """What holds for every booking placed or moved, even a cancelled one."""
    rules.ensure_time_range(row.starts_at, row.ends_at)  # the sane window, too
    if before is None and row.read_only:
        # Only deactivating a practitioner makes bookings read-only, and only
        # existing ones: a new read-only booking would outlive the deactivation.
        raise PermissionDenied("A new appointment cannot be read-only.")
    _bookable_practitioner(session, row.practitioner_id)


def _bookable_practitioner(
    session: Session, practitioner_id: Any, inactive_allowed: bool = False
) -> PractitionerRow:
    practitioner = queries.lock_practitioner(session, practitioner_id)
    if practitioner is None:
        raise NotFound("That practitioner no longer exists.")
    if not inactive_allowed:
        rules.ensure_bookable(practitioner.name, practitioner.active)
    return practitioner


def _attendance(
    session: Session, actor: Actor, row: AttendanceRow, before: Mapping[str, Any] | None
) -> None:
    _enum(row.status, AppointmentStatus, "attendance status")
    if row.cancellation_reason is not None:
        _enum(row.cancellation_reason, CancellationReason, "cancellation reason")
    appointment = queries.lock_appointment(session, row.appointment_id)
    if appointment is None:
        raise NotFound("That class no longer exists.")
    _may_edit(actor, session, appointment.practitioner_id)
    if appointment.read_only:
        raise AppointmentReadOnly(
            "This class was kept read-only when its practitioner was deactivated."
        )
    if before is not None and (
        row.appointment_id != before["appointment_id"] or row.patient_id != before["patient_id"]
    ):
        raise InvalidInput("A class place cannot be moved to another class or patient.")
    joining = before is None or before["status"] == CANCELLED
    if row.status == CANCELLED or not joining:
        return
    kind = session.get(AppointmentTypeRow, appointment.appointment_type_id)
    if kind is None or kind.kind != AppointmentKind.CLASS.value:
        raise InvalidInput("Only classes take attendees.")
    if appointment.status == CANCELLED:
        raise InvalidInput("This class was cancelled.")
    practitioner = session.get(PractitionerRow, appointment.practitioner_id)
    if practitioner is not None:
        rules.ensure_bookable(practitioner.name, practitioner.active)
    taken = session.execute(
        select(func.count(AttendanceRow.id)).where(
            AttendanceRow.appointment_id == appointment.id,
            AttendanceRow.status != CANCELLED,
            AttendanceRow.id != row.id,
        )
    ).scalar_one()
    rules.ensure_capacity(kind.name, appointment.capacity, taken)
