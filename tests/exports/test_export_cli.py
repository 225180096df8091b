"""`frontdesk export …` as a receptionist would type it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import icalendar
from pypdf import PdfReader

from tests.test_cli import frontdesk, one_line_error


def demo(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    result = frontdesk("--database-url", url, "demo", "--patients", "40")
    assert result.returncode == 0, result.stderr
    return url


def export(url: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return frontdesk("--database-url", url, "export", *map(str, args))


def test_day_sheet_ics_and_csv_from_the_command_line(tmp_path: Path) -> None:
    url = demo(tmp_path)
    pdf = tmp_path / "sarah.pdf"
    result = export(url, "day-sheet", "--practitioner", "sarah", "--out", pdf)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote the day sheet for ")
    assert "(1 practitioner, " in result.stdout
    assert "Sarah Chen" in PdfReader(pdf).pages[0].extract_text()

    ics = tmp_path / "priya.ics"
    result = export(url, "ics", "--practitioner", "Priya Sharma", "--out", ics)
    assert result.returncode == 0, result.stderr
    events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert f"Wrote {len(events)} appointments of Priya Sharma" in result.stdout

    table = tmp_path / "old.csv"
    result = export(url, "csv", "--from", "2020-01-01", "--to", "2021-06-30", "--out", table)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote 0 rows (2020-01-01 to 2021-06-30)")
    assert table.read_text(encoding="utf-8-sig").startswith("Appointment ID,Date,Start")


def test_mistakes_are_one_line_and_write_nothing(tmp_path: Path) -> None:
    url = demo(tmp_path)
    out = tmp_path / "x.pdf"
    line = one_line_error(export(url, "day-sheet", "--date", "3/3/2031", "--out", out))
    assert "“3/3/2031” is not a date (use YYYY-MM-DD)" in line
    line = one_line_error(export(url, "ics", "--practitioner", "Zed", "--out", out))
    assert "No practitioner is called “Zed”" in line
    line = one_line_error(
        export(url, "csv", "--from", "2031-03-05", "--to", "2031-03-01", "--out", out)
    )
    assert "end date is before the start date" in line
    line = one_line_error(export(url, "day-sheet", "--out", tmp_path / "no" / "x.pdf"))
    assert line.startswith("frontdesk: error: cannot write ") and "No such file" in line
    assert not out.exists()
