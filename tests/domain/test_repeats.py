from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.clinic_time import to_local
from desktop.domain.errors import InvalidInput
from desktop.domain.repeats import Frequency, RepeatRule, occurrences

SYDNEY = ZoneInfo("Australia/Sydney")
MELBOURNE = ZoneInfo("Australia/Melbourne")
HOUR = timedelta(hours=1)


def test_weekly_keeps_the_wall_time_across_the_clocks_going_forward() -> None:
    # Sydney's clocks go forward on Sunday 4 Oct 2026: 9:00 stays 9:00, the UTC hour moves.
    rule = RepeatRule(Frequency.WEEKLY, count=3)
    found = occurrences(rule, date(2026, 9, 28), time(9), HOUR, SYDNEY)
    assert [o.day for o in found] == [date(2026, 9, 28), date(2026, 10, 5), date(2026, 10, 12)]
    assert all(o.bookable for o in found)
    assert [to_local(o.starts_at, SYDNEY).hour for o in found if o.starts_at] == [9, 9, 9]
    assert found[0].starts_at == datetime(2026, 9, 27, 23, tzinfo=UTC)  # AEST +10
    assert found[1].starts_at == datetime(2026, 10, 4, 22, tzinfo=UTC)  # AEDT +11
    assert found[1].ends_at == found[1].starts_at + HOUR


def test_a_skipped_time_is_listed_as_not_bookable() -> None:
    # 2:30 does not exist in Melbourne on Sunday 4 Oct 2026.
    rule = RepeatRule(Frequency.WEEKLY, count=3)
    found = occurrences(rule, date(2026, 9, 27), time(2, 30), HOUR, MELBOURNE)
    assert [o.bookable for o in found] == [True, False, True]
    skipped = found[1]
    assert skipped.day == date(2026, 10, 4)
    assert skipped.starts_at is None
    assert "clocks go forward" in skipped.problem


def test_a_repeated_time_is_the_first_of_the_two() -> None:
    # 2:30 happens twice in Sydney on Sunday 5 Apr 2026: the first is still AEDT (+11).
    rule = RepeatRule(Frequency.DAILY, count=2)
    found = occurrences(rule, date(2026, 4, 4), time(2, 30), HOUR, SYDNEY)
    assert found[1].starts_at == datetime(2026, 4, 4, 15, 30, tzinfo=UTC)
    assert all(o.bookable for o in found)


def test_every_n_weeks_until_a_date_includes_that_date() -> None:
    rule = RepeatRule(Frequency.WEEKLY, interval=2, until=date(2027, 2, 15))
    found = occurrences(rule, date(2027, 1, 4), time(10), HOUR, SYDNEY)
    assert [o.day for o in found] == [
        date(2027, 1, 4),
        date(2027, 1, 18),
        date(2027, 2, 1),
        date(2027, 2, 15),
    ]


def test_monthly_keeps_the_weekday_of_the_month() -> None:
    # Tue 12 Jan 2027 is the 2nd Tuesday.
    rule = RepeatRule(Frequency.MONTHLY, count=4)
    found = occurrences(rule, date(2027, 1, 12), time(10), HOUR, SYDNEY)
    assert [o.day for o in found] == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
    ]
    assert rule.describe(date(2027, 1, 12)) == "Monthly on the 2nd Tuesday, 4 times"


def test_a_month_without_a_fifth_weekday_is_listed_and_counted() -> None:
    # Fri 29 Jan 2027 is the 5th Friday; February 2027 has four Fridays, April has five.
    rule = RepeatRule(Frequency.MONTHLY, count=4)
    found = occurrences(rule, date(2027, 1, 29), time(10), HOUR, SYDNEY)
    assert [o.bookable for o in found] == [True, False, False, True]
    assert found[1].problem == "February 2027 has no 5th Friday"
    assert found[3].day == date(2027, 4, 30)
    assert [o.number for o in found] == [1, 2, 3, 4]


def test_rules_that_make_no_sense_are_refused() -> None:
    with pytest.raises(InvalidInput, match="how the repeat ends"):
        RepeatRule(Frequency.WEEKLY)
    with pytest.raises(InvalidInput, match="how the repeat ends"):
        RepeatRule(Frequency.WEEKLY, count=3, until=date(2027, 1, 1))
    with pytest.raises(InvalidInput, match="2 to 200"):
        RepeatRule(Frequency.DAILY, count=1)
    with pytest.raises(InvalidInput, match="Repeat every 1 to 52 weeks"):
        RepeatRule(Frequency.WEEKLY, interval=0, count=3)
    with pytest.raises(InvalidInput, match="end after the first"):
        occurrences(
            RepeatRule(Frequency.DAILY, until=date(2027, 1, 1)),
            date(2027, 1, 1),
            time(9),
            HOUR,
            SYDNEY,
        )
    with pytest.raises(InvalidInput, match="more than 200"):
        occurrences(
            RepeatRule(Frequency.DAILY, until=date(2030, 1, 1)),
            date(2027, 1, 1),
            time(9),
            HOUR,
            SYDNEY,
        )


def test_the_end_of_the_calendar_stops_the_list_rather_than_overflowing() -> None:
    rule = RepeatRule(Frequency.WEEKLY, count=5)
    found = occurrences(rule, date(9999, 12, 10), time(9), HOUR, ZoneInfo("UTC"))
    assert [o.day for o in found] == [
        date(9999, 12, 10),
        date(9999, 12, 17),
        date(9999, 12, 24),
        date(9999, 12, 31),
    ]
