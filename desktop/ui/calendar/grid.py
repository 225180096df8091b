"""Where columns and minutes are in the scene: the calendar's coordinate system.

x runs over columns (day-major: every practitioner of Monday, then of Tuesday …),
y over wall-clock minutes from the first visible hour. Qt-free, so it can be
tested and used by the benchmark without a screen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from desktop.domain.people import Practitioner


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    day: date
    practitioner: Practitioner


@dataclass(frozen=True)
class Grid:
    columns: tuple[Column, ...]
    first_minute: int
    last_minute: int
    column_width: float
    pixels_per_minute: float
    _lookup: dict[tuple[date, uuid.UUID], Column] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._lookup.update({(c.day, c.practitioner.id): c for c in self.columns})

    @classmethod
    def build(
        cls,
        days: Sequence[date],
        practitioners: Sequence[Practitioner],
        minutes: tuple[int, int],
        column_width: float,
        pixels_per_minute: float,
        has_column: Callable[[date, Practitioner], bool] | None = None,
    ) -> Grid:
        """A column per day and practitioner (only where `has_column` says so, if given)."""
        pairs = [
            (day, practitioner)
            for day in days
            for practitioner in practitioners
            if has_column is None or has_column(day, practitioner)
        ]
        columns = tuple(Column(i, day, practitioner) for i, (day, practitioner) in enumerate(pairs))
        return cls(columns, minutes[0], minutes[1], column_width, pixels_per_minute)

    @property
    def width(self) -> float:
        return len(self.columns) * self.column_width

    @property
    def height(self) -> float:
        return self.y_of(self.last_minute)

    @property
    def days(self) -> list[tuple[date, int, int]]:
        """Each day with its first column index and how many columns it has."""
        spans: list[tuple[date, int, int]] = []
        for column in self.columns:
            if spans and spans[-1][0] == column.day:
                day, first, count = spans[-1]
                spans[-1] = (day, first, count + 1)
            else:
                spans.append((column.day, column.index, 1))
        return spans

    def x_of(self, index: int) -> float:
        return index * self.column_width

    def y_of(self, minute: float) -> float:
        return (minute - self.first_minute) * self.pixels_per_minute

    def minute_at(self, y: float) -> float:
        return self.first_minute + y / self.pixels_per_minute

    def column_at(self, x: float) -> Column | None:
        if x < 0 or not self.columns:
            return None
        index = int(x // self.column_width)
        return self.columns[index] if index < len(self.columns) else None

    def column_for(self, day: date, practitioner_id: uuid.UUID) -> Column | None:
        return self._lookup.get((day, practitioner_id))

    def with_size(self, column_width: float, pixels_per_minute: float) -> Grid:
        return Grid(
            self.columns, self.first_minute, self.last_minute, column_width, pixels_per_minute
        )
