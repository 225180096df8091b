"""Opening the clinic's database: the embedded SQLite file or any SQLAlchemy URL.

SQLite is set up for a desktop that several windows and a background worker share:
WAL journal, foreign keys on, a busy timeout, and `BEGIN IMMEDIATE` for write
transactions so a check-then-insert (is the slot free? book it) cannot interleave
with another writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

from desktop.store.errors import DatabaseCorrupt, DatabaseUnavailable
from desktop.store.locations import APP_NAME as APP_NAME
from desktop.store.locations import default_database_path as default_database_path
from desktop.store.locations import default_database_url as default_database_url

READ_ONLY = "frontdesk_read_only"


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"“{url}” is not a database URL") from exc


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL (None for in-memory or other databases)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_database_engine(url: str) -> Engine:
    parsed = parse_url(url)
    path = sqlite_path(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # hide_parameters: a failed statement's message never carries its values
        # (patient details, usernames, token hashes) into a log or a traceback.
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": 15}, hide_parameters=True)
            _prepare_sqlite(engine)
        else:
            engine = create_engine(
                parsed,
                pool_pre_ping=True,
                connect_args=_connect_args(parsed),
                hide_parameters=True,
            )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise DatabaseUnavailable(
            f"No driver for {parsed.get_backend_name()} databases is installed "
            "(for PostgreSQL: pip install 'frontdesk[postgres]')"
        ) from exc
    return engine


def _connect_args(url: URL) -> dict[str, Any]:
    if url.get_backend_name() == "postgresql":
        return {"connect_timeout": 10}
    return {}


class Database:
    """An engine plus session factories for writing and for read-only queries."""

    def __init__(self, url: str) -> None:
        self.url = url
        _refuse_empty_file(url)
        _map_every_model()
        self.engine = create_database_engine(url)
        self.dialect = self.engine.dialect.name
        self._write_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    def write_session(self) -> Session:
        return self._write_sessions()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries that never writes (a deferred BEGIN on SQLite)."""
        session = self._read_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def check_connection(self) -> None:
        """Fail early with a readable reason if the database cannot be reached or read."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
                if self.dialect == "sqlite":
                    connection.exec_driver_sql("SELECT count(*) FROM sqlite_master")
        except DBAPIError as exc:
            raise describe_connection_error(self.url, exc) from exc

    def dispose(self) -> None:
        self.engine.dispose()


def _map_every_model() -> None:
    """Register every mapped class and configure the mappers, before any session exists.

    The desk loads its modules lazily, on more than one thread (the main window's
    code loads while the password is checked). SQLAlchemy configures the mappers
    at the first query after a new one appears; a query that did so while another
    thread was half-way through a model module failed on a relationship naming a
    class not defined yet (a sign-in failed now and then). With every model here
    from the start, no later import adds one.
    """
    import desktop.store.schema  # noqa: F401  (imports every model module)

    configure_mappers()


def _refuse_empty_file(url: str) -> None:
    """A zero-length file is a database that lost its contents, not a new clinic.

    SQLite would open it as an empty database and the first start would set up a
    new clinic over it. Our own connections never leave a file empty (switching
    to WAL writes the header at once), so an empty file means damage.
    """
    path = sqlite_path(parse_url(url))
    if path is not None and path.is_file() and path.stat().st_size == 0:
        raise DatabaseCorrupt(
            f"{path} is empty (0 bytes): the database is damaged; it was left untouched. "
            "Restore it from a backup or choose another file."
        )


def describe_connection_error(url: str, exc: DBAPIError) -> Exception:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    shown = parse_url(url).render_as_string(hide_password=True)
    if "file is not a database" in text or "malformed" in text:
        return DatabaseCorrupt(
            f"{shown} is not a Frontdesk database or is damaged; it was left untouched. "
            "Restore it from a backup or choose another file."
        )
    if "disk is full" in text or "No space left" in text:
        return DatabaseUnavailable(
            f"The disk holding {shown} is full: the change was not saved. "
            "Free some space and try again."
        )
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc.orig).__name__
    return DatabaseUnavailable(f"Cannot open the database {shown}: {first_line}")
