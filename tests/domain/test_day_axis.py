"""The calendar's wall-clock axis, including the days the clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import day_axis
from desktop.domain.day_axis import ClockChange, RulerMark
from desktop.domain.errors import InvalidInput
from desktop.domain.hours import TimeWindow, WeeklyHours

SYDNEY = ZoneInfo("Australia/Sydney")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # clocks move by half an hour
SPRING_FORWARD = date(2026, 10, 4)  # 2:00 AEST becomes 3:00 AEDT
FALL_BACK = date(2027, 4, 4)  # 3:00 AEDT becomes 2:00 AEST


def test_nine_oclock_is_at_the_same_height_on_a_dst_day() -> None:
    nine = datetime(2026, 10, 3, 22, 0, tzinfo=UTC)  # 9:00 AEDT on 4 Oct
    assert day_axis.wall_minute(nine, SPRING_FORWARD, SYDNEY) == 9 * 60
    assert day_axis.instant_at(SPRING_FORWARD, 9 * 60, SYDNEY) == nine


def test_the_skipped_hour_has_no_ruler_line() -> None:
    marks = day_axis.ruler_marks(SPRING_FORWARD, SYDNEY, 0, 6 * 60)
    assert [m.label for m in marks] == ["0:00", "1:00", "3:00", "4:00", "5:00", "6:00"]
    assert day_axis.clock_change(SPRING_FORWARD, SYDNEY) == ClockChange(120, 180, forward=True)


def test_the_repeated_hour_is_marked() -> None:
    marks = day_axis.ruler_marks(FALL_BACK, SYDNEY, 60, 4 * 60)
    assert marks == [
        RulerMark(60, "1:00"),
        RulerMark(120, "2:00", repeated=True),
        RulerMark(180, "3:00"),
        RulerMark(240, "4:00"),
    ]
    assert day_axis.clock_change(FALL_BACK, SYDNEY) == ClockChange(120, 180, forward=False)


def test_both_half_past_twos_on_the_fall_back_day_land_on_the_same_line() -> None:
    first = datetime(2027, 4, 3, 15, 30, tzinfo=UTC)  # 2:30 AEDT
    second = first + timedelta(hours=1)  # 2:30 AEST
    assert day_axis.wall_minute(first, FALL_BACK, SYDNEY) == 150
    assert day_axis.wall_minute(second, FALL_BACK, SYDNEY) == 150


def test_half_hour_dst_zones() -> None:
    change = day_axis.clock_change(date(2026, 10, 4), LORD_HOWE)
    assert change == ClockChange(120, 150, forward=True)


def test_an_ordinary_day_has_no_clock_change() -> None:
    assert day_axis.clock_change(date(2026, 7, 1), SYDNEY) is None


def test_dropping_into_the_skipped_hour_is_refused_readably() -> None:
    with pytest.raises(InvalidInput, match="02:30 does not exist"):
        day_axis.instant_at(SPRING_FORWARD, 150, SYDNEY)


def test_midnight_at_the_end_of_the_day() -> None:
    assert day_axis.instant_at(date(2026, 7, 1), 1440, SYDNEY) == datetime(
        2026, 7, 1, 14, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("minute", "step", "snapped"),
    [(0, 15, 0), (7, 15, 0), (7.5, 15, 15), (8, 15, 15), (542, 5, 540), (543, 5, 545)],
)
def test_snapping(minute: float, step: int, snapped: int) -> None:
    assert day_axis.snap(minute, step) == snapped


@given(st.floats(0, 1440), st.sampled_from([5, 15]))
def test_snapping_lands_on_the_grid_within_half_a_step(minute: float, step: int) -> None:
    snapped = day_axis.snap(minute, step)
    assert snapped % step == 0
    assert abs(snapped - minute) <= step / 2


def test_visible_hours_follow_the_clinic_and_stretch_for_outliers() -> None:
    hours = WeeklyHours(
        {0: (TimeWindow(time(7, 30), time(19)),), 5: (TimeWindow(time(8), time(13)),)}
    )
    monday, saturday = date(2026, 3, 2), date(2026, 3, 7)
    assert day_axis.visible_minutes(hours, [monday]) == (7 * 60, 19 * 60)
    assert day_axis.visible_minutes(hours, [saturday]) == (8 * 60, 13 * 60)
    assert day_axis.visible_minutes(hours, [saturday], [(6 * 60 + 10, 6 * 60 + 40)]) == (
        6 * 60,
        13 * 60,
    )
    assert day_axis.visible_minutes(WeeklyHours(), [monday]) == (8 * 60, 18 * 60)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)))
def test_every_instant_maps_back_to_itself_unless_its_wall_time_repeats(
    naive: datetime,
) -> None:
    instant = naive.replace(second=0, microsecond=0, tzinfo=UTC)
    local = instant.astimezone(SYDNEY)
    minute = day_axis.wall_minute(instant, local.date(), SYDNEY)
    back = day_axis.instant_at(local.date(), int(minute), SYDNEY)
    assert back == instant or local.fold == 1 or _repeats(local)


def _repeats(local: datetime) -> bool:
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()
