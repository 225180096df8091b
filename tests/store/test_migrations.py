from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect

from desktop.store import migrate
from desktop.store.database import Database
from desktop.store.errors import DatabaseCorrupt, SchemaOutdated, SchemaTooNew
from desktop.store.schema import metadata


def test_migrations_build_every_table_from_empty(database_url: str) -> None:
    database = Database(database_url)
    assert migrate.needs_upgrade(database)
    migrate.upgrade(database)
    assert migrate.current_revisions(database) == migrate.head_revisions()
    tables = set(inspect(database.engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert migrate.upgrade(database) is None  # nothing to do the second time
    database.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    database = Database(database_url)
    migrate.upgrade(database)
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
    database.dispose()


def test_a_newer_schema_is_refused_and_left_untouched(sqlite_url: str, tmp_path: Path) -> None:
    database = Database(sqlite_url)
    migrate.upgrade(database)
    path = tmp_path / "frontdesk.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaTooNew, match="newer version of Frontdesk"):
        migrate.upgrade(database)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)


def test_backup_copies_the_whole_file_before_a_migration(sqlite_url: str, tmp_path: Path) -> None:
    database = Database(sqlite_url)
    migrate.upgrade(database)
    with sqlite3.connect(tmp_path / "frontdesk.sqlite3") as raw:
        raw.execute(
            "INSERT INTO clinics (id, name, timezone, opening_hours, phone, address, "
            "created_at, updated_at, version) VALUES ('x', 'Kept', 'UTC', '{}', '', '', "
            "'2026-01-01', '2026-01-01', 1)"
        )
    backup = migrate.backup_sqlite(database, {"0001"})
    assert backup is not None
    assert backup.name.startswith("frontdesk.sqlite3.before-0001-")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT name FROM clinics").fetchall() == [("Kept",)]


def test_an_outdated_schema_must_be_upgraded_first(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    with pytest.raises(SchemaOutdated, match="frontdesk db upgrade"):
        migrate.ensure_current(database)


def test_a_file_that_is_not_a_database_is_reported_and_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is not a database, just some text the user saved here\n" * 20)
    before = path.read_bytes()
    with pytest.raises(DatabaseCorrupt, match="not a Frontdesk database or is damaged"):
        migrate.upgrade(Database(f"sqlite:///{path}"))
    assert path.read_bytes() == before
