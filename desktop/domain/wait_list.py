"""The wait list: patients who want an earlier or any time, and which open slots fit them.

An entry says who is waiting and what they can take: which practitioners (none
listed: any), which appointment types (none: any), which days of the week (none:
any) and which times of day (none: any time; else ranges such as mornings). It is
urgent or normal, and may be tied to an appointment the patient already has: then
only slots *before* that appointment fit (they want to come earlier), and from
the day of that appointment the entry is no longer current — it leaves the list.

`fits` decides one entry against one open slot in the clinic's wall time;
`best_first` is the order the desk offers them in: urgent first, then who has
waited longest. Both are pure, so the server and every screen agree.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from desktop.domain.errors import InvalidInput

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A part of the day in wall time, e.g. 07:00–12:00 for "mornings"."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput(
                f"A time range must end after it starts ({self.start:%H:%M}–{self.end:%H:%M})."
            )

    @property
    def label(self) -> str:
        named = {range_: name for name, range_ in NAMED_RANGES.items()}.get(self)
        return named or f"{self.start:%H:%M}–{self.end:%H:%M}"

    def to_json(self) -> list[str]:
        return [f"{self.start:%H:%M}", f"{self.end:%H:%M}"]

    @classmethod
    def from_json(cls, value: Any) -> TimeRange:
        try:
            start, end = value
            return cls(time.fromisoformat(str(start)), time.fromisoformat(str(end)))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"“{value}” is not a time range.") from exc


NAMED_RANGES = {
    "Mornings": TimeRange(time(7), time(12)),
    "Afternoons": TimeRange(time(12), time(17)),
    "Evenings": TimeRange(time(17), time(21)),
}


@dataclass(frozen=True, slots=True)
class WaitWishes:
    """What an entry can take; empty collections mean "any"."""

    practitioner_ids: frozenset[uuid.UUID] = frozenset()
    type_ids: frozenset[uuid.UUID] = frozenset()
    weekdays: frozenset[int] = frozenset()  # 0 = Monday
    time_ranges: tuple[TimeRange, ...] = ()

    def __post_init__(self) -> None:
        if any(day not in range(7) for day in self.weekdays):
            raise InvalidInput("Days of the week are Monday to Sunday.")

    def to_json(self) -> dict[str, Any]:
        return {
            "practitioner_ids": sorted(str(p) for p in self.practitioner_ids),
            "appointment_type_ids": sorted(str(t) for t in self.type_ids),
            "weekdays": sorted(self.weekdays),
            "time_ranges": [r.to_json() for r in self.time_ranges],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WaitWishes:
        """From stored columns (also a pushed row on the server): refuses what is malformed."""
        try:
            return cls(
                practitioner_ids=frozenset(_uuids(data.get("practitioner_ids"))),
                type_ids=frozenset(_uuids(data.get("appointment_type_ids"))),
                weekdays=frozenset(int(d) for d in data.get("weekdays") or ()),
                time_ranges=tuple(TimeRange.from_json(r) for r in data.get("time_ranges") or ()),
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInput("The wait-list entry's wishes are not readable.") from exc


def _uuids(values: Iterable[Any] | None) -> Iterable[uuid.UUID]:
    return (uuid.UUID(str(value)) for value in values or ())


@dataclass(frozen=True, slots=True)
class WaitListEntry:
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    wishes: WaitWishes
    urgent: bool
    note: str
    created_at: datetime
    # The appointment the patient already has (they want to come earlier), if any.
    appointment_id: uuid.UUID | None = None
    appointment_starts_at: datetime | None = None
    patient_phone: str = ""
    version: int = 1

    def is_current(self, now: datetime, zone: ZoneInfo) -> bool:
        """False from the (clinic's) day of the appointment they already have: on that
        day they leave the list, having not been moved earlier."""
        if self.appointment_starts_at is None:
            return True
        day = self.appointment_starts_at.astimezone(zone).date()
        return now < datetime.combine(day, time(0), tzinfo=zone)


@dataclass(frozen=True, slots=True)
class OpenSlot:
    """Time a practitioner has free: a cancelled, deleted or not yet booked slot."""

    practitioner_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    type_id: uuid.UUID | None = None  # what was booked there (None: not known / any)
    freed_by: uuid.UUID | None = None  # the cancelled booking that left it free, if any


# A no-show's rest is offered only when at least this long, from the next 5-minute mark.
SHORTEST_NO_SHOW_REST = timedelta(minutes=15)
_MARK = timedelta(minutes=5)


def no_show_rest(
    practitioner_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    type_id: uuid.UUID | None,
    freed_by: uuid.UUID,
    now: datetime,
) -> OpenSlot | None:
    """What is left of a no-show to give away: from its start, or the next 5-minute mark
    after `now` if later, to its end; None when too little is left."""
    mark = now + (datetime.min.replace(tzinfo=now.tzinfo) - now) % _MARK
    if mark <= now:
        mark += _MARK
    start = max(starts_at, mark)
    if ends_at - start < SHORTEST_NO_SHOW_REST:
        return None
    return OpenSlot(practitioner_id, start, ends_at, type_id, freed_by)


def fits(entry: WaitListEntry, slot: OpenSlot, zone: ZoneInfo) -> bool:
    """Whether the patient of `entry` can take `slot` (in the clinic's wall time)."""
    wishes = entry.wishes
    if wishes.practitioner_ids and slot.practitioner_id not in wishes.practitioner_ids:
        return False
    if wishes.type_ids and slot.type_id is not None and slot.type_id not in wishes.type_ids:
        return False
    if entry.appointment_starts_at is not None and slot.starts_at >= entry.appointment_starts_at:
        return False  # they already have this time or an earlier one
    start = slot.starts_at.astimezone(zone)
    end = slot.ends_at.astimezone(zone)
    if wishes.weekdays and start.weekday() not in wishes.weekdays:
        return False
    if not wishes.time_ranges:
        return True
    if end.date() != start.date():
        return False  # a slot over midnight fits no part of a day
    return any(r.start <= start.time() and end.time() <= r.end for r in wishes.time_ranges)


def best_first(entries: Iterable[WaitListEntry]) -> list[WaitListEntry]:
    """Urgent before normal, then who has waited longest."""
    return sorted(entries, key=lambda e: (not e.urgent, e.created_at, e.id))


def describe_wishes(
    wishes: WaitWishes,
    practitioner_names: Mapping[uuid.UUID, str],
    type_names: Mapping[uuid.UUID, str],
) -> str:
    """“Alice Physio · Consult · Mon, Wed · Mornings” — “Any time” when nothing is set."""
    parts = [
        _names(wishes.practitioner_ids, practitioner_names, "any practitioner"),
        _names(wishes.type_ids, type_names, "any type"),
        ", ".join(WEEKDAY_NAMES[d] for d in sorted(wishes.weekdays)) or "any day",
        ", ".join(r.label for r in wishes.time_ranges) or "any time",
    ]
    return " · ".join(parts)


def _names(ids: frozenset[uuid.UUID], names: Mapping[uuid.UUID, str], anyone: str) -> str:
    if not ids:
        return anyone
    return ", ".join(sorted(names.get(i, "(removed)") for i in ids))
