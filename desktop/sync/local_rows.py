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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop.store.database import Database
from desktop.store.sync_models import SYNCED_TABLES, SyncMutationRow
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
    unless `force` (rolling back a refused local edit, whose version ran ahead)."""
    if not rows:
        return
    table = synced_table(entity)
    statement = sqlite_insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != "id"},
        where=None if force else table.c.version <= statement.excluded.version,
    )
    connection = session.connection()
    for start in range(0, len(rows), CHUNK):
        connection.execute(statement, [dict(row) for row in rows[start : start + CHUNK]])


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
