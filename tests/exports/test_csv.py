"""Appointments as CSV: the columns, one row per appointment or class place, safe cells."""

from __future__ import annotations

import csv
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from desktop.domain.money import Money
from desktop.services import exports
from tests.exports.scenario import NOTE, book_export_day


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 names
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def test_columns_and_one_row_per_appointment_or_class_place(ctx, clinic, tmp_path) -> None:
    booked = book_export_day(ctx, clinic)
    out = tmp_path / "appointments.csv"
    count = exports.write_appointments_csv(ctx, booked.day, booked.day, out)
    headings, rows = read_csv(out)
    assert headings == [column.heading for column in exports.APPOINTMENT_COLUMNS]
    assert count == len(rows) == 5  # consult, cancelled, three class places; not tomorrow's

    reformer = [row for row in rows if row["Appointment ID"] == str(booked.reformer.id)]
    assert [(r["Patient"], r["Status"], r["Cancellation reason"]) for r in reformer] == [
        ("Jo Citizen", "Cancelled", "Work commitment"),
        ("Sam Lee", "Booked", ""),
        ("Ana Lima", "Booked", ""),
    ]  # in the order of the class list: by last name
    assert {r["Kind"] for r in reformer} == {"Class"}
    assert {r["Fee"] for r in reformer} == {"45.00"}
    assert {r["Item number"] for r in reformer} == {"560"}

    consult = next(row for row in rows if row["Appointment ID"] == str(booked.consult.id))
    assert consult == {
        "Appointment ID": str(booked.consult.id),
        "Date": "2031-03-03",
        "Start": "09:00",
        "End": "09:30",
        "Minutes": "30",
        "Practitioner": "Alice Physio",
        "Appointment type": "Consult",
        "Item number": "505",
        "Kind": "Individual",
        "Patient number": "1",
        "Patient": "Sam Lee",
        "Status": "Booked",
        "Cancellation reason": "",
        "Fee": "90.00",
        "Currency": "AUD",
        "Notes": NOTE,
    }
    cancelled = next(row for row in rows if row["Appointment ID"] == str(booked.cancelled.id))
    assert (cancelled["Status"], cancelled["Cancellation reason"]) == ("Cancelled", "Sick")


def test_a_wider_range_includes_every_day_in_clinic_time(ctx, clinic, tmp_path) -> None:
    booked = book_export_day(ctx, clinic)
    out = tmp_path / "fortnight.csv"
    exports.write_appointments_csv(ctx, date(2031, 3, 1), date(2031, 3, 14), out)
    _, rows = read_csv(out)
    assert {row["Date"] for row in rows} == {"2031-03-03", "2031-03-04"}
    assert str(booked.tomorrow.id) in {row["Appointment ID"] for row in rows}


def test_text_a_spreadsheet_would_run_is_defused() -> None:
    assert exports.csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert exports.csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert exports.csv_cell("O'Brien") == "O'Brien"
    assert exports.csv_cell(Money(-1050)) == "-10.50"  # numbers are not text: left alone
    assert exports.csv_cell(-3) == "-3"
    assert exports.csv_cell(None) == ""
    assert exports.csv_cell(date(2031, 3, 3)) == "2031-03-03"


def test_any_rows_can_be_written_so_payments_can_join_later(tmp_path) -> None:
    columns = (exports.CsvColumn("id", "Payment ID"), exports.CsvColumn("amount", "Amount"))
    payment = uuid.uuid4()
    rows = [{"id": payment, "amount": Money(9000)}, {"id": payment, "amount": Decimal("1.50")}]
    out = tmp_path / "payments.csv"
    assert exports.write_csv(out, columns, rows) == 2
    headings, read = read_csv(out)
    assert headings == ["Payment ID", "Amount"]
    assert [row["Amount"] for row in read] == ["90.00", "1.50"]
