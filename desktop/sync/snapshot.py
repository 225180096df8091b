"""A desk's first sync as a bulk transfer: the server's snapshot, applied as it streams in.

The server sends every synced row at one change number (desktop/server/snapshot.py
has the format). The desk writes them in the same single transaction as it reads
them, and saves the snapshot's change number as its cursor in that transaction;
the next pull asks for the changes after it. A download cut off part-way, or one
that ends without its "end" line, rolls the whole transaction back: nothing is
half-applied and the next pass starts the download again.

"copy" rows are already in SQLite's storage form, so they go to the driver's
executemany as split text: nulls (\\N) become NULL inside SQLite (`nullif`), and
only a row with some other backslash escape is unescaped in Python. Rows are
written:

* straight into a table that holds nothing yet (a new desk: every table);
* otherwise (a desk told to download everything again) into a temporary copy of
  the table first, then merged: rows with local changes still waiting to upload
  are left alone, and rows the server no longer has are deleted (as a full
  incremental pull does, desktop/sync/pull.py).

"json" sections (users) are wire rows, applied as a pull applies them.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, update
from sqlalchemy.orm import Session

from desktop.store.database import Database
from desktop.store.sync_models import PARTLY_SYNCED, PULLED_ONLY, SyncInboxRow, SyncStateRow
from desktop.store.types import utc_now
from desktop.sync.client import Offline, ServerApi, ServerProtocolError
from desktop.sync.codec import synced_table
from desktop.sync.local_rows import applying_server_rows, pending_entities, upsert_wire_rows
from desktop.sync.pulled_users import end_outdated_sessions
from desktop.sync.state import load_state

FORMAT_VERSION = 1
END_OF_TABLE = "\\."
NULL = "\\N"
# phase, done, total — as desktop.sync.pull.Progress
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class SnapshotReport:
    rows: int
    cursor: int


def load_snapshot(database: Database, api: ServerApi, tell: Progress) -> SnapshotReport:
    """Replace the replica's synced rows with the server's snapshot, in one transaction."""
    state = load_state(database)
    replica = None if state is None else str(state.replica_id)
    with api.snapshot(replica) as chunks, applying_server_rows(database) as session:
        loader = _Loader(session, tell)
        for lines in _lines(chunks):
            loader.feed(lines)
        report = loader.finish()
        session.execute(delete(SyncInboxRow))
        # Synced as of the snapshot: the next pass pulls after it, even from change 0.
        session.execute(
            update(SyncStateRow).values(
                cursor=report.cursor, staged_cursor=None, last_synced_at=utc_now()
            )
        )
    return report


def _lines(chunks: Iterable[bytes]) -> Iterator[list[str]]:
    """Complete lines as they arrive (a line may be split across network chunks)."""
    tail = b""
    for chunk in chunks:
        data = tail + chunk if tail else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            tail = data
            continue
        tail = data[cut + 1 :]
        try:
            yield data[:cut].decode("utf-8").split("\n")
        except UnicodeDecodeError as exc:
            raise ServerProtocolError(f"The clinic's download was not understood: {exc}") from exc
    if tail:
        raise Offline("The clinic's download stopped part-way; it starts again next time.")


class _Loader:
    """Reads the snapshot's lines in order and writes each table's rows as they come."""

    def __init__(self, session: Session, tell: Progress) -> None:
        self.session = session
        self.connection = session.connection()
        self.tell = tell
        self.waiting = pending_entities(session)
        self.header: dict[str, Any] | None = None
        self.ended: dict[str, Any] | None = None
        self.section: _Section | None = None
        self.merged: list[str] = []
        self.done = 0

    def feed(self, lines: list[str]) -> None:
        at, count = 0, len(lines)
        while at < count:
            if self.section is None:
                self._control(lines[at])
                at += 1
                continue
            try:
                stop = lines.index(END_OF_TABLE, at)
            except ValueError:
                stop = count
            if stop > at:
                self.section.add(lines[at:stop])
                self.done += stop - at
                self.tell("download", self.done, self._total())
            at = stop
            if stop < count:
                self.section.close()
                self.section = None
                at += 1

    def _control(self, line: str) -> None:
        item = _control_line(line)
        if self.ended is not None:
            raise ServerProtocolError("The clinic's download went on after its end.")
        if self.header is None:
            if item.get("snapshot") != FORMAT_VERSION or not isinstance(item.get("cursor"), int):
                raise ServerProtocolError("The clinic's download is in a format this desk lacks.")
            self.header = item
        elif item.get("end") is True:
            self.ended = item
        else:
            self.section = self._open(item)

    def _open(self, item: dict[str, Any]) -> _Section:
        try:
            entity = str(item["table"])
            columns = [str(name) for name in item["columns"]]
            table = synced_table(entity)
        except (KeyError, TypeError, ValueError) as exc:
            raise ServerProtocolError(f"A table in the clinic's download: {exc}") from exc
        unknown = [name for name in columns if name not in table.columns]
        if unknown or "id" not in columns:
            raise ServerProtocolError(f"{entity} arrived with columns this desk lacks: {unknown}")
        if item.get("format") not in ("json", "copy"):
            raise ServerProtocolError(f"{entity} arrived in a format this desk lacks.")
        fresh = _is_empty(self.connection, entity) and not any(e == entity for e, _ in self.waiting)
        if not fresh:
            # Kept aside so that what the server no longer has can go at the end.
            self.merged.append(entity)
            _temporary_copy(self.connection, entity)
        if item["format"] == "json":
            return _WireRows(self.session, entity, self.waiting, merge=not fresh)
        target = entity if fresh else _temporary(entity)
        return _CopyRows(self.connection, entity, columns, target)

    def _total(self) -> int:
        return int(self.header["rows"]) if self.header else 0

    def finish(self) -> SnapshotReport:
        if self.header is None or self.ended is None or self.section is not None:
            raise Offline("The clinic's download stopped part-way; it starts again next time.")
        if self.ended.get("rows") != self.done:
            raise ServerProtocolError(
                f"The clinic's download held {self.done} rows, not {self.ended.get('rows')}."
            )
        for entity in reversed(self.merged):  # children before their parents
            _merge_deletions(self.connection, entity)
        for entity in self.merged:
            self.connection.exec_driver_sql(f'DROP TABLE temp."{_temporary(entity)}"')
        self.tell("apply", self.done, self.done)
        return SnapshotReport(self.done, int(self.header["cursor"]))


def _control_line(line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise ServerProtocolError(f"The clinic's download was not understood: {exc}") from exc
    if not isinstance(item, dict):
        raise ServerProtocolError("The clinic's download was not understood.")
    return item


class _Section:
    def add(self, lines: list[str]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _CopyRows(_Section):
    """COPY text rows into `target` (the table itself, or its temporary copy)."""

    def __init__(
        self, connection: Connection, entity: str, columns: list[str], target: str
    ) -> None:
        self.entity = entity
        self.target = target
        self.cursor = connection.connection.cursor()
        self.merge = target != entity
        self.columns = columns
        names = ", ".join(f'"{name}"' for name in columns)
        into = f'"{target}"' if not self.merge else f'temp."{target}"'
        # Nulls become NULL inside SQLite (no Python per value) …
        nullable = ", ".join(f"nullif(?, '{NULL}')" for _ in columns)
        self.plain_sql = f"INSERT INTO {into} ({names}) VALUES ({nullable})"
        # … except in rows with other escapes, unescaped (nulls included) in Python.
        self.escaped_sql = (
            f"INSERT INTO {into} ({names}) VALUES ({', '.join('?' for _ in columns)})"
        )

    def add(self, lines: list[str]) -> None:
        block = "\n".join(lines)
        if block.count("\\") == block.count(NULL):  # no backslash but the nulls'
            self.cursor.executemany(self.plain_sql, [line.split("\t") for line in lines])
            return
        plain, escaped = [], []
        for line in lines:
            if line.count("\\") == line.count(NULL):
                plain.append(line.split("\t"))
            else:
                escaped.append([_unescaped(field) for field in line.split("\t")])
        self.cursor.executemany(self.plain_sql, plain)
        self.cursor.executemany(self.escaped_sql, escaped)

    def close(self) -> None:
        if self.merge:
            _merge_rows(self.cursor, self.entity, self.columns)
        self.cursor.close()


class _WireRows(_Section):
    """Rows as /v1/sync/changes sends them (users), applied as a pull applies them."""

    def __init__(
        self, session: Session, entity: str, waiting: set[tuple[str, Any]], *, merge: bool
    ) -> None:
        self.session = session
        self.entity = entity
        self.waiting = waiting
        self.merge = merge
        self.rows: list[dict[str, Any]] = []

    def add(self, lines: list[str]) -> None:
        self.rows.extend(_control_line(line) for line in lines)

    def close(self) -> None:
        rows = [r for r in self.rows if (self.entity, _row_id(r)) not in self.waiting]
        # A pulled-only row may have moved on locally (a failed sign-in here): the
        # server's copy wins whatever the local version says.
        upsert_wire_rows(self.session, self.entity, rows, force=self.entity in PULLED_ONLY)
        if self.entity == "users":
            end_outdated_sessions(self.session, [_row_id(r) for r in rows])
        if self.merge and self.rows:  # the ids sent, for `_merge_deletions`
            self.session.connection().exec_driver_sql(
                f'INSERT INTO temp."{_temporary(self.entity)}" (id) VALUES (?)',
                [(_row_id(r).hex,) for r in self.rows],
            )


def _row_id(row: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(row["id"]))
    except (KeyError, ValueError) as exc:
        raise ServerProtocolError(f"A row in the clinic's download has no id: {exc}") from exc


_ESCAPE = re.compile(r"\\(.)")
_ESCAPED = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescaped(field: str) -> str | None:
    """One field of COPY's text format as its value."""
    if field == NULL:
        return None
    if "\\" not in field:
        return field
    return _ESCAPE.sub(lambda m: _ESCAPED.get(m.group(1), m.group(1)), field)


def _is_empty(connection: Connection, entity: str) -> bool:
    return connection.exec_driver_sql(f'SELECT 1 FROM "{entity}" LIMIT 1').first() is None


def _temporary(entity: str) -> str:
    return f"snapshot_{entity}"


def _temporary_copy(connection: Connection, entity: str) -> str:
    """An empty temporary table shaped like `entity` (the same column affinities)."""
    name = _temporary(entity)
    connection.exec_driver_sql(f'DROP TABLE IF EXISTS temp."{name}"')
    connection.exec_driver_sql(
        f'CREATE TEMP TABLE "{name}" AS SELECT * FROM main."{entity}" WHERE 0'
    )
    return name


def _not_waiting(entity: str, column: str) -> str:
    return f"{column} NOT IN (SELECT entity_id FROM main.sync_mutations WHERE entity = '{entity}')"


def _merge_rows(cursor: Any, entity: str, columns: list[str]) -> None:
    """The snapshot's rows over the table's (never over a row with changes waiting)."""
    names = ", ".join(f'"{name}"' for name in columns)
    updates = ", ".join(f'"{name}" = excluded."{name}"' for name in columns if name != "id")
    cursor.execute(
        f'INSERT INTO main."{entity}" ({names}) SELECT {names} FROM temp."{_temporary(entity)}" '
        f"WHERE {_not_waiting(entity, 'id')} "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )


def _merge_deletions(connection: Connection, entity: str) -> None:
    """Rows the server no longer has go (unless changes to them wait to upload)."""
    if entity in PULLED_ONLY:
        return
    synced = ""
    if entity in PARTLY_SYNCED:  # rows of the kind that never syncs are the desk's own
        condition = PARTLY_SYNCED[entity](synced_table(entity))
        compiled = condition.compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
        synced = f"AND {compiled} "
    connection.exec_driver_sql(
        f'DELETE FROM main."{entity}" WHERE id NOT IN (SELECT id FROM temp."{_temporary(entity)}") '
        f"{synced}AND {_not_waiting(entity, 'id')}"
    )
