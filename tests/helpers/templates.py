"""Databases at the newest schema without running the migrations for every test.

Migrating a database takes a second or two (SQLite) and more on PostgreSQL, and
most tests need one. So each test process migrates one *template* per kind —
a SQLite file in a temporary folder, a database on each PostgreSQL server — and
every test gets a copy: SQLite's online backup of the file, PostgreSQL's
`CREATE DATABASE … TEMPLATE`. The tests of the migrations themselves
(tests/store) still migrate empty databases.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import make_url

from desktop.store import migrate
from desktop.store.database import Database, sqlite_path

if TYPE_CHECKING:
    import psycopg

_SQLITE: list[Path] = []
_POSTGRES: dict[tuple[str, int], str] = {}  # (host, port) -> template database name


def _sqlite_template() -> Path:
    if not _SQLITE:
        folder = Path(tempfile.mkdtemp(prefix="frontdesk-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "template.sqlite3"
        database = Database(f"sqlite:///{path}")
        migrate.upgrade(database)
        database.dispose()
        _SQLITE.append(path)
    return _SQLITE[0]


def migrated_sqlite(path: Path) -> str:
    """A new SQLite file at `path` at the newest schema; returns its URL."""
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(_sqlite_template())) as source,
        closing(sqlite3.connect(path)) as target,
    ):
        source.backup(target)
    return f"sqlite:///{path}"


def _admin(host: str, port: int) -> psycopg.Connection[tuple[object, ...]]:
    import psycopg  # only where PostgreSQL tests run

    return psycopg.connect(
        f"host={host} port={port} user=postgres dbname=postgres", autocommit=True
    )


def _postgres_template(url: str) -> str:
    parsed = make_url(url)
    key = (str(parsed.host), int(parsed.port or 5432))
    if key not in _POSTGRES:
        name = f"template_{uuid.uuid4().hex[:12]}"
        with _admin(*key) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        database = Database(str(parsed.set(database=name)))
        migrate.upgrade(database)
        database.dispose()
        _POSTGRES[key] = name
    return _POSTGRES[key]


def migrated_postgres(url: str) -> str:
    """Replace the (new, unused) PostgreSQL database at `url` by a copy of the migrated
    template under the same name; returns `url`."""
    template = _postgres_template(url)
    parsed = make_url(url)
    with _admin(str(parsed.host), int(parsed.port or 5432)) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}"')
        connection.execute(f'CREATE DATABASE "{parsed.database}" TEMPLATE "{template}"')
    return url


def migrated(url: str) -> str:
    """The empty database behind `url` (a SQLite file not yet written, or a new
    PostgreSQL database) brought to the newest schema by copying; returns `url`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is None:
            raise ValueError(f"a SQLite file is needed, not {url}")
        return migrated_sqlite(path)
    return migrated_postgres(url)
