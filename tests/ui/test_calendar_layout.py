"""The calendar's coordinates and block rectangles (Qt-free parts of desktop.ui.calendar)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from desktop.domain.appointments import Appointment, AppointmentKind, AppointmentStatus
from desktop.domain.hours import WeeklyHours
from desktop.domain.people import Practitioner
from desktop.ui.calendar import blocks
from desktop.ui.calendar.grid import Grid
from desktop.ui.calendar.period import Period, ViewMode

ZONE = ZoneInfo("Australia/Sydney")
MONDAY = date(2031, 3, 3)


def person(name: str) -> Practitioner:
    return Practitioner(uuid.uuid4(), name, "Physio", "#123456", True, WeeklyHours())


def appointment(who: Practitioner, start: datetime, minutes: int) -> Appointment:
    return Appointment(
        uuid.uuid4(),
        uuid.uuid4(),
        who.id,
        uuid.uuid4(),
        "Consult",
        AppointmentKind.INDIVIDUAL,
        "#abcdef",
        start,
        start + timedelta(minutes=minutes),
        AppointmentStatus.BOOKED,
    )


def test_periods_step_by_day_or_week() -> None:
    day = Period(ViewMode.DAY, date(2031, 3, 5))
    assert day.stepped(1).anchor == date(2031, 3, 6)
    week = day.with_mode(ViewMode.WEEK)
    assert week.first == MONDAY and week.dates[-1] == date(2031, 3, 9)
    assert week.stepped(-1).first == date(2031, 2, 24)
    assert week.title == "3 – 9 March 2031"
    assert Period(ViewMode.WEEK, date(2031, 3, 31)).title == "31 Mar – 6 Apr 2031"
    assert day.title == "Wednesday 5 March 2031"


def test_grid_maps_columns_and_minutes_both_ways() -> None:
    alice, bob = person("Alice"), person("Bob")
    grid = Grid.build([MONDAY, MONDAY + timedelta(days=1)], [alice, bob], (420, 1140), 100, 1.5)
    assert [c.index for c in grid.columns] == [0, 1, 2, 3]
    assert grid.column_for(MONDAY + timedelta(days=1), bob.id).index == 3
    assert grid.column_at(250).practitioner == alice
    assert grid.column_at(-1) is None and grid.column_at(400) is None
    assert grid.y_of(480) == 90 and grid.minute_at(90) == 480
    assert grid.days == [(MONDAY, 0, 2), (MONDAY + timedelta(days=1), 2, 2)]
    assert grid.height == (1140 - 420) * 1.5


def test_overlapping_blocks_share_their_column() -> None:
    alice = person("Alice")
    grid = Grid.build([MONDAY], [alice], (420, 1140), 200, 1.0)
    nine = datetime(2031, 3, 2, 22, 0, tzinfo=UTC)  # 9:00 AEDT
    first = appointment(alice, nine, 60)
    second = appointment(alice, nine + timedelta(minutes=30), 60)
    alone = appointment(alice, nine + timedelta(hours=3), 30)
    rects = blocks.place_all(grid, [first, second, alone], ZONE)
    assert rects[first.id].width == rects[second.id].width < 100
    assert rects[first.id].x < rects[second.id].x
    assert rects[alone.id].width > 190
    assert rects[first.id].y == grid.y_of(9 * 60) + 1


def test_blocks_at_identical_times_keep_their_sides_whatever_order_they_arrive_in() -> None:
    """The read returns same-time bookings in no set order: each keeps its side anyway
    (ties go by id), so a refresh never swaps two blocks."""
    alice = person("Alice")
    grid = Grid.build([MONDAY], [alice], (420, 1140), 300, 1.0)
    nine = datetime(2031, 3, 2, 22, 0, tzinfo=UTC)
    same = [appointment(alice, nine, 45) for _ in range(3)]
    column = grid.columns[0]
    placed = blocks.place_column(grid, column, same, ZONE)
    reversed_placed = blocks.place_column(grid, column, same[::-1], ZONE)
    assert dict(zip((a.id for a in same), placed, strict=True)) == dict(
        zip((a.id for a in same[::-1]), reversed_placed, strict=True)
    )
    assert len({rect.x for rect in placed}) == 3  # side by side, none hidden
