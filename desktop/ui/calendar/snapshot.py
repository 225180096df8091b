"""What one calendar range holds: the clinic, the columns' practitioners, the appointments.

Loaded through the services only; the scene draws from it and keeps it current
from `Changes` without reloading everything.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from zoneinfo import ZoneInfo

from desktop.domain import day_axis
from desktop.domain.appointments import Appointment, AppointmentStatus
from desktop.domain.clinic_time import clinic_zone, day_bounds, local_date
from desktop.domain.people import Clinic, Practitioner
from desktop.domain.roles import Actor
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.ui.calendar.period import Period, ViewMode
from desktop.ui.calendar.wall_clock import local_day, wall_minute


@dataclass(frozen=True)
class CalendarSnapshot:
    clinic: Clinic
    zone: ZoneInfo
    period: Period
    days: tuple[date, ...]  # the days with columns (a week skips days the clinic is shut)
    # One column each per day, in calendar order; after the active ones, any inactive
    # practitioner who still has bookings in the range (kept read-only when they left).
    practitioners: tuple[Practitioner, ...]
    active: tuple[Practitioner, ...]  # everyone who could be shown (for the chooser)
    appointments: tuple[Appointment, ...]
    show_cancelled: bool
    actor: Actor  # who is looking: what the calendar offers them to change
    # The days an inactive practitioner has a column: those holding their kept bookings.
    kept_days: frozenset[tuple[uuid.UUID, date]] = frozenset()

    def has_column(self, day: date, practitioner: Practitioner) -> bool:
        """Each shown active practitioner has a column every day; an inactive one only
        on the days that hold bookings kept read-only when they left."""
        return practitioner.active or (practitioner.id, day) in self.kept_days

    def may_change(self, appointment: Appointment) -> bool:
        return self.actor.may_change(appointment)

    def bookable(self, practitioner: Practitioner) -> bool:
        """Active, and the signed-in user's calendar to change (a practitioner books only their own)."""
        return practitioner.active and self.actor.may_edit_calendar_of(practitioner.id)

    def shows(self, appointment: Appointment) -> bool:
        """Whether this range has a place for the appointment."""
        if appointment.status is AppointmentStatus.CANCELLED and not self.show_cancelled:
            return False
        day = local_date(appointment.starts_at, self.zone)
        return day in self.days and any(
            p.id == appointment.practitioner_id and self.has_column(day, p)
            for p in self.practitioners
        )

    def practitioner(self, practitioner_id: uuid.UUID) -> Practitioner | None:
        return next((p for p in self.practitioners if p.id == practitioner_id), None)

    @cached_property
    def visible_minutes(self) -> tuple[int, int]:
        """See `visible_minutes` below (kept on the frozen snapshot, computed once)."""
        return _visible_minutes(self)


def load_snapshot(
    ctx: ServiceContext,
    period: Period,
    hidden: frozenset[uuid.UUID],
    show_cancelled: bool,
    today: Callable[[ZoneInfo], date] | None = None,
) -> CalendarSnapshot:
    """The period's snapshot; with `today`, the period moved to the day `today` gives
    in the clinic's zone (read here), for a calendar that could only guess it."""
    actor = ctx.actor()
    clinic = calendar.main_clinic(ctx)
    zone = clinic_zone(clinic.timezone)
    if today is not None:
        period = period.with_anchor(today(zone))
    everyone = calendar.practitioners(ctx, include_inactive=True)
    active = tuple(p for p in everyone if p.active)
    shown = [p for p in active if p.id not in hidden]
    inactive = [p for p in everyone if not p.active]
    start, _ = day_bounds(period.dates[0], zone)
    _, end = day_bounds(period.dates[-1], zone)
    found = calendar.appointments_in_view(ctx, start, end, [p.id for p in shown + inactive])
    kept_days = _kept_days(inactive, found, period, zone)
    shown += [p for p in inactive if any(p.id == kept for kept, _day in kept_days)]
    every_day = {p.id for p in shown if p.active}
    found = [
        a
        for a in found
        if a.practitioner_id in every_day
        or (a.practitioner_id, local_day(a.starts_at, zone)) in kept_days
    ]
    if not show_cancelled:
        found = [a for a in found if a.status is not AppointmentStatus.CANCELLED]
    days = _days_with_columns(clinic, period, zone, found)
    # The range query also returns a block that starts the evening before; it has no column.
    kept = tuple(a for a in found if local_day(a.starts_at, zone) in days)
    snapshot = CalendarSnapshot(
        clinic, zone, period, days, tuple(shown), active, kept, show_cancelled, actor, kept_days
    )
    # Worked out here, on the worker: for a week of thousands it took tens of
    # milliseconds of the GUI thread's turn when the week arrived.
    _ = snapshot.visible_minutes
    return snapshot


def _kept_days(
    inactive: list[Practitioner], found: list[Appointment], period: Period, zone: ZoneInfo
) -> frozenset[tuple[uuid.UUID, date]]:
    """(inactive practitioner, day) for each day of the period holding a booking of theirs
    kept read-only when they left, and not cancelled since.

    Reception must still see who is arriving for them; they get a column only on
    those days. Their history from before they left, and what was cancelled, stay
    off the calendar like the practitioner (a week of six columns a day would not
    fit a 1366-pixel screen for bookings nobody is coming to).
    """
    ids = {p.id for p in inactive}
    return frozenset(
        (a.practitioner_id, day)
        for a in found
        if a.practitioner_id in ids
        and a.read_only
        and a.status is not AppointmentStatus.CANCELLED
        and (day := local_day(a.starts_at, zone)) in period.dates
    )


def placeholder_snapshot(previous: CalendarSnapshot, period: Period) -> CalendarSnapshot:
    """The new period's empty columns, drawn at once while its appointments load.

    Only active practitioners: an inactive one gets a column once the load shows
    they still have bookings in the new period.
    """
    days = _days_with_columns(previous.clinic, period, previous.zone, [])
    return CalendarSnapshot(
        previous.clinic,
        previous.zone,
        period,
        days,
        tuple(p for p in previous.practitioners if p.active),
        previous.active,
        (),
        previous.show_cancelled,
        previous.actor,
    )


def _days_with_columns(
    clinic: Clinic, period: Period, zone: ZoneInfo, appointments: list[Appointment]
) -> tuple[date, ...]:
    """A day view always shows its day; a week shows open days and any day with bookings."""
    if period.mode is ViewMode.DAY:
        return period.dates
    booked = {local_day(a.starts_at, zone) for a in appointments}
    days = tuple(
        day for day in period.dates if clinic.opening_hours.windows(day.weekday()) or day in booked
    )
    return days or period.dates


def visible_minutes(snapshot: CalendarSnapshot) -> tuple[int, int]:
    """The hours to draw: the clinic's hours on the shown days, stretched for outliers.

    Worked out once per snapshot: opening a week asks again on every resize and
    fit, and a week holds thousands of appointments.
    """
    return snapshot.visible_minutes


def _visible_minutes(snapshot: CalendarSnapshot) -> tuple[int, int]:
    zone = snapshot.zone
    busy = set()  # the distinct (start, end) pairs are all that matter
    for appointment in snapshot.appointments:
        day = local_day(appointment.starts_at, zone)
        start = wall_minute(appointment.starts_at, day, zone)
        end = wall_minute(appointment.ends_at, day, zone)
        busy.add((start, min(end, day_axis.MINUTES_PER_DAY)))
    return day_axis.visible_minutes(snapshot.clinic.opening_hours, snapshot.days, busy)
