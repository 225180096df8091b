"""The synced tables are named once: the API's schema and the server's checks follow."""

from __future__ import annotations

from desktop.server.apply import MODELS, WHAT
from desktop.server.schemas import EntityRef, MutationIn
from desktop.store.sync_models import PULLED_ONLY, PUSHED_TABLES, SYNCED_TABLES


def test_the_api_accepts_exactly_the_tables_desks_push() -> None:
    for model in (MutationIn, EntityRef):
        enum = model.model_json_schema()["properties"]["entity"]["enum"]
        assert enum == list(PUSHED_TABLES)
    assert "messaging_settings" in PUSHED_TABLES and "outgoing_messages" in PUSHED_TABLES
    assert not PULLED_ONLY & set(PUSHED_TABLES)


def test_the_server_checks_every_table_desks_push() -> None:
    assert set(MODELS) == set(WHAT) == set(PUSHED_TABLES)
    assert set(SYNCED_TABLES) == set(PUSHED_TABLES) | PULLED_ONLY
