"""The day sheet PDF, read back with pypdf: the right appointments, in clinic time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from pypdf import PdfReader

from desktop.domain.appointments import AppointmentKind, AppointmentStatus
from desktop.domain.clinic_time import local_to_utc
from desktop.domain.hours import WeeklyHours
from desktop.domain.people import Clinic, Practitioner
from desktop.services import booking, exports
from desktop.services.booking import BookingRequest
from desktop.services.day_sheet_pdf import render_day_sheet
from tests.exports.scenario import NOTE, book_export_day
from tests.helpers.clinic import ZONE

PRINTED = datetime(2031, 3, 2, 20, 5, tzinfo=UTC)  # 07:05 on the day, Sydney time


def page_texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_the_printed_time_is_the_contexts_clock(ctx, clinic) -> None:
    """Without `now`, the sheet is stamped by the desk's (or server's) clock."""
    booked = book_export_day(ctx, clinic)
    sheet = exports.day_sheet(replace(ctx, clock=lambda: PRINTED), booked.day)
    assert sheet.generated_at == PRINTED
    assert sheet.generated_at.strftime("%d/%m %H:%M") == "03/03 07:05"  # clinic time


def test_one_page_per_practitioner_with_the_days_appointments(ctx, clinic, tmp_path) -> None:
    booked = book_export_day(ctx, clinic)
    out = tmp_path / "day.pdf"
    sheet = exports.write_day_sheet(ctx, booked.day, out, now=PRINTED)
    assert [page.practitioner.name for page in sheet.pages] == ["Alice Physio", "Bob Pilates"]
    alice, bob = page_texts(out)

    assert "Alice Physio" in alice
    assert "Monday 3 March 2031" in alice
    assert "1 appointment · 1 cancelled · 09:00 to 09:30" in alice
    # Clinic-local times (09:00 in Sydney is 22:00 UTC the day before).
    assert "09:00–09:30 30 min Sam Lee (#1) Consult Booked" in alice
    assert NOTE in alice
    assert "10:00–10:30 30 min Jo Citizen (#3) Consult Cancelled Cancelled: Sick" in alice
    assert "Ana Lima" not in alice  # her appointment is tomorrow
    assert "Printed Mon 3 Mar 2031 at 07:05 AEDT" in alice
    assert "Alice Physio · Page 1 of 1" in alice

    assert "07:00–07:55 55 min Class · 2 of 3 places" in bob
    assert "Ana Lima (#4)" in bob
    assert "Sam Lee (#2)" in bob
    assert "Jo Citizen (#3) (cancelled)" in bob
    assert "Alice" not in bob
    assert "Rita Retired" not in " ".join([alice, bob])


def test_one_practitioner_only_even_on_a_free_day(ctx, clinic, tmp_path) -> None:
    booked = book_export_day(ctx, clinic)
    out = tmp_path / "bob.pdf"
    exports.write_day_sheet(ctx, booked.day, out, [clinic.bob.id], now=PRINTED)
    (bob,) = page_texts(out)
    assert "Bob Pilates" in bob and "Reformer" in bob

    free_day = date(2031, 3, 10)
    exports.write_day_sheet(ctx, free_day, out, [clinic.bob.id], now=PRINTED)
    (free,) = page_texts(out)
    assert "Bob Pilates" in free and "No appointments booked." in free


def test_a_day_nobody_works_still_prints_a_page(ctx, clinic, tmp_path) -> None:
    out = tmp_path / "empty.pdf"
    sheet = exports.write_day_sheet(ctx, date(2031, 3, 10), out, now=PRINTED)
    assert sheet.pages == ()
    (text,) = page_texts(out)
    assert "Nobody is booked on Monday 10 March 2031." in text


@pytest.mark.parametrize(
    ("day", "change"),
    [
        (date(2031, 4, 6), "Clocks go back one hour at 03:00 today (AEDT to AEST)"),
        (date(2031, 10, 5), "Clocks go forward one hour at 02:00 today (AEST to AEDT)"),
    ],
)
def test_dst_days_show_clock_times_and_say_the_clocks_change(
    ctx, clinic, tmp_path, day, change
) -> None:
    for hour, minute, patient in ((8, 0, clinic.patients[0]), (18, 30, clinic.patients[2])):
        starts = local_to_utc(day, time(hour, minute), ZONE)
        booking.book_appointment(
            ctx,
            BookingRequest(
                clinic.clinic.id, clinic.alice.id, clinic.consult.id, starts, patient.id
            ),
        )
    out = tmp_path / "dst.pdf"
    exports.write_day_sheet(ctx, day, out, now=PRINTED)
    (text,) = page_texts(out)
    assert change in text
    assert "08:00–08:30 30 min Sam Lee (#1)" in text
    assert "18:30–19:00 30 min Jo Citizen (#3)" in text
    assert exports.clock_change(date(2031, 4, 7), ZONE) is None


def test_a_failed_export_leaves_no_half_file(ctx, clinic, tmp_path) -> None:
    target = tmp_path / "missing-folder" / "day.pdf"
    with pytest.raises(OSError):
        exports.write_day_sheet(ctx, date(2031, 3, 3), target)
    assert not target.parent.exists()


def test_a_long_day_runs_over_pages_counted_per_practitioner(tmp_path) -> None:
    clinic = Clinic(uuid4(), "Long Day Clinic", "Australia/Sydney", WeeklyHours({}))
    start = datetime(2031, 3, 3, 7, 0, tzinfo=ZONE)

    def entry(index: int) -> exports.SheetEntry:
        begins = start + timedelta(minutes=20 * index)
        return exports.SheetEntry(
            uuid4(), begins, begins + timedelta(minutes=20), 20, "Consult", "#74b9ff",
            AppointmentKind.INDIVIDUAL, f"Patient Number{index} (#{index})",
            AppointmentStatus.BOOKED, "Notes\nover two lines", "", 1, (),
        )  # fmt: skip

    def practitioner(name: str) -> Practitioner:
        return Practitioner(uuid4(), name, "Physiotherapist", "#2e86de", True, WeeklyHours({}))

    sheet = exports.DaySheet(
        clinic,
        date(2031, 3, 3),
        (
            exports.PractitionerDay(practitioner("Busy Bee"), tuple(entry(i) for i in range(30))),
            exports.PractitionerDay(practitioner("Short Day"), (entry(0),)),
        ),
        start,
        None,
    )
    out = tmp_path / "long.pdf"
    out.write_bytes(render_day_sheet(sheet))
    texts = page_texts(out)
    assert len(texts) == 3
    assert "Busy Bee · Page 1 of 2" in texts[0] and "Busy Bee · Page 2 of 2" in texts[1]
    assert "TIME PATIENT APPOINTMENT STATUS NOTES" in texts[1]  # the header row repeats
    assert "Patient Number29 (#29)" in texts[1]
    assert "Short Day · Page 1 of 1" in texts[2]
