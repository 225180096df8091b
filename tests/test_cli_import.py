"""`frontdesk import …` as an administrator runs it: the real command, real files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.helpers import templates
from tests.helpers.import_files import PATIENTS_CSV, write_csv
from tests.test_cli import frontdesk, one_line_error

BAD_ROW = "Ava,Brown,31/02/1990,,,,,,,,,P-4\r\n"


def patient_names(db: Path) -> list[str]:
    with sqlite3.connect(db) as raw:
        rows = raw.execute("SELECT first_name || ' ' || last_name FROM patients ORDER BY number")
        return [name for (name,) in rows]


def test_import_patients_dry_run_bad_row_skip_and_rerun(tmp_path: Path) -> None:
    db = tmp_path / "clinic.sqlite3"
    url = f"sqlite:///{db}"
    path = write_csv(tmp_path, "patients.csv", PATIENTS_CSV + BAD_ROW)

    dry = frontdesk("--database-url", url, "import", "patients", str(path), "--dry-run")
    assert dry.returncode == 1
    assert "would create row 2     Zoë Nguyễn, born 31/12/1980" in dry.stdout
    assert (
        "refused      row 6     Ava Brown: Date of birth: “31/02/1990” is not a date" in dry.stdout
    )
    assert "Would create 3 patients, skip 0 already there, refuse 1 bad row." in dry.stdout
    assert dry.stderr.strip() == (
        "frontdesk: Nothing would be imported: row 6 is refused. "
        "Fix the file, or run again with --skip-bad-rows to import the rest."
    )
    assert patient_names(db) == []

    blocked = frontdesk("--database-url", url, "import", "patients", str(path))
    assert blocked.returncode == 1 and "Nothing was imported" in blocked.stderr
    assert "would create row 2" in blocked.stdout and "created " not in blocked.stdout
    assert patient_names(db) == []

    done = frontdesk("--database-url", url, "import", "patients", str(path), "--skip-bad-rows")
    assert done.returncode == 0, done.stderr
    assert "Created 3 patients, skipped 0 already there, left out 1 bad row." in done.stdout
    assert "created      row 2     Zoë Nguyễn" in done.stdout
    assert "left out     row 6     Ava Brown" in done.stdout
    assert patient_names(db) == ["Zoë Nguyễn", "Liam O'Connor", "Sam Lee"]

    again = frontdesk("--database-url", url, "import", "patients", str(path), "--skip-bad-rows")
    assert "skipped      row 2     Zoë Nguyễn, born 31/12/1980: already there as #1" in again.stdout
    assert patient_names(db) == ["Zoë Nguyễn", "Liam O'Connor", "Sam Lee"]


def test_map_option_fills_an_unknown_column(tmp_path: Path) -> None:
    db = tmp_path / "clinic.sqlite3"
    path = write_csv(tmp_path, "p.csv", "Vorname,Nachname\r\nZoë,Nguyễn\r\n")
    args = ["--database-url", f"sqlite:///{db}", "import", "patients", str(path)]
    line = one_line_error(frontdesk(*args))
    assert "None of the first row's columns is a name Frontdesk knows" in line
    result = frontdesk(*args, "--map", "vorname=first_name", "--map", "Nachname=last_name")
    assert result.returncode == 0, result.stderr
    assert patient_names(db) == ["Zoë Nguyễn"]


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    missing = one_line_error(frontdesk("--database-url", url, "import", "patients", "nope.csv"))
    assert missing == "frontdesk: error: There is no file nope.csv."
    path = write_csv(tmp_path, "p.csv", PATIENTS_CSV)
    unknown = one_line_error(
        frontdesk("--database-url", url, "import", "patients", str(path), "--map", "Shoe=notes")
    )
    assert "The file has no column “Shoe”" in unknown
    field = frontdesk("--database-url", url, "import", "patients", str(path), "--map", "DOB=shoe")
    assert "“shoe” is not something a patients import fills in" in one_line_error(field)
    usage = frontdesk("--database-url", url, "import", "patients", str(path), "--map", "DOB")
    assert usage.returncode == 2 and "is not a mapping" in one_line_error(usage)
    empty = write_csv(tmp_path, "empty.csv", "\r\n")
    line = one_line_error(frontdesk("--database-url", url, "import", "patients", str(empty)))
    assert "The file is empty: it needs a header row" in line


def test_import_appointments_after_patients(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert frontdesk("--database-url", url, "demo", "--patients", "0").returncode == 0
    patients = write_csv(tmp_path, "patients.csv", PATIENTS_CSV)
    assert frontdesk("--database-url", url, "import", "patients", str(patients)).returncode == 0
    appointments = write_csv(
        tmp_path,
        "appointments.csv",
        "Patient ID,Practitioner,Appointment Type,Date,Start time,Status\r\n"
        "P-1,Sarah Chen,Initial Physio Consult,01/03/2021,9:00 am,Completed\r\n"
        "P-2,Mark Davies,Initial Physio Consult,01/03/2021,10:00,Completed\r\n",
    )
    args = ["--database-url", url, "import", "appointments", str(appointments)]
    result = frontdesk(*args, "--skip-bad-rows")
    assert result.returncode == 0, result.stderr
    assert (
        "Zoë Nguyễn: Initial physio consult with Sarah Chen, Mon 01/03/2021 09:00" in result.stdout
    )
    assert "Mark Davies is inactive and cannot be booked." in result.stdout
    assert "Created 1 appointment, skipped 0 already there, left out 1 bad row." in result.stdout


def test_on_a_desk_that_follows_a_server_imported_patients_wait_to_sync(tmp_path: Path) -> None:
    from desktop.store.database import Database
    from desktop.sync.state import bind_replica

    db = tmp_path / "replica.sqlite3"
    database = Database(templates.migrated_sqlite(db))
    bind_replica(database, "https://frontdesk.clinic.invalid")
    database.dispose()
    path = write_csv(tmp_path, "patients.csv", PATIENTS_CSV)
    result = frontdesk("--database-url", f"sqlite:///{db}", "import", "patients", str(path))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as raw:
        queued = raw.execute("SELECT count(*) FROM sync_mutations WHERE entity = 'patients'")
        assert queued.fetchone() == (3,)


def test_appointments_before_the_clinic_is_set_up_say_where_to_set_it_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    path = write_csv(
        tmp_path,
        "a.csv",
        "Patient,Practitioner,Type,Start\r\nZoë Nguyễn,Ann,Consult,03/03/2031 09:00\r\n",
    )
    result = frontdesk("--database-url", url, "import", "appointments", str(path), "--dry-run")
    assert result.returncode == 1
    line = one_line_error(result)
    assert "No clinic is set up yet" in line and "Settings ▸ Clinic" in line
