"""Repeating appointments: a rule, and the occurrences it makes in the clinic's zone.

A rule repeats daily, weekly (every N weeks), or monthly on the same weekday of
the month as the first (the 2nd Tuesday, the 5th Friday), and ends after a number
of times or on a date. Occurrences keep the first one's wall-clock time in the
clinic's zone, so a 9:00 appointment stays at 9:00 across a DST change.

Some occurrences cannot be booked and are listed with the reason rather than
dropped, so the user sees every date the rule names:

* a month without the 5th weekday (the 5th Tuesday of a month that has four);
* a wall time the clocks skip (2:30 on the night they go forward).

A wall time that happens twice (the night clocks go back) is the first of the two,
as everywhere else (`clinic_time.local_to_utc`). A missing month or a skipped
time still counts towards "after N times": the list shows N dates.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from desktop.domain.clinic_time import local_to_utc
from desktop.domain.errors import InvalidInput

MOST_OCCURRENCES = 200  # four years of weekly sessions; more is most likely a slip
LONGEST_INTERVAL = 52
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th")


class Frequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"  # on the same weekday of the month as the first


class SeriesScope(enum.StrEnum):
    """Which appointments of a series an edit or a cancel is for."""

    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"

    @property
    def label(self) -> str:
        return {"this": "This one", "following": "This and the following", "all": "All"}[self.value]


@dataclass(frozen=True, slots=True)
class RepeatRule:
    """How often, and until when: after `count` times, or up to and including `until`."""

    frequency: Frequency
    interval: int = 1  # every N days / weeks / months
    count: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if (self.count is None) == (self.until is None):
            raise InvalidInput("Say how the repeat ends: after a number of times, or on a date.")
        if not 1 <= self.interval <= LONGEST_INTERVAL:
            raise InvalidInput(f"Repeat every 1 to {LONGEST_INTERVAL} {self.unit}s.")
        if self.count is not None and not 2 <= self.count <= MOST_OCCURRENCES:
            raise InvalidInput(f"A series has 2 to {MOST_OCCURRENCES} appointments.")

    @property
    def unit(self) -> str:
        return {"daily": "day", "weekly": "week", "monthly": "month"}[self.frequency.value]

    def describe(self, first: date) -> str:
        """In words, e.g. "Every 2 weeks, 10 times" or "Monthly on the 2nd Tuesday, until …"."""
        if self.frequency is Frequency.MONTHLY:
            how = f"on the {ORDINALS[_nth(first) - 1]} {first:%A}"
            every = "Monthly" if self.interval == 1 else f"Every {self.interval} months"
            how = f"{every} {how}"
        elif self.interval == 1:
            how = "Daily" if self.frequency is Frequency.DAILY else f"Weekly on {first:%A}s"
        else:
            how = f"Every {self.interval} {self.unit}s"
        if self.count is not None:
            return f"{how}, {self.count} times"
        assert self.until is not None
        return f"{how}, until {self.until:%a %d %b %Y}"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One date of a series: when it is (UTC), or why it cannot be booked.

    `number` counts from 1 in date order. `day` is the local date; for a month
    without the wanted weekday it is the 1st of that month. `starts_at` and
    `ends_at` are None when `problem` says the date cannot be booked.
    """

    number: int
    day: date
    starts_at: datetime | None
    ends_at: datetime | None
    problem: str = ""

    @property
    def bookable(self) -> bool:
        return not self.problem


def _nth(day: date) -> int:
    """Which of its weekday in the month a date is: the 2nd Tuesday gives 2."""
    return (day.day - 1) // 7 + 1


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    day = 1 + offset + 7 * (nth - 1)
    return date(year, month, day) if day <= calendar.monthrange(year, month)[1] else None


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _dates(rule: RepeatRule, first: date) -> list[tuple[date, bool]]:
    """The dates the rule names, each with whether it exists (a 5th weekday may not)."""
    found: list[tuple[date, bool]] = []
    step = 0
    while True:
        if rule.frequency is Frequency.MONTHLY:
            year, month = _add_months(first.year, first.month, step * rule.interval)
            if year > 9998:
                break
            exact = _nth_weekday(year, month, first.weekday(), _nth(first))
            entry = (exact, True) if exact is not None else (date(year, month, 1), False)
        else:
            days = rule.interval * (7 if rule.frequency is Frequency.WEEKLY else 1)
            if (date.max - first).days < step * days:
                break
            entry = (first + timedelta(days=step * days), True)
        if rule.until is not None and entry[0] > rule.until:
            break
        found.append(entry)
        if rule.count is not None and len(found) == rule.count:
            break
        if len(found) > MOST_OCCURRENCES:
            raise InvalidInput(
                f"That makes more than {MOST_OCCURRENCES} appointments; end the repeat sooner."
            )
        step += 1
    return found


def occurrences(
    rule: RepeatRule, first: date, wall: time, length: timedelta, zone: ZoneInfo
) -> list[Occurrence]:
    """Every occurrence of a series starting on `first` at `wall` (clinic time)."""
    if rule.until is not None and rule.until <= first:
        raise InvalidInput("The repeat must end after the first appointment's day.")
    listed: list[Occurrence] = []
    nth = ORDINALS[_nth(first) - 1]
    for number, (day, exists) in enumerate(_dates(rule, first), start=1):
        if not exists:
            problem = f"{day:%B %Y} has no {nth} {first:%A}"
            listed.append(Occurrence(number, day, None, None, problem))
            continue
        try:
            starts_at = local_to_utc(day, wall, zone)
        except InvalidInput as skipped:
            listed.append(Occurrence(number, day, None, None, str(skipped)))
            continue
        except OverflowError:  # the last days of year 9999 in a zone behind UTC
            listed.append(Occurrence(number, day, None, None, "That date is out of range."))
            continue
        listed.append(Occurrence(number, day, starts_at, starts_at + length))
    return listed
