"""The whole clinic at one change number, streamed: a desk's first sync as a bulk transfer.

A new desk (or one told to download the clinic again, 410 `resync_required`)
asks `GET /v1/sync/snapshot` once instead of paging through the change log. The
server answers from one REPEATABLE READ transaction: the change number it reports
and every row it sends are one consistent view, and change numbers are handed out
in commit order (migration 0006), so the desk then pulls the changes after that
number and misses nothing made during the transfer.

The body is UTF-8 text, one item per line:

    {"snapshot": 1, "cursor": 1234, "rows": 412345}
    {"table": "appointments", "format": "copy", "columns": ["id", …], "rows": 100000}
    …rows in PostgreSQL's COPY text format: tab-separated, \\N for null, backslash escapes…
    \\.
    {"table": "users", "format": "json", "columns": […], "rows": 3}
    …one row per line, as /v1/sync/changes sends rows…
    \\.
    {"end": true, "rows": 412345}

"copy" rows come straight out of PostgreSQL's COPY in the replica's storage form
(UUIDs as 32 hex digits, instants as naive UTC "YYYY-MM-DD HH:MM:SS.ffffff",
booleans 0/1, JSON as its text), so the desk hands them to SQLite as they arrive
(desktop/sync/snapshot.py) — no row is built, encoded or decoded in Python on
either side. A stream that stops before the "end" line is incomplete: the desk
applies nothing of it.

Tables whose rows may be narrowed per row for the asking user (`ROW_BY_ROW`:
users) are built by `current_rows`, the same function that builds the rows of
/v1/sync/changes, so both routes send the same rows — users' password hashes
only to a registered desk (desktop/server/change_log.py); so is a table with a
column type that has no stored form here (a later column type still syncs, only
slower). Of the tables only partly synced (`PARTLY_SYNCED`: message jobs, not
Xero's) only those rows are sent.

A desk asking for it (Accept-Encoding: gzip) gets the body gzipped as it streams
(`gzipped`): the text shrinks several times, which a clinic syncing over the
internet feels.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Generator, Iterator
from contextlib import closing
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    Float,
    Integer,
    String,
    Table,
    Uuid,
    func,
    select,
    true,
)

from desktop.server.change_log import current_rows, keep_hash_for_desks
from desktop.store.database import Database
from desktop.store.sync_models import (
    PARTLY_SYNCED,
    PULLED_ONLY,
    SYNCED_TABLES,
    SyncChangeRow,
    SyncLogStateRow,
)
from desktop.store.types import UTCDateTime
from desktop.sync.codec import synced_table

FORMAT_VERSION = 1
MEDIA_TYPE = "text/plain; charset=utf-8"
ROW_BY_ROW = PULLED_ONLY
END_OF_TABLE = b"\\.\n"
CHUNK_BYTES = 1 << 20  # one write to the socket per megabyte, not per row
GZIP_LEVEL = 6  # zlib's default: the link, not the server's CPU, is the slow part
GZIP_WINDOW = 16 + zlib.MAX_WBITS  # a gzip header and trailer, as Content-Encoding: gzip means


def snapshot_stream(database: Database, *, for_desk: bool = False) -> Generator[bytes]:
    """The snapshot's bytes, a megabyte at a time (read lazily, as the client takes them);
    users' password hashes only `for_desk`."""
    with database.engine.connect().execution_options(
        isolation_level="REPEATABLE READ"
    ) as connection:
        # The first statement fixes the transaction's view; everything below shares it.
        cursor = snapshot_cursor(connection)
        counts = {
            entity: int(
                connection.execute(
                    select(func.count()).select_from(synced_table(entity)).where(_synced(entity))
                ).scalar_one()
            )
            for entity in SYNCED_TABLES
        }
        # For the desk's progress bar; the end line says how many rows were really sent.
        total = sum(counts.values())
        yield _line({"snapshot": FORMAT_VERSION, "cursor": cursor, "rows": total})
        sent = _Sent()
        for entity in SYNCED_TABLES:
            table = synced_table(entity)
            by_row = entity in ROW_BY_ROW or not copyable(table)
            header = {
                "table": entity,
                "format": "json" if by_row else "copy",
                "columns": [column.name for column in table.columns],
                "rows": counts[entity],
            }
            yield _line(header)
            if by_row:
                yield from _json_rows(connection, table, sent, for_desk)
            else:
                yield from _copied_rows(connection, table, sent)
            yield END_OF_TABLE
        yield _line({"end": True, "rows": sent.rows})
        connection.rollback()


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header lets the answer be gzipped (not "gzip;q=0")."""
    for offer in accept_encoding.lower().split(","):
        name, _, params = offer.partition(";")
        if name.strip() in ("gzip", "x-gzip"):
            quality = params.strip().removeprefix("q=").strip() or "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def gzipped(chunks: Generator[bytes]) -> Iterator[bytes]:
    """The stream gzipped as it goes: each piece is sent once zlib has some, and the
    whole body is never held. The source is closed with it (a client that hangs up
    ends the snapshot's transaction)."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WINDOW)
    with closing(chunks):
        for chunk in chunks:
            packed = compressor.compress(chunk)
            if packed:
                yield packed
    yield compressor.flush()


def snapshot_cursor(connection: Connection) -> int:
    """The change number the snapshot stands at.

    Trimmed tombstones are gone from the log, so the newest remaining change can
    be older than the newest trimmed one; the desk must start after both, or its
    next pull would be told to download everything again.
    """
    latest = connection.execute(select(func.coalesce(func.max(SyncChangeRow.seq), 0))).scalar_one()
    trimmed = connection.execute(
        select(func.coalesce(func.max(SyncLogStateRow.trimmed_through), 0))
    ).scalar_one()
    return max(int(latest), int(trimmed))


def _line(item: dict[str, Any]) -> bytes:
    return json.dumps(item, separators=(",", ":")).encode() + b"\n"


class _Sent:
    rows = 0


def _synced(entity: str) -> ColumnElement[bool]:
    """Which rows of the table are synced (all but for `PARTLY_SYNCED` tables)."""
    narrow = PARTLY_SYNCED.get(entity)
    return true() if narrow is None else narrow(synced_table(entity))


def _json_rows(
    connection: Connection, table: Table, sent: _Sent, for_desk: bool
) -> Iterator[bytes]:
    ids = list(connection.execute(select(table.c.id).where(_synced(table.name))).scalars())
    rows = current_rows(connection, [(table.name, ids)])
    for ident in ids:
        row = rows.get((table.name, ident))
        if row is not None:
            if table.name == "users":
                keep_hash_for_desks(row, for_desk)
            sent.rows += 1
            yield _line(row)


def _copied_rows(connection: Connection, table: Table, sent: _Sent) -> Iterator[bytes]:
    columns = ", ".join(str(stored_form(column)) for column in table.columns)
    where = ""
    if table.name in PARTLY_SYNCED:
        condition = _synced(table.name).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
        where = f" WHERE {condition}"
    sql = f'COPY (SELECT {columns} FROM "{table.name}"{where}) TO STDOUT'
    raw = connection.connection.dbapi_connection
    assert raw is not None
    buffer = bytearray()
    cursor = raw.cursor()
    with cursor.copy(sql) as copy:
        for data in copy:
            buffer += data
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
    sent.rows += max(cursor.rowcount, 0)
    if buffer:
        yield bytes(buffer)


def copyable(table: Table) -> bool:
    """Whether every column has a stored form (a table that has not goes row by row)."""
    return all(stored_form(column) is not None for column in table.columns)


def stored_form(column: Column[Any]) -> str | None:
    """SQL turning a PostgreSQL column into the text SQLite keeps for it on a replica."""
    name = f'"{column.name}"'
    kind = column.type
    if isinstance(kind, Uuid):
        return f"replace({name}::text, '-', '')"
    if isinstance(kind, UTCDateTime):
        return f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    if isinstance(kind, Date):
        return f"to_char({name}, 'YYYY-MM-DD')"
    if isinstance(kind, Boolean):
        return f"{name}::int"
    if isinstance(kind, JSON):
        # A JSON null arrives on the desk as no value, as an incremental pull leaves it.
        return f"nullif({name}::text, 'null')"
    if isinstance(kind, Integer | Float | String):  # Text is a String too
        return name
    return None
