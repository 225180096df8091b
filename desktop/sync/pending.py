"""The local mutations waiting to be uploaded, read in order and in whole groups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from desktop.store.database import Database
from desktop.store.sync_models import SyncMutationRow


@dataclass(frozen=True, slots=True)
class PendingMutation:
    position: int
    mutation_id: uuid.UUID
    group_id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    operation: str
    fields: dict[str, Any]
    base_version: int | None
    snapshot: dict[str, Any]
    base_fields: dict[str, Any] | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": str(self.mutation_id),
            "group": str(self.group_id),
            "entity": self.entity,
            "entity_id": str(self.entity_id),
            "op": self.operation,
            "base_version": self.base_version,
            "fields": self.fields,
            "base_fields": self.base_fields or {},
        }


def to_pending(row: SyncMutationRow) -> PendingMutation:
    return PendingMutation(
        position=row.position,
        mutation_id=row.mutation_id,
        group_id=row.group_id,
        entity=row.entity,
        entity_id=row.entity_id,
        operation=row.operation,
        fields=dict(row.fields or {}),
        base_version=row.base_version,
        snapshot=dict(row.snapshot or {}),
        base_fields=dict(row.base_fields or {}),
    )


def next_batch(database: Database, limit: int) -> list[PendingMutation]:
    """The oldest mutations, at most `limit` of them but never half a group.

    A group larger than `limit` is sent alone, whole: the server applies a group
    all or nothing.
    """
    with database.reading() as session:
        rows = session.execute(
            select(SyncMutationRow).order_by(SyncMutationRow.position).limit(limit + 1)
        ).scalars()
        batch = [to_pending(row) for row in rows]
        if len(batch) <= limit:
            return batch
        last_group = batch[limit].group_id
        whole = [m for m in batch[:limit] if m.group_id != last_group]
        if whole:
            return whole
        # The first group alone exceeds the limit: send all of it.
        group_rows = session.execute(
            select(SyncMutationRow)
            .where(SyncMutationRow.group_id == last_group)
            .order_by(SyncMutationRow.position)
        ).scalars()
        return [to_pending(row) for row in group_rows]
