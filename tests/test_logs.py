"""The log file: where it lives, that it rotates, and that patient data never reaches it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from desktop import __version__, logs
from desktop.domain.people import Patient

SAM = Patient(
    id=uuid.UUID("8d0f6f38-35a4-4c1b-9d55-4f7b0c1c0001"),
    number=17,
    first_name="Samira",
    last_name="Leontes",
    date_of_birth=date(1980, 1, 15),
    phone="0412 345 678",
    email="samira.leontes@example.com",
)
PATIENT_DATA = ["Samira", "Leontes", "0412 345 678", "0412345678", "samira.leontes@example.com"]


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging(tmp_path / "logs" / "frontdesk.log")
    yield path
    for handler in [h for h in root.handlers if isinstance(h, logs._FrontdeskFileHandler)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def written(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_the_log_lives_in_the_user_log_folder_and_rotates(tmp_path: Path) -> None:
    assert logs.default_log_file().is_relative_to(tmp_path / "home")  # XDG dirs of the test
    assert logs.default_log_file().name == "frontdesk.log"
    root = logging.getLogger()
    try:
        logs.setup_logging()
        logs.setup_logging()  # a second call replaces the handler instead of doubling lines
        ours = [h for h in root.handlers if isinstance(h, logs._FrontdeskFileHandler)]
        assert len(ours) == 1
        assert ours[0].maxBytes == logs.MAX_BYTES
        assert ours[0].backupCount == logs.BACKUP_COUNT
        assert logs.current_log_file() == logs.default_log_file()
    finally:
        for handler in [h for h in root.handlers if isinstance(h, logs._FrontdeskFileHandler)]:
            root.removeHandler(handler)
            handler.close()


def test_patient_data_never_reaches_the_file(log_file: Path) -> None:
    log = logging.getLogger("desktop.test")
    logs.protect_names(["Samira Leontes"])
    # Every careless way a developer might log a patient:
    log.info("Booked %s", SAM)
    log.info("Called %s on %s, email %s", SAM.full_name, SAM.phone, SAM.email)
    log.info(f"Patient {SAM.first_name} {SAM.last_name} rang from 0412345678")
    log.warning("Reminder to %(who)s failed", {"who": SAM})
    log.info("Born 15/01/1980; Medicare 2123 45670 1; fund no. 98765432")
    try:
        raise ValueError(f"cannot book samira  leontes ({SAM.email})")
    except ValueError:
        log.exception("Booking failed")
    text = written(log_file)
    for secret in [*PATIENT_DATA, "15/01/1980", "2123 45670 1", "98765432"]:
        assert secret.lower() not in text.lower(), secret
    # What support needs is still there: ids, what happened, and the traceback.
    assert f"<Patient {SAM.id}>" in text
    assert "Booking failed" in text
    assert "ValueError: cannot book [patient] ([email])" in text
    assert "[phone]" not in text  # digit runs are masked as numbers, whatever they are
    assert text.count("[number]") >= 4


def test_ids_times_and_versions_are_kept(log_file: Path) -> None:
    appointment = uuid.uuid4()
    logging.getLogger("desktop.test").info(
        "Moved %s to 2031-03-03T09:00:00+11:00 (took 12 ms, Qt 6.12.0, row 1234567)",
        appointment,
    )
    text = written(log_file)
    assert f"Moved {appointment} to 2031-03-03T09:00:00+11:00" in text
    assert "took 12 ms, Qt 6.12.0, row 1234567)" in text


def test_sqlalchemy_cannot_log_row_values(log_file: Path) -> None:
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING


def test_diagnostics_name_everything_support_needs_and_no_secrets(log_file: Path) -> None:
    logging.getLogger("desktop.test").info("Calendar opened for 2031-03-03")
    text = logs.diagnostics_text(
        "postgresql+psycopg://frontdesk:hunter2@db.clinic.local/frontdesk", qt_version="6.9.1"
    )
    assert f"Frontdesk {__version__} (from source)" in text
    assert "Qt: 6.9.1" in text
    assert (
        "Database: postgresql postgresql+psycopg://frontdesk:***@db.clinic.local/frontdesk" in text
    )
    assert "hunter2" not in text
    assert f"Log file: {log_file}" in text
    assert "Calendar opened for 2031-03-03" in text.split("--- last")[1]


def test_diagnostics_for_sqlite_and_without_a_log(tmp_path: Path) -> None:
    text = logs.diagnostics_text(
        f"sqlite:///{tmp_path / 'clinic.sqlite3'}", log_path=tmp_path / "missing.log"
    )
    assert f"Database: SQLite file {tmp_path / 'clinic.sqlite3'}" in text
    assert "(the log is empty)" in text
    assert logs.describe_database("not a url") == "an unreadable database URL (not shown)"
    assert logs.describe_database(None) == "not opened"
