"""The start-up's quick schema check agrees with Alembic's own."""

from __future__ import annotations

from alembic import command

from desktop.store import migrate
from desktop.store.database import Database
from desktop.store.schema_version import is_newest, newest_revisions


def test_the_newest_revisions_read_from_the_scripts_are_alembics_heads() -> None:
    assert newest_revisions() == migrate.head_revisions()


def test_only_a_database_at_the_newest_schema_counts_as_newest(database_url: str) -> None:
    database = Database(database_url)
    assert not is_newest(database)  # empty: no schema at all
    config = migrate.alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010_sync_messages")
    assert not is_newest(database)  # an older schema
    migrate.upgrade(database)
    assert is_newest(database)
    database.dispose()
