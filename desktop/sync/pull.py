"""Downloading the server's changes since the cursor, and applying them all at once.

A pull pass has two steps:

1. *Download*: pages of changes (in the server's sequence order) are staged in
   `sync_inbox`, each page committed with the point reached (`staged_cursor`), so
   a pass cut off part-way resumes where it stopped instead of starting again.
2. *Apply*: when the last page is in, every staged row is written into the
   replica in one transaction — which is also where the cursor is saved (Kinto:
   only after a clean pass). Records with local changes still waiting to upload
   are left alone (PowerSync): the server will answer for those changes, and
   either the change stands or the record is rolled back to the server's copy.

Applying everything together keeps the replica whole: a class never appears
before the practitioner it belongs to, even when the practitioner was changed
later than the class and so comes later in the order.

A desk with nothing pulled yet, and one told to download the clinic again (410:
deletions it missed were trimmed), first loads the server's snapshot in one
transaction (desktop/sync/snapshot.py) and then pulls the changes after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop.store.database import Database
from desktop.store.sync_models import (
    PARTLY_SYNCED,
    PULLED_ONLY,
    SYNCED_TABLES,
    SyncInboxRow,
    SyncStateRow,
)
from desktop.store.types import utc_now
from desktop.sync.client import ResyncRequired, ServerApi, ServerProtocolError
from desktop.sync.codec import synced_table
from desktop.sync.local_rows import (
    applying_server_rows,
    delete_rows,
    pending_entities,
    upsert_wire_rows,
)
from desktop.sync.pulled_users import end_outdated_sessions
from desktop.sync.snapshot import load_snapshot
from desktop.sync.state import ReplicaState, load_state

# phase ("download" or "apply"), done, total (total 0 when unknown)
Progress = Callable[[str, int, int], None]
APPLY_CHUNK = 2000
_INBOX = cast(Table, SyncInboxRow.__table__)  # Core inserts: no ORM bookkeeping per row


@dataclass
class PullReport:
    downloaded: int = 0
    applied: int = 0
    deleted: int = 0
    kept_local: int = 0
    cursor: int = 0
    # The tables the pass wrote rows of (so open screens can re-read them).
    entities: set[str] = field(default_factory=set)


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


def pull_changes(
    database: Database,
    api: ServerApi,
    *,
    page_size: int = 1000,
    progress: Progress | None = None,
    snapshot: bool = True,
) -> PullReport:
    """Everything after the cursor (after a snapshot first, when `snapshot` and nothing
    was pulled yet)."""
    tell = progress or _no_progress
    state = load_state(database)
    loaded = None
    try:
        if snapshot and state is not None and _never_synced(state):
            loaded = load_snapshot(database, api, tell)
        report = _pull(database, api, page_size, progress, full=False)
    except ResyncRequired:
        # Deletions this desk missed were trimmed on the server: start again from 0
        # and drop what the server no longer has (see desktop/server/trim.py).
        if snapshot:
            loaded = load_snapshot(database, api, tell)
            report = _pull(database, api, page_size, progress, full=False)
        else:
            _restart(database)
            report = _pull(database, api, page_size, progress, full=True)
    if loaded is not None:
        report.downloaded += loaded.rows
        report.applied += loaded.rows
        report.entities.update(SYNCED_TABLES)  # the whole clinic, as the server has it
    return report


def _never_synced(state: ReplicaState) -> bool:
    """Whether the desk has neither pulled nor loaded a snapshot yet.

    The cursor alone cannot tell: an empty clinic's snapshot stands at change 0,
    and the desk would download it again on every pass.
    """
    return state.cursor == 0 and state.staged_cursor is None and state.last_synced_at is None


def _restart(database: Database) -> None:
    session = database.write_session()
    try:
        session.execute(delete(SyncInboxRow))
        session.execute(update(SyncStateRow).values(cursor=0, staged_cursor=None))
        session.commit()
    finally:
        session.close()


def _pull(
    database: Database, api: ServerApi, page_size: int, progress: Progress | None, *, full: bool
) -> PullReport:
    report = PullReport()
    tell = progress or _no_progress
    state = load_state(database)
    if state is None:
        raise RuntimeError("this database does not follow a server")
    since = state.staged_cursor if state.staged_cursor is not None else state.cursor
    already = _staged_count(database)
    total = 0
    first = True
    while True:
        page = api.changes(since, page_size, total=first, replica_id=str(state.replica_id))
        try:
            changes = list(page["changes"])
            reached = int(page["next"])
            more = bool(page["has_more"])
            if first:
                total = already + int(page.get("total") or 0)
        except (KeyError, TypeError, ValueError) as exc:
            raise ServerProtocolError(f"The server's changes were not understood: {exc}") from exc
        _stage(database, changes, reached)
        report.downloaded += len(changes)
        since = reached
        first = False
        tell("download", already + report.downloaded, max(total, already + report.downloaded))
        if not more:
            break
    _apply(database, report, tell, full=full)
    return report


def _staged_count(database: Database) -> int:
    with database.reading() as session:
        return int(session.execute(select(func.count()).select_from(SyncInboxRow)).scalar_one())


def _stage(database: Database, changes: list[dict[str, Any]], reached: int) -> None:
    records = []
    for change in changes:
        try:
            entity = str(change["entity"])
            synced_table(entity)
            records.append(
                {
                    "entity": entity,
                    "entity_id": _uuid(change["id"]),
                    "seq": int(change["seq"]),
                    "version": int(change["version"]),
                    "deleted": bool(change["deleted"]),
                    "data": change.get("row"),
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ServerProtocolError(
                f"A change from the server was not understood: {exc}"
            ) from exc
    session = database.write_session()
    try:
        if records:
            statement = sqlite_insert(_INBOX)
            statement = statement.on_conflict_do_update(
                index_elements=["entity", "entity_id"],
                set_={
                    name: statement.excluded[name] for name in ("seq", "version", "deleted", "data")
                },
            )
            session.execute(statement, records)
        session.execute(update(SyncStateRow).values(staged_cursor=reached))
        session.commit()
    finally:
        session.close()


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))


def _apply(database: Database, report: PullReport, tell: Progress, *, full: bool) -> None:
    with database.reading() as session:
        total = int(session.execute(select(func.count()).select_from(SyncInboxRow)).scalar_one())
    done = 0
    with applying_server_rows(database) as session:
        waiting = pending_entities(session)
        for entity in SYNCED_TABLES:
            # Walk the inbox along its primary key (entity, entity_id): each chunk is an
            # index range, whatever the inbox holds (order within one table is free).
            after: uuid.UUID | None = None
            while True:
                query = select(SyncInboxRow.entity_id, SyncInboxRow.data).where(
                    SyncInboxRow.entity == entity, SyncInboxRow.deleted.is_(False)
                )
                if after is not None:
                    query = query.where(SyncInboxRow.entity_id > after)
                staged = session.execute(
                    query.order_by(SyncInboxRow.entity_id).limit(APPLY_CHUNK)
                ).all()
                if not staged:
                    break
                after = staged[-1].entity_id
                rows = []
                for item in staged:
                    if (entity, item.entity_id) in waiting or item.data is None:
                        report.kept_local += 1
                        continue
                    rows.append(item.data)
                # A pulled-only row may have moved on locally (a failed sign-in
                # here); the server's copy wins whatever the local version says.
                upsert_wire_rows(session, entity, rows, force=entity in PULLED_ONLY)
                if rows:
                    report.entities.add(entity)
                if entity == "users":
                    end_outdated_sessions(session, [item.entity_id for item in staged])
                report.applied += len(rows)
                done += len(staged)
                tell("apply", done, total)
        for entity in reversed(SYNCED_TABLES):
            gone: Iterable[uuid.UUID] = session.execute(
                select(SyncInboxRow.entity_id).where(
                    SyncInboxRow.entity == entity, SyncInboxRow.deleted.is_(True)
                )
            ).scalars()
            if full and entity not in PULLED_ONLY:
                # A full download: whatever the server did not send is gone there.
                gone = _not_downloaded(session, entity)
            ids = []
            for entity_id in gone:
                if (entity, entity_id) in waiting:
                    report.kept_local += 1
                else:
                    ids.append(entity_id)
            delete_rows(session, entity, ids)
            if ids:
                report.entities.add(entity)
            report.deleted += len(ids)
            done += len(ids)
        state = session.get(SyncStateRow, 1)
        assert state is not None
        if state.staged_cursor is not None:
            state.cursor = state.staged_cursor
        state.staged_cursor = None
        state.last_synced_at = utc_now()
        report.cursor = state.cursor
        session.execute(delete(SyncInboxRow))
    tell("apply", total, total)


def _not_downloaded(session: Session, entity: str) -> list[uuid.UUID]:
    table = synced_table(entity)
    sent = select(SyncInboxRow.entity_id).where(
        SyncInboxRow.entity == entity, SyncInboxRow.deleted.is_(False)
    )
    query = select(table.c.id).where(table.c.id.not_in(sent))
    if entity in PARTLY_SYNCED:  # rows of the kind that never syncs are the desk's own
        query = query.where(PARTLY_SYNCED[entity](table))
    return list(session.execute(query).scalars())
