"""Which server a replica follows, and how far it has pulled.

A local database is *bound* to one server the first time it connects; from then
on every write to it is captured as a mutation (even when the app is started
without `--server`), and it refuses to be pointed at another server, which would
mix two clinics' data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.errors import InvalidInput
from desktop.store.database import Database
from desktop.store.sync_models import (
    NOT_CLINIC_DATA,
    PUSHED_TABLES,
    SyncMutationRow,
    SyncStateRow,
)
from desktop.sync.capture import enable_capture
from desktop.sync.codec import synced_table

_STATE_ID = 1


@dataclass(frozen=True, slots=True)
class ReplicaState:
    server_url: str
    replica_id: uuid.UUID
    cursor: int
    staged_cursor: int | None
    last_synced_at: datetime | None
    desk_code: str | None = None


def normalise_server_url(url: str) -> str:
    cleaned = url.strip().rstrip("/")
    if not cleaned.startswith(("http://", "https://")) or len(cleaned) < 10:
        raise InvalidInput(
            f"“{url}” is not a server address (e.g. https://frontdesk.clinic.local)."
        )
    return cleaned


def load_state(database: Database) -> ReplicaState | None:
    with database.reading() as session:
        row = session.get(SyncStateRow, _STATE_ID)
        return None if row is None else _state(row)


def _state(row: SyncStateRow) -> ReplicaState:
    return ReplicaState(
        row.server_url,
        row.replica_id,
        row.cursor,
        row.staged_cursor,
        row.last_synced_at,
        row.desk_code,
    )


def bind_replica(database: Database, server_url: str) -> ReplicaState:
    """Follow `server_url` with this database, and capture its writes from now on.

    Refused for a database that follows another server, and for one that already
    holds a clinic of its own (it would never reach the server: load the clinic
    into the server's database instead, then start this desktop fresh).
    """
    if database.dialect != "sqlite":
        raise InvalidInput("A desktop replica is the embedded SQLite store, not a server database.")
    url = normalise_server_url(server_url)
    session = database.write_session()
    try:
        row = session.get(SyncStateRow, _STATE_ID)
        if row is None:
            if _holds_data(session):
                raise InvalidInput(
                    "This computer's database already holds a clinic that is not on the server. "
                    "Start with a fresh database to connect to the server."
                )
            row = SyncStateRow(id=_STATE_ID, server_url=url, replica_id=uuid.uuid4(), cursor=0)
            session.add(row)
        elif row.server_url != url:
            raise InvalidInput(
                f"This computer's database follows {row.server_url}. "
                "To use another server, start with a fresh database."
            )
        state = _state(row)
        session.commit()
    finally:
        session.close()
    enable_capture(database)
    return state


def forget_fresh_binding(database: Database) -> bool:
    """Follow no server again, if nothing has come from or gone to it yet (no desk code,
    cursor 0, nothing waiting to push): a first connection the server refused leaves
    the PC free to connect to any server later. True when it was forgotten."""
    with database.write_session() as session:
        row = session.get(SyncStateRow, _STATE_ID)
        if row is None or row.desk_code is not None or row.cursor != 0:
            return False
        if session.execute(select(func.count()).select_from(SyncMutationRow)).scalar_one():
            return False
        session.delete(row)
        session.commit()
    return True


def save_desk_code(database: Database, code: str) -> None:
    """The numbering code the server gave this desk (desktop.store.numbering)."""
    session = database.write_session()
    try:
        row = session.get(SyncStateRow, _STATE_ID)
        if row is None:
            raise RuntimeError("this database does not follow a server")
        if row.desk_code not in (None, code):
            # A number printed in the old series would no longer be this desk's.
            raise RuntimeError(f"the server changed this desk's code from {row.desk_code}")
        row.desk_code = code
        session.commit()
    finally:
        session.close()


def attach_if_bound(database: Database) -> ReplicaState | None:
    """At start-up: a database that follows a server keeps capturing its writes."""
    if database.dialect != "sqlite":
        return None
    state = load_state(database)
    if state is not None:
        enable_capture(database)
    return state


def _holds_data(session: Session) -> bool:
    for name in PUSHED_TABLES:  # a desk's own sign-in user is not a clinic of its own
        if name in NOT_CLINIC_DATA:
            continue
        table = synced_table(name)
        if session.execute(select(func.count()).select_from(table)).scalar_one():
            return True
    return False


def pending_count(database: Database) -> int:
    with database.reading() as session:
        return int(session.execute(select(func.count(SyncMutationRow.position))).scalar_one())
