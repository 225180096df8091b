"""Whether a local database follows a server, known without loading the sync layer.

Every start asks this; `desktop.sync` (its capture hooks, codec and every model
it reaches) loads only for a desk that does follow a server.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from desktop.store.database import Database


def follows_a_server(database: Database) -> bool:
    """True for an embedded replica bound to a server (its one `sync_state` row)."""
    if database.dialect != "sqlite":
        return False  # the server's own database, or a desk talking to it directly
    try:
        with database.engine.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM sync_state LIMIT 1")).first()
    except DBAPIError:  # no sync table yet: certainly not bound
        return False
    return found is not None
