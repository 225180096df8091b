from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.clinic_time import (
    clinic_zone,
    day_bounds,
    local_to_utc,
    minutes_into_day,
    require_utc,
    to_local,
)
from desktop.domain.errors import InvalidInput

SYDNEY = ZoneInfo("Australia/Sydney")
DST_STARTS = date(2026, 10, 4)  # 02:00 AEST -> 03:00 AEDT
DST_ENDS = date(2026, 4, 5)  # 03:00 AEDT -> 02:00 AEST


def test_dst_days_are_23_and_25_hours_long() -> None:
    start, end = day_bounds(DST_STARTS, SYDNEY)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(DST_ENDS, SYDNEY)
    assert end - start == timedelta(hours=25)
    start, end = day_bounds(date(2026, 6, 1), SYDNEY)
    assert end - start == timedelta(hours=24)


def test_a_skipped_wall_time_is_refused() -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        local_to_utc(DST_STARTS, time(2, 30), SYDNEY)


def test_a_repeated_wall_time_means_the_first_occurrence() -> None:
    instant = local_to_utc(DST_ENDS, time(2, 30), SYDNEY)
    assert instant == datetime(2026, 4, 4, 15, 30, tzinfo=UTC)  # still AEDT (+11)


def test_wall_times_after_the_change_use_the_new_offset() -> None:
    nine = local_to_utc(DST_STARTS, time(9), SYDNEY)
    assert nine == datetime(2026, 10, 3, 22, 0, tzinfo=UTC)  # AEDT (+11)
    assert to_local(nine, SYDNEY).hour == 9
    # Nine o'clock is only eight real hours after midnight that day.
    assert minutes_into_day(nine, DST_STARTS, SYDNEY) == 8 * 60


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInput):
        require_utc(datetime(2026, 1, 1, 9))


def test_unknown_zone_is_a_readable_error() -> None:
    with pytest.raises(InvalidInput, match="not a time zone"):
        clinic_zone("Mars/Olympus_Mons")
