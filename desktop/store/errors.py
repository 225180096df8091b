"""Why a database could not be opened, in words a clinic can act on."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used as it is. `str(error)` is one readable line."""


class DatabaseUnavailable(StoreError):
    """The server cannot be reached, or the file cannot be opened."""


class DatabaseCorrupt(StoreError):
    """The file is not a Frontdesk database, or is damaged."""


class SchemaTooNew(StoreError):
    """The database was written by a newer Frontdesk than this one."""


class SchemaOutdated(StoreError):
    """The database needs `frontdesk db upgrade` before this version can use it."""
