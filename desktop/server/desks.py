"""The desks that follow this server, and the numbering code each is given.

A desk asks for its code when it first syncs (`POST /v1/sync/desk`); asking again
with the same replica id gives the same code, so a lost answer is harmless. Codes
go A, B, … Z, AA, AB …: short enough to print inside an invoice number
(FD-B-000123) and never reused, so a number printed by a desk that was retired
years ago still belongs to it alone (desktop.store.numbering explains the scheme).

Only an administrator may register a new desk: a registered desk receives every
active user's password hash (for offline sign-in), so adding one is an
administrator's decision. A desk already registered keeps working for every user.
"""

from __future__ import annotations

import string
import uuid
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from desktop.domain.errors import PermissionDenied
from desktop.store.database import Database
from desktop.store.sync_models import SyncDeskRow

_DESK_LOCK = 727_008  # serialises code allocation across server instances

NEW_DESK_NEEDS_ADMIN = (
    "Ask an administrator to connect this PC the first time. Only an administrator "
    "can add a PC to the clinic's server; after that, everyone can sign in on it."
)


def desk_code(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA, 27 → AB … (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def register_desk(
    database: Database, replica_id: uuid.UUID, name: str, now: datetime, *, may_add: bool
) -> str:
    """The desk's code, allocated the first time it asks (only if `may_add`: an admin)."""
    with database.write_session() as session:
        found = session.get(SyncDeskRow, replica_id)
        if found is not None:
            return found.code
        if not may_add:
            raise PermissionDenied(NEW_DESK_NEEDS_ADMIN)
        _lock(session)
        found = session.get(SyncDeskRow, replica_id)
        if found is not None:
            return found.code
        count = int(session.execute(select(func.count()).select_from(SyncDeskRow)).scalar_one())
        code = desk_code(count)
        session.add(
            SyncDeskRow(
                replica_id=replica_id, code=code, name=name, registered_at=now, acked_cursor=0
            )
        )
        session.commit()
        return code


def code_of(session: Session, replica_id: uuid.UUID) -> str | None:
    row = session.get(SyncDeskRow, replica_id)
    return None if row is None else row.code


def is_registered(database: Database, replica_id: uuid.UUID) -> bool:
    with database.reading() as session:
        return code_of(session, replica_id) is not None


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_DESK_LOCK})"))


def note_pulled(database: Database, replica_id: uuid.UUID, since: int, now: datetime) -> bool:
    """The desk asked for changes after `since`: it holds everything up to there.
    False: no desk registered with that replica id."""
    with database.write_session() as session:
        result = session.execute(
            update(SyncDeskRow)
            .where(SyncDeskRow.replica_id == replica_id)
            .values(acked_cursor=func.greatest(SyncDeskRow.acked_cursor, since), last_seen_at=now)
        )
        session.commit()
        return bool(getattr(result, "rowcount", 0))
