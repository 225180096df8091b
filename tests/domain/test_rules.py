from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import rules
from desktop.domain.errors import (
    ClassFull,
    DoubleBooking,
    InvalidInput,
    OutsideAvailability,
    PractitionerInactive,
)
from desktop.domain.hours import TimeWindow, WeeklyHours
from desktop.domain.rules import BusyBlock

SYDNEY = ZoneInfo("Australia/Sydney")
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # Monday 11:00 in Sydney (AEDT)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_inactive_practitioner_is_refused_by_name() -> None:
    with pytest.raises(PractitionerInactive, match="Rita Retired is inactive"):
        rules.ensure_bookable("Rita Retired", active=False)
    rules.ensure_bookable("Alice", active=True)


@pytest.mark.parametrize(
    ("start", "end", "clashes"),
    [
        (0, 30, True),  # same slot
        (15, 45, True),  # overlaps the end
        (-15, 15, True),  # overlaps the start
        (5, 10, True),  # inside
        (-30, 60, True),  # around
        (30, 60, False),  # starts exactly when the other ends
        (-30, 0, False),  # ends exactly when the other starts
    ],
)
def test_overlap_edges(start: int, end: int, clashes: bool) -> None:
    busy = [BusyBlock(at(0), at(30), "Consult with Sam Lee")]
    assert (rules.find_clash(at(start), at(end), busy) is not None) is clashes


def test_double_booking_message_names_practitioner_and_clash_in_clinic_time() -> None:
    busy = [BusyBlock(at(0), at(30), "Consult with Sam Lee")]
    with pytest.raises(
        DoubleBooking, match=r"Alice is already booked from 11:00 to 11:30 .*Sam Lee"
    ):
        rules.ensure_no_double_booking("Alice", at(10), at(20), busy, SYDNEY)


@given(
    a=st.integers(-500, 500),
    la=st.integers(1, 300),
    b=st.integers(-500, 500),
    lb=st.integers(1, 300),
)
def test_overlap_is_symmetric_and_matches_arithmetic(a: int, la: int, b: int, lb: int) -> None:
    forward = rules.overlaps(at(a), at(a + la), at(b), at(b + lb))
    assert forward == rules.overlaps(at(b), at(b + lb), at(a), at(a + la))
    assert forward == (max(a, b) < min(a + la, b + lb))


def test_time_range_must_end_after_start_and_be_sane() -> None:
    with pytest.raises(InvalidInput, match="end after it starts"):
        rules.ensure_time_range(at(30), at(30))
    with pytest.raises(InvalidInput, match="12 hours"):
        rules.ensure_time_range(at(0), at(13 * 60))


def test_capacity() -> None:
    rules.ensure_capacity("Reformer", 8, 7)
    with pytest.raises(ClassFull, match="8 of 8"):
        rules.ensure_capacity("Reformer", 8, 8)


def test_availability_windows() -> None:
    hours = WeeklyHours({0: (TimeWindow(time(9), time(12)), TimeWindow(time(13), time(17)))})
    # Monday 11:00-11:30 local: inside the morning window.
    rules.ensure_within_availability("Alice", hours, at(0), at(30), SYDNEY)
    # 11:30-12:30 crosses lunch.
    with pytest.raises(OutsideAvailability, match="Alice is not working from 11:30 to 12:30"):
        rules.ensure_within_availability("Alice", hours, at(30), at(90), SYDNEY)
    # Tuesday is not a working day at all.
    with pytest.raises(OutsideAvailability):
        rules.ensure_within_availability("Alice", hours, at(24 * 60), at(24 * 60 + 30), SYDNEY)


def test_weekly_hours_json_round_trip() -> None:
    hours = WeeklyHours({0: (TimeWindow(time(9), time(12)),), 5: (TimeWindow(time(8), time(13)),)})
    assert WeeklyHours.from_json(hours.to_json()) == hours
    with pytest.raises(InvalidInput):
        WeeklyHours.from_json({"9": [["09:00", "10:00"]]})
    with pytest.raises(InvalidInput):
        TimeWindow(time(10), time(9))
