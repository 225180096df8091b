"""Appointments to rectangles: which column, which lanes, how tall.

The side-by-side placement itself is the pure `desktop.domain.side_by_side`;
this module feeds it one column at a time and scales lanes to pixels.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

from desktop.domain import day_axis
from desktop.domain.appointments import Appointment
from desktop.domain.side_by_side import Span, place_side_by_side
from desktop.ui.calendar.grid import Column, Grid
from desktop.ui.calendar.wall_clock import local_day, wall_minute

GAP = 2.0  # px between neighbouring blocks and the column's edges
MIN_HEIGHT = 14.0  # a 5-minute block must still be hittable with the mouse


class BlockRect(NamedTuple):  # a week makes thousands: a tuple is the cheapest to build
    x: float
    y: float
    width: float
    height: float


def column_of(grid: Grid, appointment: Appointment, zone: ZoneInfo) -> Column | None:
    return grid.column_for(local_day(appointment.starts_at, zone), appointment.practitioner_id)


def minutes_of(appointment: Appointment, column: Column, zone: ZoneInfo) -> tuple[float, float]:
    """Wall-clock start and end on the column's day (an overnight block stops at midnight)."""
    start = wall_minute(appointment.starts_at, column.day, zone)
    end = wall_minute(appointment.ends_at, column.day, zone)
    return start, min(end, day_axis.MINUTES_PER_DAY)


def place_column(
    grid: Grid, column: Column, appointments: Sequence[Appointment], zone: ZoneInfo
) -> list[BlockRect]:
    """Each appointment's rectangle, in the order given."""
    # Keyed by the id's integer: hashed in C (a UUID hashes in Python), ties still by id.
    spans = [Span(a.id.int, *minutes_of(a, column, zone)) for a in appointments]
    placements = place_side_by_side(spans)
    left = grid.x_of(column.index) + GAP
    usable = grid.column_width - GAP
    first, last = grid.first_minute, grid.last_minute
    rects = []
    for span in spans:
        placed = placements[span.key]
        top = grid.y_of(max(span.start, first))
        bottom = grid.y_of(min(span.end, last))
        rects.append(
            BlockRect(
                left + placed.left * usable,
                top + 1,
                max(placed.share * usable - GAP, 4.0),
                max(bottom - top - 2, MIN_HEIGHT),
            )
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
        placed = place_column(grid, grid.columns[index], members, zone)
        rects.update(zip((a.id for a in members), placed, strict=True))
    return rects
