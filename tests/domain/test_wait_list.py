"""Which wait-list entries fit an open slot, and in what order they are offered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.errors import InvalidInput
from desktop.domain.wait_list import (
    NAMED_RANGES,
    OpenSlot,
    TimeRange,
    WaitListEntry,
    WaitWishes,
    best_first,
    describe_wishes,
    fits,
)

ZONE = ZoneInfo("Australia/Sydney")
ALICE, BOB = uuid.uuid4(), uuid.uuid4()
CONSULT, REFORMER = uuid.uuid4(), uuid.uuid4()


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2031: the 3rd is a Monday."""
    return datetime(2031, 3, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


ANY = WaitWishes()


def entry(wishes: WaitWishes = ANY, **kw: object) -> WaitListEntry:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "patient_id": uuid.uuid4(),
        "patient_name": "Sam Lee",
        "wishes": wishes,
        "urgent": False,
        "note": "",
        "created_at": datetime(2031, 1, 1, tzinfo=UTC),
    }
    values.update(kw)
    return WaitListEntry(**values)  # type: ignore[arg-type]


def slot(day: int = 3, hour: int = 9, minutes: int = 30, who: uuid.UUID = ALICE) -> OpenSlot:
    start = local(day, hour)
    return OpenSlot(who, start, start + timedelta(minutes=minutes), CONSULT)


def test_an_entry_with_no_wishes_fits_any_slot() -> None:
    assert fits(entry(), slot(), ZONE)


def test_practitioners_types_days_and_times_narrow_what_fits() -> None:
    wishes = WaitWishes(
        practitioner_ids=frozenset({BOB}),
        type_ids=frozenset({CONSULT}),
        weekdays=frozenset({0, 2}),  # Monday, Wednesday
        time_ranges=(NAMED_RANGES["Mornings"],),
    )
    waiting = entry(wishes)
    assert fits(waiting, slot(who=BOB), ZONE)
    assert not fits(waiting, slot(who=ALICE), ZONE)
    assert not fits(waiting, slot(day=4, who=BOB), ZONE)  # Tuesday
    assert fits(waiting, slot(day=5, who=BOB), ZONE)  # Wednesday
    assert not fits(waiting, slot(hour=14, who=BOB), ZONE)  # afternoon
    assert not fits(waiting, slot(hour=11, minutes=90, who=BOB), ZONE)  # runs past noon
    other_type = OpenSlot(BOB, local(3, 9), local(3, 10), REFORMER)
    assert not fits(waiting, other_type, ZONE)


def test_times_are_the_clinics_wall_time() -> None:
    evenings = entry(WaitWishes(time_ranges=(TimeRange(time(17), time(20)),)))
    assert fits(evenings, slot(hour=18), ZONE)  # 07:00 UTC, 18:00 in Sydney
    assert not fits(evenings, slot(hour=8), ZONE)


def test_an_entry_with_an_appointment_fits_only_earlier_slots_and_leaves_when_it_begins() -> None:
    has = local(10, 9)
    waiting = entry(appointment_id=uuid.uuid4(), appointment_starts_at=has)
    assert fits(waiting, slot(day=4), ZONE)
    assert not fits(waiting, slot(day=10), ZONE)
    assert not fits(waiting, slot(day=11), ZONE)
    midnight = local(10, 0)  # the start of that day in the clinic
    assert waiting.is_current(midnight - timedelta(minutes=1), ZONE)
    assert not waiting.is_current(midnight, ZONE)  # on that day they leave the list


def test_urgent_first_then_who_waited_longest() -> None:
    old = entry(created_at=datetime(2030, 1, 1, tzinfo=UTC), patient_name="old")
    new = entry(created_at=datetime(2031, 1, 1, tzinfo=UTC), patient_name="new")
    urgent = entry(created_at=datetime(2031, 2, 1, tzinfo=UTC), urgent=True, patient_name="urgent")
    assert [e.patient_name for e in best_first([new, urgent, old])] == ["urgent", "old", "new"]


def test_wishes_round_trip_and_bad_stored_wishes_are_refused() -> None:
    wishes = WaitWishes(
        frozenset({ALICE}),
        frozenset({CONSULT}),
        frozenset({4}),
        (TimeRange(time(8), time(10, 30)),),
    )
    assert WaitWishes.from_json(wishes.to_json()) == wishes
    with pytest.raises(InvalidInput):
        WaitWishes.from_json({"weekdays": [9]})
    with pytest.raises(InvalidInput):
        WaitWishes.from_json({"time_ranges": [["10:00", "09:00"]]})
    with pytest.raises(InvalidInput):
        WaitWishes.from_json({"practitioner_ids": ["not an id"]})


def test_wishes_described_in_words() -> None:
    wishes = WaitWishes(
        frozenset({ALICE}), frozenset(), frozenset({0, 2}), (NAMED_RANGES["Mornings"],)
    )
    text = describe_wishes(wishes, {ALICE: "Alice Physio"}, {})
    assert text == "Alice Physio · any type · Mon, Wed · Mornings"
    assert (
        describe_wishes(WaitWishes(), {}, {}) == "any practitioner · any type · any day · any time"
    )
