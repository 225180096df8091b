"""Appointments to rectangles: which column, which lanes, how tall.

The side-by-side placement itself is the pure `desktop.domain.side_by_side`;
this module feeds it one column at a time and scales lanes to pixels.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from desktop.domain import day_axis
from desktop.domain.appointments import Appointment
from desktop.domain.clinic_time import local_date
from desktop.domain.side_by_side import Span, place_side_by_side
from desktop.ui.calendar.grid import Column, Grid

GAP = 2.0  # px between neighbouring blocks and the column's edges
MIN_HEIGHT = 14.0  # a 5-minute block must still be hittable with the mouse


# A week's hundreds of blocks start and end on a few dozen distinct instants: each is
# converted to the clinic's wall clock once (the conversions were a third of placing).
_local_date = lru_cache(maxsize=4096)(local_date)
_wall_minute = lru_cache(maxsize=4096)(day_axis.wall_minute)


@dataclass(frozen=True, slots=True)
class BlockRect:
    x: float
    y: float
    width: float
    height: float


def column_of(grid: Grid, appointment: Appointment, zone: ZoneInfo) -> Column | None:
    return grid.column_for(_local_date(appointment.starts_at, zone), appointment.practitioner_id)


def minutes_of(appointment: Appointment, column: Column, zone: ZoneInfo) -> tuple[float, float]:
    """Wall-clock start and end on the column's day (an overnight block stops at midnight)."""
    start = _wall_minute(appointment.starts_at, column.day, zone)
    end = _wall_minute(appointment.ends_at, column.day, zone)
    return start, min(end, day_axis.MINUTES_PER_DAY)


def place_column(
    grid: Grid, column: Column, appointments: Iterable[Appointment], zone: ZoneInfo
) -> dict[uuid.UUID, BlockRect]:
    spans = [Span(a.id, *minutes_of(a, column, zone)) for a in appointments]
    placements = place_side_by_side(spans)
    left = grid.x_of(column.index)
    usable = grid.column_width - GAP
    rects = {}
    for span in spans:
        placed = placements[span.key]
        top = grid.y_of(max(span.start, grid.first_minute))
        bottom = grid.y_of(min(span.end, grid.last_minute))
        rects[span.key] = BlockRect(
            x=left + GAP / 2 + placed.left * usable + GAP / 2,
            y=top + 1,
            width=max(placed.share * usable - GAP, 4.0),
            height=max(bottom - top - 2, MIN_HEIGHT),
        )
    return rects


def group_by_column(
    grid: Grid, appointments: Iterable[Appointment], zone: ZoneInfo
) -> dict[int, list[Appointment]]:
    grouped: dict[int, list[Appointment]] = {}
    for appointment in appointments:
        column = column_of(grid, appointment, zone)
        if column is not None:
            grouped.setdefault(column.index, []).append(appointment)
    return grouped


def place_all(
    grid: Grid, appointments: Iterable[Appointment], zone: ZoneInfo
) -> dict[uuid.UUID, BlockRect]:
    rects: dict[uuid.UUID, BlockRect] = {}
    for index, members in group_by_column(grid, appointments, zone).items():
        rects.update(place_column(grid, grid.columns[index], members, zone))
    return rects
