"""Damaged files, full disks and far-off dates at the command line: one line, nothing lost."""

from __future__ import annotations

import resource
import signal
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.test_cli import frontdesk, one_line_error

PASSWORD = "a long enough password\n"


def _upgraded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert frontdesk("--database-url", url, "db", "upgrade").returncode == 0
    return url


def test_a_zero_length_database_file_is_refused_as_damaged(tmp_path: Path) -> None:
    empty = tmp_path / "clinic.sqlite3"
    empty.touch()
    line = one_line_error(frontdesk("--database-url", f"sqlite:///{empty}", "demo"))
    assert "empty (0 bytes)" in line
    assert "damaged" in line
    assert empty.stat().st_size == 0  # left untouched: no new clinic over it


@pytest.mark.parametrize(
    "command",
    [
        ["export", "day-sheet", "--date", "9999-12-31", "--out", "x.pdf"],
        ["export", "csv", "--from", "0001-01-01", "--to", "9999-12-31", "--out", "x.csv"],
        ["export", "ics", "--practitioner", "Sarah Chen", "--to", "9999-12-31", "--out", "x.ics"],
    ],
)
def test_exports_with_dates_at_the_ends_of_the_calendar_are_one_line(tmp_path, command) -> None:
    url = _upgraded(tmp_path)
    line = one_line_error(frontdesk("--database-url", url, *command))
    assert "outside the years appointments can be in (1990–2099)" in line


def test_export_csv_on_a_damaged_table_page_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert frontdesk("--database-url", url, "demo", "--patients", "20").returncode == 0
    path = tmp_path / "clinic.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'appointments'"
        ).fetchone()
    with path.open("r+b") as file:  # scribble over the appointments table's first page
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)
    out = tmp_path / "appointments.csv"
    today = date.today()
    result = frontdesk(
        "--database-url", url, "export", "csv", "--from", str(today - timedelta(days=30)),
        "--to", str(today + timedelta(days=30)), "--out", str(out),
    )  # fmt: skip
    line = one_line_error(result)
    assert "damaged" in line


def _full_disk() -> None:
    """In the child: no file may grow past 1 kB (as if the disk were full), quietly."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


def _frontdesk_on_a_full_disk(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    import os
    import sys

    return subprocess.run(
        [sys.executable, "-m", "desktop", "--database-url", url, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        preexec_fn=_full_disk,
        check=False,
    )


def test_user_add_on_a_full_disk_is_one_line_and_adds_nobody(tmp_path: Path) -> None:
    url = _upgraded(tmp_path)
    result = _frontdesk_on_a_full_disk(
        url, "user", "add", "--role", "receptionist", "--password-stdin", "kim", stdin=PASSWORD
    )
    one_line_error(result)
    listed = frontdesk("--database-url", url, "user", "list")
    assert listed.returncode == 0, listed.stderr
    assert "kim" not in listed.stdout


def test_demo_on_a_full_disk_is_one_line_and_loads_nothing(tmp_path: Path) -> None:
    url = _upgraded(tmp_path)
    one_line_error(_frontdesk_on_a_full_disk(url, "demo", "--patients", "20"))
    again = frontdesk("--database-url", url, "demo", "--patients", "20")
    assert again.returncode == 0, again.stderr
    assert "Loaded the demo clinic" in again.stdout  # nothing half-loaded before
