"""Writing the server's rows into the local replica, as they are on the server.

The server already enforced every rule on these rows, so the local rule guards
(SQLite triggers against double booking and inactive practitioners) are lifted
for the length of one transaction: dropped after `BEGIN IMMEDIATE` and created
again before `COMMIT`. SQLite's DDL is transactional and its writers are serial,
so no other connection ever sees the guards missing, and a failure rolls them
back into place. Foreign keys are checked at commit (`defer_foreign_keys`), so
rows may arrive in any order within the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection, Date, Dialect, Uuid, delete, select
from sqlalchemy.orm import Session

from desktop.store.database import Database
from desktop.store.sync_models import SYNCED_TABLES, SyncMutationRow
from desktop.store.types import UTCDateTime
from desktop.sync.capture import APPLYING_SERVER_ROWS
from desktop.sync.codec import synced_table

EntityKey = tuple[str, uuid.UUID]
CHUNK = 500


@contextmanager
def applying_server_rows(database: Database) -> Iterator[Session]:
    """A write transaction (not captured as mutations) with the local guards lifted.

    Leaving the block normally puts the guards back and commits; an exception rolls
    everything back. The caller never commits itself.
    """
    session = database.write_session()
    session.info[APPLYING_SERVER_ROWS] = True
    try:
        connection = session.connection()
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        guards = _lift_guards(connection)
        yield session
        session.flush()
        for sql in guards:
            connection.exec_driver_sql(sql)
        session.commit()
    finally:
        session.rollback()
        session.close()


def _lift_guards(connection: Connection) -> list[str]:
    names = ", ".join(f"'{name}'" for name in SYNCED_TABLES)
    triggers = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({names})"
    ).all()
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return [str(sql) for _, sql in triggers]


def pending_entities(session: Session) -> set[EntityKey]:
    """Entities with local changes still waiting to upload (never overwritten by a pull)."""
    rows = session.execute(
        select(SyncMutationRow.entity, SyncMutationRow.entity_id).distinct()
    ).all()
    return {(entity, entity_id) for entity, entity_id in rows}


def upsert_rows(
    session: Session, entity: str, rows: Sequence[Mapping[str, Any]], *, force: bool = False
) -> None:
    """Insert or overwrite whole rows (decoded values); never with an older version
    unless `force` (rolling back a refused local edit, whose version ran ahead).

    A first sync writes hundreds of thousands of rows, so the statement is compiled
    once and the rows go to the driver's executemany, each value through the
    column type's own bind processor (the same conversion SQLAlchemy would apply).
    """
    if not rows:
        return
    connection = session.connection()
    sql, processors = _compiled_upsert(entity, force, connection.dialect)
    names = [name for name, _ in processors]
    for start in range(0, len(rows), CHUNK):
        batch = [
            tuple(
                value if process is None or value is None else process(value)
                for (_, process), value in zip(processors, (row.get(n) for n in names), strict=True)
            )
            for row in rows[start : start + CHUNK]
        ]
        connection.exec_driver_sql(sql, batch)


def upsert_wire_rows(
    session: Session, entity: str, rows: Sequence[Mapping[str, Any]], *, force: bool = False
) -> None:
    """`upsert_rows` for rows still in the wire format (the pull's hot path).

    UUIDs and UTC instants go straight from the wire's text to SQLite's stored
    text; anything unusual falls back to decoding and the column's own processor.
    """
    if not rows:
        return
    connection = session.connection()
    sql, processors = _compiled_upsert(entity, force, connection.dialect)
    table = synced_table(entity)
    converters = [
        (name, _wire_to_stored(table.columns[name], process)) for name, process in processors
    ]
    for start in range(0, len(rows), CHUNK):
        batch = [
            tuple(
                None if (value := row.get(name)) is None else convert(value)
                for name, convert in converters
            )
            for row in rows[start : start + CHUNK]
        ]
        connection.exec_driver_sql(sql, batch)


def _wire_to_stored(
    column: Column[Any], process: Callable[[Any], Any] | None
) -> Callable[[Any], Any]:
    kind = column.type

    def processed(value: Any) -> Any:
        return value if process is None else process(value)

    if isinstance(kind, Uuid):

        def stored_uuid(value: Any) -> Any:
            if isinstance(value, str) and len(value) == 36:
                return value.replace("-", "").lower()  # how SQLAlchemy keeps a UUID in SQLite
            return processed(uuid.UUID(str(value)))

        return stored_uuid
    if isinstance(kind, UTCDateTime):

        def stored_instant(value: Any) -> Any:
            # The server sends UTC ("…+00:00"); SQLite keeps naive UTC text with microseconds.
            if isinstance(value, str) and value.endswith("+00:00") and len(value) in (25, 32):
                fraction = value[19:26] if len(value) == 32 else ".000000"
                return f"{value[:10]} {value[11:19]}{fraction}"
            return processed(datetime.fromisoformat(value))

        return stored_instant
    if isinstance(kind, Date):
        return lambda value: processed(date.fromisoformat(value))
    return processed


Processors = list[tuple[str, Callable[[Any], Any] | None]]
_UPSERTS: dict[tuple[str, bool], tuple[str, Processors]] = {}


def _compiled_upsert(entity: str, force: bool, dialect: Dialect) -> tuple[str, Processors]:
    found = _UPSERTS.get((entity, force))
    if found is None:
        table = synced_table(entity)
        columns = list(table.columns)
        quoted = ", ".join(f'"{c.name}"' for c in columns)
        updates = ", ".join(f'"{c.name}" = excluded."{c.name}"' for c in columns if c.name != "id")
        guard = "" if force else f' WHERE "{table.name}".version <= excluded.version'
        sql = (
            f'INSERT INTO "{table.name}" ({quoted}) '
            f"VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}{guard}"
        )
        processors: Processors = []
        for column in columns:
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            processors.append((column.name, process))
        found = _UPSERTS[(entity, force)] = (sql, processors)
    return found


def delete_rows(session: Session, entity: str, ids: Iterable[uuid.UUID]) -> None:
    table = synced_table(entity)
    wanted = list(ids)
    for start in range(0, len(wanted), CHUNK):
        session.execute(delete(table).where(table.c.id.in_(wanted[start : start + CHUNK])))


def local_row(session: Session, entity: str, entity_id: uuid.UUID) -> dict[str, Any] | None:
    table = synced_table(entity)
    row = session.execute(select(table).where(table.c.id == entity_id)).mappings().first()
    return dict(row) if row is not None else None


def children_of(session: Session, entity: str, entity_id: uuid.UUID) -> list[EntityKey]:
    """Local rows that point at this one (an attendance at its class …)."""
    found: list[EntityKey] = []
    for name in SYNCED_TABLES:
        table = synced_table(name)
        for fk in table.foreign_keys:
            if fk.column.table.name == entity:
                ids = session.execute(select(table.c.id).where(fk.parent == entity_id)).scalars()
                found.extend((name, child) for child in ids)
    return found
