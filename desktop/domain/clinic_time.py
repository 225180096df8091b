"""Clinic-local wall time versus stored UTC instants, safe across DST changes.

Everything is stored in UTC. A clinic's IANA zone turns a wall-clock time typed
by a receptionist into an instant, and an instant back into what the calendar
shows. Days are not always 24 hours long: a DST day is 23 or 25.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.domain.errors import InvalidInput


def clinic_zone(name: str) -> ZoneInfo:
    """The zone for an IANA name, or a readable refusal."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"“{name}” is not a time zone (use a name like Australia/Sydney)"
        ) from exc


def require_utc(instant: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is refused rather than guessed."""
    if instant.tzinfo is UTC:
        return instant  # what the store hands back: the calendar asks this thousands of times
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput("a time without a time zone cannot be stored")
    return instant.astimezone(UTC)


def local_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock time on a day happens in the zone.

    A time skipped when clocks go forward does not exist and is refused; a time
    that happens twice when clocks go back means its first occurrence.
    """
    local = datetime.combine(day, wall, tzinfo=zone).replace(fold=0)
    round_trip = local.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidInput(
            f"{wall:%H:%M} does not exist on {day:%d %b %Y} in {zone.key} "
            "(the clocks go forward then)"
        )
    return local.astimezone(UTC)


def to_local(instant: datetime, zone: ZoneInfo) -> datetime:
    return require_utc(instant).astimezone(zone)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which a local day starts and the next one starts."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return to_local(instant, zone).date()


def minutes_into_day(instant: datetime, day: date, zone: ZoneInfo) -> float:
    """Elapsed real minutes since local midnight: where a block sits on a DST day."""
    start, _ = day_bounds(day, zone)
    return (require_utc(instant) - start).total_seconds() / 60
