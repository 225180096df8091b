"""A safe copy of the embedded SQLite database, taken while Frontdesk may be running.

Copying `frontdesk.sqlite3` with the file manager while the app is open can miss
the changes still in its write-ahead log (`-wal` file) or catch a page mid-write.
SQLite's online backup API copies a consistent snapshot instead; the copy is then
checked (`PRAGMA integrity_check`) and only renamed to the name asked for once
it is whole. A PostgreSQL database is backed up with the server's own tools.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from desktop.store.database import parse_url, sqlite_path
from desktop.store.errors import DatabaseUnavailable, StoreError


class BackupFailed(StoreError):
    """The copy could not be made or did not check out; nothing was left behind."""


def default_backup_path(database_url: str, now: datetime | None = None) -> Path:
    """`backups/frontdesk-<UTC timestamp>.sqlite3` beside the database file."""
    source = _source(database_url)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return source.parent / "backups" / f"{source.stem}-{stamp}{source.suffix}"


def backup_sqlite_to(database_url: str, target: Path) -> Path:
    """Copy the SQLite database behind `database_url` to `target` (which must not exist)."""
    source = _source(database_url)
    if not source.exists():
        raise DatabaseUnavailable(f"There is no database file at {source} to back up.")
    if target.exists():
        raise BackupFailed(f"{target} already exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        _copy(source, partial)
        _check(partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupFailed(f"Could not back up {source} to {target}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def _source(database_url: str) -> Path:
    path = sqlite_path(parse_url(database_url))
    if path is None:
        raise DatabaseUnavailable(
            "Only the embedded SQLite database is backed up by Frontdesk; back up a "
            "PostgreSQL database with pg_dump or your server's backups."
        )
    return path


def _copy(source: Path, target: Path) -> None:
    # Read-only URI: a backup must never create or change the source file.
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)
            # A backup is one self-contained file, not a WAL database with side files.
            writer.execute("PRAGMA journal_mode=DELETE")
        finally:
            writer.close()
    finally:
        reader.close()


def _check(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
    finally:
        connection.close()
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"the copy failed its integrity check ({verdict})")
