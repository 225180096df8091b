"""`frontdesk run --smoke-test` from source, and `frontdesk db backup`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.test_cli import frontdesk, one_line_error


def test_the_smoke_test_passes_without_touching_the_users_data(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = frontdesk("run", "--smoke-test")
    assert result.returncode == 0, result.stderr
    assert "Smoke test passed: Frontdesk" in result.stdout
    for check in ("ok  migrations to", "ok  day sheet PDF", "ok  iCalendar", "ok  main window"):
        assert check in result.stdout
    assert "icons render" in result.stdout
    assert not (home / "data" / "Frontdesk").exists()
    assert "--smoke-test" not in frontdesk("run", "--help").stdout  # hidden from users


def test_backup_copies_a_database_in_use_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    url = f"sqlite:///{path}"
    assert frontdesk("--database-url", url, "demo", "--patients", "25").returncode == 0
    # A reader holding the file open (as the running app would) does not stop a backup.
    holder = sqlite3.connect(path)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM patients").fetchone()
    target = tmp_path / "backups" / "copy.sqlite3"
    result = frontdesk("--database-url", url, "db", "backup", "--out", str(target))
    holder.rollback()
    holder.close()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Backed up the database to {target}"
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM patients").fetchone() == (25,)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not list(target.parent.glob(".*partial"))

    line = one_line_error(frontdesk("--database-url", url, "db", "backup", "--out", str(target)))
    assert "already exists" in line


def test_backup_without_out_goes_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert frontdesk("--database-url", url, "db", "upgrade").returncode == 0
    result = frontdesk("--database-url", url, "db", "backup")
    assert result.returncode == 0, result.stderr
    (made,) = (tmp_path / "backups").glob("clinic-*.sqlite3")
    assert str(made) in result.stdout


def test_backup_of_a_server_database_is_one_line() -> None:
    line = one_line_error(
        frontdesk("--database-url", "postgresql+psycopg://u@127.0.0.1:9/x", "db", "backup")
    )
    assert "pg_dump" in line
