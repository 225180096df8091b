"""Rows of the synced tables as JSON, and back: the wire format shared by replica and server.

A row travels as an object of column name → JSON value: UUIDs and dates as ISO
strings, instants as ISO strings with their UTC offset, JSON columns as they are.
Decoding is strict (wrong types, unknown columns, over-long text are refused with
`InvalidInput`), because the server decodes what any client sends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Float, Integer, String, Table, Uuid

from desktop.domain import fields
from desktop.domain.errors import InvalidInput
from desktop.store.schema import metadata
from desktop.store.sync_models import SYNCED_TABLES
from desktop.store.types import UTCDateTime

# Columns the store manages itself; a mutation never sets them.
MANAGED_COLUMNS = frozenset({"id", "version", "created_at", "updated_at"})


def synced_table(entity: str) -> Table:
    if entity not in SYNCED_TABLES:
        raise InvalidInput(f"“{entity}” is not something that can be synced.")
    return metadata.tables[entity]


def encode_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode_row(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """A row (column → Python value) as JSON-ready values."""
    return {column.name: encode_value(values.get(column.name)) for column in table.columns}


def decode_value(column: Column[Any], value: Any) -> Any:
    """One JSON value as the column's Python type, or InvalidInput saying what is wrong."""
    if value is None:
        if not column.nullable:
            raise InvalidInput(f"{column.table.name}.{column.name} cannot be empty.")
        return None
    kind = column.type
    try:
        if isinstance(kind, Uuid):
            return uuid.UUID(_text(value))
        if isinstance(kind, UTCDateTime):
            instant = datetime.fromisoformat(_text(value))
            if instant.tzinfo is None:
                raise ValueError("an instant needs its UTC offset")
            return instant.astimezone(UTC)  # overflows here, not in the database
        if isinstance(kind, Date):
            return date.fromisoformat(_text(value))
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise ValueError("expected true or false")
            return value
        if isinstance(kind, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("expected a whole number")
            if not -(2**31) <= value < 2**31:
                raise ValueError("number out of range")
            return value
        if isinstance(kind, Float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("expected a number")
            return float(value)
        if isinstance(kind, JSON):
            if not isinstance(value, dict | list):
                raise ValueError("expected an object or a list")
            return value
        if isinstance(kind, String):  # Text is a String too
            text = _text(value)
            if kind.length is not None and len(text) > kind.length:
                raise ValueError(f"longer than {kind.length} characters")
            return fields.storable_text(text, f"{column.table.name}.{column.name}")
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(f"{column.table.name}.{column.name}: {exc}.") from exc
    raise InvalidInput(f"{column.table.name}.{column.name} cannot be synced.")


def printable(text: str, limit: int = 60) -> str:
    """Untrusted text made safe to echo in a message (and to store: no NUL)."""
    cleaned = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return cleaned + ("…" if len(text) > limit else "")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def decode_fields(
    table: Table, fields: Mapping[str, Any], *, allow_managed: bool = False
) -> dict[str, Any]:
    """Column values from JSON; unknown columns (and managed ones, unless allowed) refused."""
    decoded: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in table.columns:
            raise InvalidInput(f"{table.name} has no field “{printable(name)}”.")
        if name in MANAGED_COLUMNS and not allow_managed:
            raise InvalidInput(f"{table.name}.{name} is set by the server.")
        decoded[name] = decode_value(table.columns[name], value)
    return decoded


def decode_row(table: Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """A whole row from the server (every column, managed ones included).

    The server's rows passed its own checks, so only the wire's strings are turned
    back into Python values (a first sync decodes hundreds of thousands of rows).
    """
    row: dict[str, Any] = {}
    for name, convert in _converters(table):
        value = data.get(name)
        row[name] = None if value is None else convert(value)
    return row


_CONVERTERS: dict[str, list[tuple[str, Callable[[Any], Any]]]] = {}


def _same(value: Any) -> Any:
    return value


def _converters(table: Table) -> list[tuple[str, Callable[[Any], Any]]]:
    found = _CONVERTERS.get(table.name)
    if found is None:
        found = []
        for column in table.columns:
            kind = column.type
            convert: Callable[[Any], Any] = _same
            if isinstance(kind, Uuid):
                convert = uuid.UUID
            elif isinstance(kind, UTCDateTime):
                convert = datetime.fromisoformat
            elif isinstance(kind, Date):
                convert = date.fromisoformat
            found.append((column.name, convert))
        _CONVERTERS[table.name] = found
    return found
