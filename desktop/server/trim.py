"""Trimming the change log: tombstones go once every desk has them, or after a stated age.

A live record keeps its one `sync_changes` row (a first sync reads the log to
find every record), so the log never outgrows the clinic; what piles up are the
tombstones of deleted records and the answers kept for repeated pushes. The
server trims them at most once an hour, as part of serving a pull:

* a tombstone goes once every desk seen in the last `MAX_AGE` (90 days) has
  pulled past it (each pull says where it starts: `sync_desks.acked_cursor`);
* any tombstone older than `MAX_AGE` goes anyway, so a desk left switched off
  cannot hold the log up for ever; and answers to pushes older than that go too;
* `sync_log_state.trimmed_through` remembers the highest change number trimmed.
  A desk that asks for changes after a smaller number may have missed a deletion,
  so it is told (410 `resync_required`) to download the clinic again: it then
  pulls everything from 0 and drops local records the server no longer has
  (keeping any with changes still waiting to upload).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text

from desktop.server.apply import SYNC_WRITE_LOCK  # no push writes the log meanwhile
from desktop.store.database import Database
from desktop.store.sync_models import (
    SyncAppliedMutationRow,
    SyncChangeRow,
    SyncDeskRow,
    SyncLogStateRow,
)

MAX_AGE = timedelta(days=90)
EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class TrimReport:
    tombstones: int
    answers: int
    trimmed_through: int


def trimmed_through(database: Database) -> int:
    with database.reading() as session:
        row = session.get(SyncLogStateRow, 1)
        return 0 if row is None else row.trimmed_through


def trim_if_due(database: Database, now: datetime) -> TrimReport | None:
    with database.reading() as session:
        row = session.get(SyncLogStateRow, 1)
        if row is not None and row.trimmed_at is not None and now - row.trimmed_at < EVERY:
            return None
    return trim(database, now)


def trim(database: Database, now: datetime, max_age: timedelta = MAX_AGE) -> TrimReport:
    cutoff = now - max_age
    with database.write_session() as session:
        if database.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_WRITE_LOCK})
        floor = session.execute(
            select(func.min(SyncDeskRow.acked_cursor)).where(SyncDeskRow.last_seen_at >= cutoff)
        ).scalar_one_or_none()
        if floor is None:  # no desk seen lately: only the age limit applies
            floor = 0
        gone = (SyncChangeRow.deleted.is_(True)) & (
            (SyncChangeRow.seq <= floor) | (SyncChangeRow.changed_at < cutoff)
        )
        highest = session.execute(select(func.max(SyncChangeRow.seq)).where(gone)).scalar()
        tombstones = _count(session.execute(delete(SyncChangeRow).where(gone)))
        answers = _count(
            session.execute(
                delete(SyncAppliedMutationRow).where(SyncAppliedMutationRow.applied_at < cutoff)
            )
        )
        state = session.get(SyncLogStateRow, 1)
        if state is None:
            state = SyncLogStateRow(id=1, trimmed_through=0)
            session.add(state)
        state.trimmed_through = max(state.trimmed_through or 0, int(highest or 0))
        state.trimmed_at = now
        through = state.trimmed_through
        session.commit()
    return TrimReport(int(tombstones), int(answers), through)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
