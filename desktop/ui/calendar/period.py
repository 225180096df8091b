"""Which days the calendar shows: one day, or the week (Monday first) around a day."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta


class ViewMode(enum.StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class Period:
    mode: ViewMode
    anchor: date  # the day the user is on; in week view, any day of that week

    @property
    def first(self) -> date:
        if self.mode is ViewMode.DAY:
            return self.anchor
        return self.anchor - timedelta(days=self.anchor.weekday())

    @property
    def dates(self) -> tuple[date, ...]:
        count = 1 if self.mode is ViewMode.DAY else 7
        return tuple(self.first + timedelta(days=i) for i in range(count))

    def stepped(self, steps: int) -> Period:
        """The previous (-1) or next (+1) day or week; the anchor weekday is kept."""
        days = steps if self.mode is ViewMode.DAY else 7 * steps
        return Period(self.mode, self.anchor + timedelta(days=days))

    def with_mode(self, mode: ViewMode) -> Period:
        return Period(mode, self.anchor)

    def with_anchor(self, anchor: date) -> Period:
        return Period(self.mode, anchor)

    @property
    def title(self) -> str:
        """ "Monday 3 March 2031", or "3 – 9 March 2031" for a week."""
        if self.mode is ViewMode.DAY:
            return f"{self.anchor:%A} {self.anchor.day} {self.anchor:%B %Y}"
        first, last = self.dates[0], self.dates[-1]
        if first.month == last.month:
            return f"{first.day} – {last.day} {last:%B %Y}"
        if first.year == last.year:
            return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
        return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
