"""The calendar's time axis: wall-clock minutes of a clinic day, honest on DST days.

The calendar is laid out by *wall-clock* time, so 9:00 sits at the same height on
every day of a week, including the day the clocks change. An instant is placed
by the wall-clock minute it shows in the clinic's zone; on the day clocks go
forward the skipped hour has no ruler line and nothing can be dropped into it,
and on the day they go back the repeated hour is marked (two appointments at the
"same" 2:30 are then drawn side by side, like any other overlap).

Pure: no Qt. The view multiplies minutes by its pixels per minute.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from desktop.domain.clinic_time import day_bounds, local_to_utc, to_local
from desktop.domain.hours import WeeklyHours

MINUTES_PER_DAY = 24 * 60
# Shown when a clinic has no opening hours at all.
DEFAULT_HOURS = (8 * 60, 18 * 60)


@dataclass(frozen=True, slots=True)
class RulerMark:
    """An hour line on the ruler: its wall-clock minute and what it reads."""

    minute: int
    label: str
    repeated: bool = False  # this hour happens twice (clocks went back)


@dataclass(frozen=True, slots=True)
class ClockChange:
    """Wall-clock minutes that do not exist, or happen twice, on one day."""

    start: int
    end: int
    forward: bool  # True: skipped (clocks go forward); False: repeated


def wall_minute(instant: datetime, day: date, zone: ZoneInfo) -> float:
    """Wall-clock minutes from the start of `day` (past midnight: beyond 1440)."""
    local = to_local(instant, zone)
    whole_days = (local.date() - day).days
    return (
        whole_days * MINUTES_PER_DAY
        + local.hour * 60
        + local.minute
        + (local.second + local.microsecond / 1e6) / 60
    )


def instant_at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock minute of `day` happens (1440 is next midnight).

    A minute the clocks skip is refused with a readable `InvalidInput`.
    """
    extra_days, within = divmod(minute, MINUTES_PER_DAY)
    wall = time(within // 60, within % 60)
    return local_to_utc(day + timedelta(days=extra_days), wall, zone)


def clock_change(day: date, zone: ZoneInfo) -> ClockChange | None:
    """The skipped or repeated stretch of wall time on `day`, if the clocks change."""
    start, end = day_bounds(day, zone)
    before, after = start.astimezone(zone).utcoffset(), end.astimezone(zone).utcoffset()
    if before is None or after is None or before == after:
        return None
    low, high = start, end  # the change happens in (low, high]: bisect to the minute
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    changed_at = high.replace(second=0, microsecond=0)
    gap = int((after - before).total_seconds() // 60)
    if gap > 0:
        first = wall_minute(changed_at - timedelta(microseconds=1), day, zone)
        skipped_from = math.ceil(first)
        return ClockChange(skipped_from, skipped_from + gap, forward=True)
    repeated_from = int(wall_minute(changed_at, day, zone))
    return ClockChange(repeated_from, repeated_from - gap, forward=False)


def ruler_marks(day: date, zone: ZoneInfo, first_minute: int, last_minute: int) -> list[RulerMark]:
    """Hour lines from `first_minute` to `last_minute` that exist on `day`."""
    change = clock_change(day, zone)
    marks = []
    for minute in range(_ceil_hour(first_minute), last_minute + 1, 60):
        if change is not None and change.forward and change.start <= minute < change.end:
            continue  # this wall time never happens today
        repeated = change is not None and not change.forward and change.start <= minute < change.end
        marks.append(RulerMark(minute, hour_label(minute), repeated))
    return marks


def hour_label(minute: int) -> str:
    hour = (minute // 60) % 24
    return f"{hour}:{minute % 60:02d}"


def snap(minute: float, step: int) -> int:
    """The nearest multiple of `step` minutes (halves round up, like a person would)."""
    return math.floor(minute / step + 0.5) * step


def visible_minutes(
    opening: WeeklyHours, days: Iterable[date], busy: Iterable[tuple[float, float]] = ()
) -> tuple[int, int]:
    """Whole hours to show: the clinic's hours on those days, stretched to fit `busy`.

    `busy` are (start, end) wall minutes of what must be visible too: an
    appointment booked outside opening hours is never cut off.
    """
    starts, ends = [], []
    for day in days:
        for window in opening.windows(day.weekday()):
            starts.append(window.start.hour * 60 + window.start.minute)
            ends.append(window.end.hour * 60 + window.end.minute)
    first, last = (min(starts), max(ends)) if starts else DEFAULT_HOURS
    for start, end in busy:
        first, last = min(first, math.floor(start)), max(last, math.ceil(end))
    first = max(0, first // 60 * 60)
    last = min(MINUTES_PER_DAY, _ceil_hour(last))
    return first, max(last, first + 60)


def _ceil_hour(minute: int) -> int:
    return -(-minute // 60) * 60
