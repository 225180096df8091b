"""Reading the change log: what changed after a cursor, and current rows by id.

A page is read in one REPEATABLE READ transaction, so the log and the rows it
points at are one snapshot: a change listed as "not deleted" always comes with
its row. Change numbers are handed out in commit order (see migration 0006), so
a reader never sees number N while a smaller number is still to come.

Password hashes. Desks download users so that people sign in at any desk, also
offline — which needs each user's argon2id hash on the desk. Anyone else reading
the change log (a script, a third-party tool with an API token) has no use for
them, and a hash handed out can be attacked offline. So a users row carries its
`password_hash` only in a download for a *registered desk* (the request names the
replica id the desk registered with, `POST /v1/sync/desk`), and never for a
deactivated user, who may not sign in anywhere; otherwise the hash is sent empty,
which signs nobody in. Registering a desk is open to any signed-in user (a
practitioner's own PC in the studio is a desk too), and the desk's own database
holds the hashes whatever the API does: what this narrows is the API, not a desk.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from desktop.store.database import Database
from desktop.store.sync_models import SyncChangeRow
from desktop.sync.codec import encode_row, synced_table


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: list[dict[str, Any]]
    next: int
    has_more: bool
    total: int | None


def read_changes(
    database: Database, since: int, limit: int, with_total: bool, *, for_desk: bool = False
) -> ChangePage:
    """The changes after `since`; users' password hashes only `for_desk` (see above)."""
    with database.engine.connect().execution_options(
        isolation_level="REPEATABLE READ"
    ) as connection:
        log = connection.execute(
            select(SyncChangeRow.__table__)
            .where(SyncChangeRow.seq > since)
            .order_by(SyncChangeRow.seq)
            .limit(limit + 1)
        ).all()
        has_more = len(log) > limit
        log = log[:limit]
        wanted: dict[str, list[uuid.UUID]] = {}
        for change in log:
            if not change.deleted:
                wanted.setdefault(change.entity, []).append(change.entity_id)
        rows = current_rows(connection, wanted.items())
        for (entity, _), row in rows.items():
            if entity == "users":
                keep_hash_for_desks(row, for_desk)
        total = None
        if with_total:
            total = int(
                connection.execute(
                    select(func.count()).select_from(SyncChangeRow).where(SyncChangeRow.seq > since)
                ).scalar_one()
            )
        connection.rollback()
    changes = [
        {
            "seq": change.seq,
            "entity": change.entity,
            "id": str(change.entity_id),
            "version": change.version,
            "deleted": change.deleted,
            "row": None if change.deleted else rows.get((change.entity, change.entity_id)),
        }
        for change in log
    ]
    reached = log[-1].seq if log else since
    return ChangePage(changes, reached, has_more, total)


def current_rows(
    connection: Connection, wanted: Iterable[tuple[str, list[uuid.UUID]]]
) -> dict[tuple[str, uuid.UUID], dict[str, Any]]:
    """The stored rows, encoded for the wire, keyed by (entity, id); absent ones left out."""
    found: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    for entity, ids in wanted:
        table = synced_table(entity)
        for start in range(0, len(ids), 1000):
            result = connection.execute(
                select(table).where(table.c.id.in_(ids[start : start + 1000]))
            ).mappings()
            for row in result:
                found[(entity, row["id"])] = encode_row(table, dict(row))
    return found


def keep_hash_for_desks(user: dict[str, Any], for_desk: bool) -> None:
    """Empty an encoded users row's password hash unless a desk may have it."""
    if not (for_desk and user.get("active")):
        user["password_hash"] = ""


def latest_change(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.execute(select(func.coalesce(func.max(SyncChangeRow.seq), 0))).scalar_one()
        )
