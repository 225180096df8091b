"""Alembic environment: runs on a connection handed over by desktop.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from desktop.store.schema import metadata

config = context.config


def run_on(connection: Connection) -> None:
    # Batch mode lets ALTER-style migrations run on SQLite too.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when run through the alembic CLI
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        run_on(conn)
else:
    run_on(connection)
