"""Re-applying a refused edit with one click, on top of the record as it is now.

A true clash (two desks changed the same field offline) is refused by the
server and rolled back here; the Conflicts list shows both versions side by
side. "Re-apply mine" writes this desk's values again as a new local edit of the
current record — captured and uploaded like any other edit, so the server judges
it against today's copy — and dismisses the conflict.
"""

from __future__ import annotations

import uuid
from typing import Any

from desktop.domain.errors import InvalidInput, NotFound
from desktop.store.database import Database
from desktop.store.models import Base
from desktop.store.sync_models import SyncConflictRow
from desktop.store.types import utc_now
from desktop.sync.codec import decode_fields, synced_table


def _model(entity: str) -> type[Any]:
    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == entity:
            return mapper.class_
    raise InvalidInput(f"“{entity}” cannot be re-applied.")


def reapply(database: Database, conflict_id: uuid.UUID) -> None:
    """Make this desk's refused edit again (raises NotFound if the record is gone)."""
    session = database.write_session()
    try:
        conflict = session.get(SyncConflictRow, conflict_id)
        if conflict is None or conflict.operation != "update" or not conflict.changed:
            raise InvalidInput("Only a refused change to a record can be re-applied.")
        record = session.get(_model(conflict.entity), conflict.entity_id)
        if record is None:
            raise NotFound("That record was deleted meanwhile; there is nothing to re-apply.")
        for name, value in decode_fields(synced_table(conflict.entity), conflict.changed).items():
            setattr(record, name, value)
        conflict.dismissed_at = utc_now()
        session.commit()
    finally:
        session.close()
