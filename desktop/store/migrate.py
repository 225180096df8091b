"""Bringing a database's schema up to date with Alembic, safely.

* A database written by a newer Frontdesk is refused, never touched.
* Before migrating a SQLite file that already holds data, a copy is taken beside
  it (`frontdesk.sqlite3.before-<revision>-<timestamp>`), using SQLite's online
  backup so a half-written page is never copied.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError

from desktop.store.database import Database, describe_connection_error, parse_url, sqlite_path
from desktop.store.errors import SchemaOutdated, SchemaTooNew

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    return {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }


def current_revisions(database: Database) -> set[str]:
    try:
        with database.engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    except DBAPIError as exc:
        raise describe_connection_error(database.url, exc) from exc


def check_not_newer(database: Database) -> set[str]:
    current = current_revisions(database)
    unknown = current - known_revisions()
    if unknown:
        raise SchemaTooNew(
            "This database was written by a newer version of Frontdesk "
            f"(schema {', '.join(sorted(unknown))}). Install the newer Frontdesk to open it; "
            "nothing was changed."
        )
    return current


def needs_upgrade(database: Database) -> bool:
    return check_not_newer(database) != head_revisions()


def ensure_current(database: Database) -> None:
    """Refuse to run against a schema this version does not expect."""
    if needs_upgrade(database):
        raise SchemaOutdated(
            "The database schema is older than this Frontdesk; run `frontdesk db upgrade` first."
        )


def upgrade(database: Database) -> Path | None:
    """Migrate to the newest schema; returns the backup file taken, if any."""
    database.check_connection()
    current = check_not_newer(database)
    if current == head_revisions():
        return None
    backup = backup_sqlite(database, current)
    config = alembic_config()
    try:
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except DBAPIError as exc:
        raise describe_connection_error(database.url, exc) from exc
    return backup


def backup_sqlite(database: Database, current: set[str]) -> Path | None:
    """Copy a SQLite file that holds a schema aside; None for other databases."""
    path = sqlite_path(parse_url(database.url))
    if path is None or not current or not path.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    label = "-".join(sorted(current))
    target = path.with_name(f"{path.name}.before-{label}-{stamp}")
    source = sqlite3.connect(path)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target
