from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.appointments import AppointmentStatus
from desktop.domain.csv_import import (
    ImportKind,
    check_header,
    decode,
    guess_mapping,
    mapped_by_hand,
    parse_day,
    parse_instant,
    parse_map_option,
    parse_status,
    parse_wall_time,
    read_table,
    split_full_name,
    status_of,
)
from desktop.domain.errors import InvalidInput

SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("First Name", "first_name"),
        ("first_name", "first_name"),
        ("  GIVEN   name ", "first_name"),
        ("DOB", "date_of_birth"),
        ("Date of Birth", "date_of_birth"),
        ("Phone (mobile)", "mobile"),
        ("Medicare", "health_fund_number"),
        ("Health fund member number", "health_fund_number"),
        ("E-mail", "email"),
        ("Favourite colour", None),
    ],
)
def test_patient_columns_are_recognised_loosely(header: str, field: str | None) -> None:
    assert guess_mapping(ImportKind.PATIENTS, ["Patient ID", header]).fields[1] == field


def test_a_field_claimed_twice_goes_to_the_first_column() -> None:
    mapping = guess_mapping(ImportKind.PATIENTS, ["Mobile", "Phone (mobile)"])
    assert mapping.fields == ("mobile", None)


def test_manual_choices_map_and_unmap_columns() -> None:
    mapping = guess_mapping(ImportKind.PATIENTS, ["First", "Surname", "Notes"])
    mapping = mapped_by_hand(mapping, {"first": "first_name", "NOTES": ""})
    assert mapping.fields == ("first_name", "last_name", None)
    with pytest.raises(InvalidInput, match="no column “Shoe size”"):
        mapped_by_hand(mapping, {"Shoe size": "notes"})
    with pytest.raises(InvalidInput, match="“shoe_size” is not something"):
        mapped_by_hand(mapping, {"First": "shoe_size"})
    assert parse_map_option("Given = first_name") == ("Given", "first_name")
    with pytest.raises(InvalidInput, match="not a mapping"):
        parse_map_option("first_name")


def test_a_file_without_a_header_row_is_refused() -> None:
    table = read_table("Sam,Lee,15/01/1980\r\nJo,Citizen,15/01/1982\r\n")
    with pytest.raises(InvalidInput, match="needs a header row"):
        check_header(guess_mapping(ImportKind.PATIENTS, table.headers), [["first_name"]])
    with pytest.raises(InvalidInput, match="file is empty"):
        read_table("\r\n\r\n")


def test_rows_skip_blank_lines_and_keep_their_line_numbers() -> None:
    text = decode('\ufeffName,Note\r\n\r\n"Lee, Sam","line one\nline two"\r\nJo,x\r\n'.encode())
    table = read_table(text.text)
    assert table.headers == ("Name", "Note")
    assert [(row.number, row.cells) for row in table.rows] == [
        (3, ("Lee, Sam", "line one\nline two")),
        (5, ("Jo", "x")),
    ]
    assert text.note == ""


def test_windows_1252_is_read_with_a_note() -> None:
    decoded = decode("First name\r\nZoë\r\n".encode("cp1252"))
    assert "Zoë" in decoded.text
    assert "Windows-1252" in decoded.note


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31/12/1980", date(1980, 12, 31)),
        ("1980-12-31", date(1980, 12, 31)),
        ("1/2/1990", date(1990, 2, 1)),
    ],
)
def test_dates_day_first_or_iso(text: str, day: date) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/12/80", "two-digit year"),
        ("12/31/1980", "day first"),
        ("31/02/1980", "not a date that exists"),
        ("yesterday", "not a date"),
    ],
)
def test_ambiguous_or_impossible_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_day(text)


def test_instants_in_the_clinic_zone_or_with_their_offset() -> None:
    expected = datetime(2031, 3, 2, 22, 30, tzinfo=UTC)  # 09:30 in Sydney (AEDT, +11)
    assert parse_instant("03/03/2031 9:30", SYDNEY) == expected
    assert parse_instant("2031-03-03 09:30:00", SYDNEY) == expected
    assert parse_instant("2031-03-03T09:30:00+11:00", SYDNEY) == expected
    assert parse_instant("9:30 am", SYDNEY, date(2031, 3, 3)) == expected
    assert parse_wall_time("2:05 PM") == time(14, 5)
    with pytest.raises(InvalidInput, match="without a date"):
        parse_instant("09:30", SYDNEY)
    with pytest.raises(InvalidInput, match="does not exist"):
        parse_instant("05/10/2031 02:30", SYDNEY)  # the clocks go forward


def test_statuses_and_names() -> None:
    assert parse_status("Did not arrive") is AppointmentStatus.NO_SHOW
    assert parse_status("Checked-in") is AppointmentStatus.ARRIVED
    assert parse_status("") is AppointmentStatus.BOOKED
    with pytest.raises(InvalidInput, match="not a status"):
        parse_status("Rescheduled?")
    assert split_full_name("Lee, Sam") == ("Sam", "Lee")
    assert split_full_name("Mary Jane O'Connor") == ("Mary Jane", "O'Connor")


def test_cliniko_style_flag_columns_overrule_the_status() -> None:
    mapping = guess_mapping(
        ImportKind.APPOINTMENTS, ["Appointment Start", "Cancelled At", "Did Not Arrive"]
    )
    assert mapping.fields == ("start", "cancelled", "did_not_arrive")
    assert status_of({"cancelled": "2031-03-01 10:00", "did_not_arrive": "false"}) is (
        AppointmentStatus.CANCELLED
    )
    assert status_of({"cancelled": "", "did_not_arrive": "Yes"}) is AppointmentStatus.NO_SHOW
    assert status_of({"did_not_arrive": "No", "status": "Arrived"}) is AppointmentStatus.ARRIVED
