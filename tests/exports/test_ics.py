"""A practitioner's .ics: parsed and round-tripped by `icalendar`, stable UIDs, no health data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from desktop.domain.errors import InvalidInput, NotFound
from desktop.services import booking, exports
from tests.exports.scenario import NOTE, book_export_day

NOW = datetime(2031, 3, 1, 0, 0, tzinfo=UTC)


def events_by_uid(path) -> dict[str, icalendar.Event]:  # type: ignore[no-untyped-def]
    parsed = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


def test_the_ics_parses_round_trips_and_names_appointments_by_id(ctx, clinic, tmp_path) -> None:
    booked = book_export_day(ctx, clinic)
    out = tmp_path / "alice.ics"
    count = exports.write_practitioner_ics(
        ctx, clinic.alice.id, booked.day, booked.day + timedelta(days=1), out, NOW
    )
    assert count == 3
    raw = out.read_bytes()
    parsed = icalendar.Calendar.from_ical(raw)
    assert parsed.to_ical() == raw  # icalendar reads back exactly what we wrote
    assert str(parsed["VERSION"]) == "2.0"
    assert "Alice Physio" in str(parsed["X-WR-CALNAME"])

    events = events_by_uid(out)
    expected = [booked.consult, booked.cancelled, booked.tomorrow]
    assert set(events) == {str(a.id) for a in expected}
    consult = events[str(booked.consult.id)]
    assert consult.decoded("DTSTART") == booked.consult.starts_at
    assert consult.decoded("DTSTART").utcoffset() == timedelta(0)  # stored as UTC ("Z")
    assert consult.decoded("DTEND") == booked.consult.ends_at
    assert str(consult["SUMMARY"]) == "Consult — Sam L."
    assert str(consult["STATUS"]) == "CONFIRMED"
    assert consult["SEQUENCE"] == booked.consult.version
    assert "Test Clinic" in str(consult["LOCATION"])

    cancelled = events[str(booked.cancelled.id)]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["TRANSP"]) == "TRANSPARENT"


def test_nothing_beyond_first_name_and_initial_leaves_the_clinic(ctx, clinic, tmp_path) -> None:
    book_export_day(ctx, clinic)
    out = tmp_path / "all.ics"
    for practitioner in (clinic.alice, clinic.bob):
        exports.write_practitioner_ics(
            ctx, practitioner.id, date(2031, 3, 1), date(2031, 3, 31), out, NOW
        )
        text = icalendar.Calendar.from_ical(out.read_bytes()).to_ical().decode()
        unfolded = text.replace("\r\n ", "")
        for secret in ("Lee", "Citizen", "Lima", "0412 345 678", "1980", NOTE[:20]):
            assert secret not in unfolded
    reformer = next(iter(events_by_uid(out).values()))
    assert str(reformer["SUMMARY"]) == "Reformer (2/3)"
    assert "Attendees: Sam L., Ana L." in str(reformer["DESCRIPTION"])


def test_exporting_again_after_a_move_updates_the_same_event(ctx, clinic, tmp_path) -> None:
    booked = book_export_day(ctx, clinic)
    out = tmp_path / "alice.ics"
    exports.write_practitioner_ics(ctx, clinic.alice.id, booked.day, booked.day, out, NOW)
    before = events_by_uid(out)[str(booked.consult.id)]
    moved = booking.move_appointment(
        ctx,
        booked.consult.id,
        practitioner_id=clinic.alice.id,
        starts_at=booked.consult.starts_at + timedelta(hours=3),
        ends_at=booked.consult.ends_at + timedelta(hours=3),
    ).appointment
    exports.write_practitioner_ics(ctx, clinic.alice.id, booked.day, booked.day, out, NOW)
    after = events_by_uid(out)[str(booked.consult.id)]
    assert after.decoded("DTSTART") == moved.starts_at
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_practitioners_are_found_by_name_as_typed(ctx, clinic) -> None:
    assert exports.find_practitioner(ctx, "alice physio").id == clinic.alice.id
    assert exports.find_practitioner(ctx, "  Bob ").id == clinic.bob.id
    assert (
        exports.find_practitioner(ctx, "Rita").id == clinic.retired.id
    )  # history stays exportable
    with pytest.raises(InvalidInput, match="matches several practitioners"):
        exports.find_practitioner(ctx, "i")
    with pytest.raises(NotFound, match=r"No practitioner is called “Zed”\. Practitioners: Alice"):
        exports.find_practitioner(ctx, "Zed")


def test_a_backwards_range_is_refused(ctx, clinic, tmp_path) -> None:
    with pytest.raises(InvalidInput, match="end date is before the start date"):
        exports.write_practitioner_ics(
            ctx, clinic.alice.id, date(2031, 3, 5), date(2031, 3, 1), tmp_path / "x.ics"
        )
