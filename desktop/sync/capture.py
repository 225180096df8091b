"""Every local write to a synced table becomes a mutation, in the same transaction.

Listeners on SQLAlchemy's `Session` watch the flushes of a replica's database
(`enable_capture`): after each flush, every inserted, updated or deleted row of a
synced table is written to `sync_mutations` on the same connection, so a write is
never committed without its mutation, nor a mutation without its write. No
service needs to know: a booking, a move, a deactivation are all captured alike.

* One local transaction is one *group*: the server applies or refuses its
  mutations together (a class and its first attendee; a deactivation and the
  cancellations it made).
* An update carries only the columns that changed and the version it was made
  on (its base), so the server can refuse an edit made on a stale copy.
* Bulk `update()`/`delete()` statements on synced tables would escape capture, so
  on a replica they are refused outright rather than silently not synced.
* Sessions that apply the server's rows set `session.info[APPLYING_SERVER_ROWS]`
  and are not captured.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, event, insert, inspect
from sqlalchemy.orm import InstanceState, ORMExecuteState, Session, UOWTransaction

from desktop.store.database import Database
from desktop.store.sync_models import PUSHED_TABLES, SyncMutationRow
from desktop.store.types import utc_now
from desktop.sync.codec import MANAGED_COLUMNS, encode_value

APPLYING_SERVER_ROWS = "frontdesk_applying_server_rows"
_GROUP = "frontdesk_sync_group"
_CAPTURED = "frontdesk_sync_captured"
_ORDER = {name: index for index, name in enumerate(PUSHED_TABLES)}

CommitListener = Callable[[], None]

_lock = threading.Lock()
_engines: weakref.WeakKeyDictionary[Engine, list[CommitListener]] = weakref.WeakKeyDictionary()
_installed = False


class CaptureBypassed(RuntimeError):
    """A bulk statement would change synced rows without recording mutations."""


def enable_capture(database: Database) -> None:
    """Record mutations for every write through `database` from now on (idempotent)."""
    global _installed  # the Session-level listeners are installed once per process
    with _lock:
        _engines.setdefault(database.engine, [])
        if not _installed:
            event.listen(Session, "after_flush", _after_flush)
            event.listen(Session, "after_commit", _after_commit)
            event.listen(Session, "after_rollback", _forget_group)
            event.listen(Session, "do_orm_execute", _refuse_bulk_writes)
            _installed = True


def disable_capture(database: Database) -> None:
    with _lock:
        _engines.pop(database.engine, None)


def is_capturing(database: Database) -> bool:
    return database.engine in _engines


def on_local_commit(database: Database, listener: CommitListener) -> None:
    """Call `listener()` after each commit that recorded mutations (e.g. to push soon)."""
    with _lock:
        _engines.setdefault(database.engine, []).append(listener)


def _captures(session: Session) -> bool:
    if session.info.get(APPLYING_SERVER_ROWS):
        return False
    bind = session.bind
    return isinstance(bind, Engine) and bind in _engines


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    if not _captures(session):
        return
    records = _mutations(session)
    if not records:
        return
    group = session.info.setdefault(_GROUP, uuid.uuid4())
    now = utc_now()
    for record in records:
        record["group_id"] = group
        record["created_at"] = now
    session.connection().execute(insert(SyncMutationRow), records)
    session.info[_CAPTURED] = True


def _after_commit(session: Session) -> None:
    captured = session.info.pop(_CAPTURED, False)
    session.info.pop(_GROUP, None)
    bind = session.bind
    if captured and isinstance(bind, Engine):
        for listener in list(_engines.get(bind, ())):
            listener()


def _forget_group(session: Session) -> None:
    session.info.pop(_GROUP, None)
    session.info.pop(_CAPTURED, None)


def _refuse_bulk_writes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert) or not _captures(state.session):
        return
    tables = {str(getattr(m.local_table, "name", "")) for m in state.all_mappers}
    tables.add(str(getattr(getattr(state.statement, "table", None), "name", "")))
    if tables & set(PUSHED_TABLES):
        raise CaptureBypassed(
            "Bulk statements on synced tables are not captured for sync; "
            "change the rows through the ORM instead."
        )


def _synced(states: Iterable[Any]) -> list[InstanceState[Any]]:
    found = []
    for obj in states:
        state = inspect(obj)
        table = getattr(state.mapper, "local_table", None)
        if table is not None and getattr(table, "name", None) in _ORDER:
            found.append(state)
    return found


def _table_name(state: InstanceState[Any]) -> str:
    return str(state.mapper.local_table.name)  # type: ignore[attr-defined]


def _mutations(session: Session) -> list[dict[str, Any]]:
    """Saves parents first, then deletes children first — the order the flush ran in."""
    inserted = sorted(_synced(session.new), key=lambda s: _ORDER[_table_name(s)])
    updated = sorted(
        (s for s in _synced(session.dirty) if s not in inserted),
        key=lambda s: _ORDER[_table_name(s)],
    )
    deleted = sorted(_synced(session.deleted), key=lambda s: -_ORDER[_table_name(s)])
    records = [_insert(state) for state in inserted]
    records += [r for r in (_update(state) for state in updated) if r is not None]
    records += [_delete(state) for state in deleted]
    return records


def _values(state: InstanceState[Any]) -> dict[str, Any]:
    return {
        prop.columns[0].name: encode_value(state.dict.get(prop.key))
        for prop in state.mapper.column_attrs
    }


def _record(state: InstanceState[Any], operation: str, **extra: Any) -> dict[str, Any]:
    return {
        "mutation_id": uuid.uuid4(),
        "entity": _table_name(state),
        "entity_id": state.dict["id"],
        "operation": operation,
        "base_fields": None,
        **extra,
    }


def _insert(state: InstanceState[Any]) -> dict[str, Any]:
    values = _values(state)
    fields = {k: v for k, v in values.items() if k not in MANAGED_COLUMNS}
    return _record(state, "insert", fields=fields, base_version=None, snapshot=values)


def _update(state: InstanceState[Any]) -> dict[str, Any] | None:
    fields: dict[str, Any] = {}
    before: dict[str, Any] = {}
    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        if column.name in MANAGED_COLUMNS:
            continue
        history = state.attrs[prop.key].history
        if history.added:
            fields[column.name] = encode_value(history.added[0])
            if history.deleted:  # what it was: lets the server merge field by field
                before[column.name] = encode_value(history.deleted[0])
    if not fields:
        return None  # only relationships changed: no UPDATE was issued, no version bump
    # After the flush the row already carries its new version; the base is the one before.
    base = int(state.dict["version"]) - 1
    return _record(
        state,
        "update",
        fields=fields,
        base_version=base,
        snapshot=_values(state),
        base_fields=before,
    )


def _delete(state: InstanceState[Any]) -> dict[str, Any]:
    return _record(
        state,
        "delete",
        fields={},
        base_version=int(state.dict["version"]),
        snapshot=_values(state),
    )
