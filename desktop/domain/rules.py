"""The booking rules, written once and enforced by the desktop, the store and the server."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop.domain import fields
from desktop.domain.clinic_time import require_utc, to_local
from desktop.domain.errors import (
    ClassFull,
    DoubleBooking,
    InvalidInput,
    OutsideAvailability,
    PractitionerInactive,
)
from desktop.domain.hours import WeeklyHours

LONGEST_APPOINTMENT = timedelta(hours=12)
TOO_LONG = "An appointment cannot be longer than 12 hours."


@dataclass(frozen=True, slots=True)
class BusyBlock:
    """Time already spoken for on a practitioner's calendar."""

    starts_at: datetime
    ends_at: datetime
    label: str


def ensure_time_range(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """A start and end in UTC, with the end after the start and a sane length."""
    start, end = require_utc(starts_at), require_utc(ends_at)
    if end <= start:
        raise InvalidInput("The appointment must end after it starts.")
    if end - start > LONGEST_APPOINTMENT:
        raise InvalidInput(TOO_LONG)
    fields.ensure_appointment_time(start)
    fields.ensure_appointment_time(end)
    return start, end


def ensure_bookable(practitioner_name: str, active: bool) -> None:
    """Inactive practitioners can never be booked; this is not overridable."""
    if not active:
        raise PractitionerInactive(practitioner_name)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: an appointment ending at 10:00 does not clash with one at 10:00."""
    return a_start < b_end and b_start < a_end


def find_clash(
    starts_at: datetime, ends_at: datetime, busy: Iterable[BusyBlock]
) -> BusyBlock | None:
    for block in busy:
        if overlaps(starts_at, ends_at, block.starts_at, block.ends_at):
            return block
    return None


def ensure_no_double_booking(
    practitioner_name: str,
    starts_at: datetime,
    ends_at: datetime,
    busy: Iterable[BusyBlock],
    zone: ZoneInfo,
) -> None:
    clash = find_clash(starts_at, ends_at, busy)
    if clash is not None:
        local_start, local_end = to_local(clash.starts_at, zone), to_local(clash.ends_at, zone)
        raise DoubleBooking(
            practitioner_name,
            f"from {local_start:%H:%M} to {local_end:%H:%M} on {local_start:%a %d %b}"
            f" ({clash.label})",
        )


def ensure_within_availability(
    practitioner_name: str,
    availability: WeeklyHours,
    starts_at: datetime,
    ends_at: datetime,
    zone: ZoneInfo,
) -> None:
    """The whole appointment must sit inside one of the practitioner's windows that day."""
    local_start, local_end = to_local(starts_at, zone), to_local(ends_at, zone)
    if local_start.date() == local_end.date() and availability.covers(
        local_start.weekday(), local_start.time(), local_end.time()
    ):
        return
    raise OutsideAvailability(
        f"{practitioner_name} is not working from {local_start:%H:%M} to {local_end:%H:%M} "
        f"on {local_start:%A %d %b}. Book it anyway only if you have checked with them."
    )


def ensure_capacity(class_name: str, capacity: int, places_taken: int) -> None:
    if places_taken >= capacity:
        raise ClassFull(class_name, capacity)


def ensure_capacity_value(capacity: int) -> None:
    if capacity < 1:
        raise InvalidInput("A class needs room for at least one person.")
