"""Weekly hours: a clinic's opening hours and a practitioner's availability."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from itertools import pairwise
from typing import Any

from desktop.domain.errors import InvalidInput

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Wall-clock window within one day, start inclusive, end exclusive."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput(f"{self.end:%H:%M} is not after {self.start:%H:%M}")

    def contains(self, start: time, end: time) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Windows per weekday (0 = Monday). A missing weekday means closed."""

    days: Mapping[int, tuple[TimeWindow, ...]] = field(default_factory=dict)

    def windows(self, weekday: int) -> tuple[TimeWindow, ...]:
        return tuple(self.days.get(weekday, ()))

    def covers(self, weekday: int, start: time, end: time) -> bool:
        return any(window.contains(start, end) for window in self.windows(weekday))

    def earliest_and_latest(self) -> tuple[time, time] | None:
        windows = [w for day in self.days.values() for w in day]
        if not windows:
            return None
        return min(w.start for w in windows), max(w.end for w in windows)

    def to_json(self) -> dict[str, list[list[str]]]:
        return {
            str(day): [[f"{w.start:%H:%M}", f"{w.end:%H:%M}"] for w in windows]
            for day, windows in sorted(self.days.items())
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> WeeklyHours:
        days: dict[int, tuple[TimeWindow, ...]] = {}
        for key, windows in (data or {}).items():
            weekday = int(key)
            if not 0 <= weekday <= 6:
                raise InvalidInput(f"weekday {key} is not 0 (Monday) to 6 (Sunday)")
            days[weekday] = tuple(
                TimeWindow(time.fromisoformat(start), time.fromisoformat(end))
                for start, end in windows
            )
        return cls(days)

    @classmethod
    def same_every_day(
        cls, weekdays: range | tuple[int, ...], start: time, end: time
    ) -> WeeklyHours:
        return cls({day: (TimeWindow(start, end),) for day in weekdays})


def windows_from_text(text: str) -> tuple[TimeWindow, ...]:
    """One day's hours as typed: "08:00-12:30, 13:30-17:00" (a break between); empty is closed."""
    windows: list[TimeWindow] = []
    for part in text.replace("–", "-").split(","):
        if not part.strip():
            continue
        ends = part.split("-")
        if len(ends) != 2:
            raise InvalidInput(f"“{part.strip()}” is not hours like 09:00-17:00")
        start, end = (_wall_time(value) for value in ends)
        windows.append(TimeWindow(start, end))
    windows.sort(key=lambda window: window.start)
    for before, after in pairwise(windows):
        if after.start < before.end:
            raise InvalidInput(
                f"{after.start:%H:%M}-{after.end:%H:%M} overlaps "
                f"{before.start:%H:%M}-{before.end:%H:%M}"
            )
    return tuple(windows)


def windows_text(windows: tuple[TimeWindow, ...]) -> str:
    """The reverse of `windows_from_text`: what the hours field shows."""
    return ", ".join(f"{w.start:%H:%M}-{w.end:%H:%M}" for w in windows)


def _wall_time(text: str) -> time:
    value = text.strip()
    if value.isdigit() and len(value) <= 2:
        value += ":00"  # "9" means 09:00
    try:
        return time.fromisoformat(value.zfill(5))
    except ValueError:
        raise InvalidInput(f"“{text.strip()}” is not a time like 09:30") from None
