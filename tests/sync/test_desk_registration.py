"""Who may add a desk to the server: only an administrator, because a registered desk
receives users' password hashes (for offline sign-in). Real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.server.desks import NEW_DESK_NEEDS_ADMIN, is_registered
from desktop.store.auth_models import UserRow
from desktop.store.database import Database
from desktop.sync.client import DeskNeedsAdmin
from desktop.sync.runner import SyncRunner, SyncState, SyncStatus
from desktop.sync.setup import connect_to_server
from desktop.sync.state import load_state
from tests.helpers import templates
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import PASSWORD, ServerSide, make_desk

pytestmark = pytest.mark.postgres


def _hashes(desk_database) -> list[str]:  # type: ignore[no-untyped-def]
    with desk_database.reading() as session:
        return [h for h in session.execute(select(UserRow.password_hash)).scalars() if h]


def test_a_receptionist_cannot_add_a_new_desk(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    desk = make_desk(tmp_path, "new-pc", server, username="reception", connected_by_admin=False)
    try:
        with pytest.raises(DeskNeedsAdmin) as refused:
            desk.sync()
        assert str(refused.value) == NEW_DESK_NEEDS_ADMIN
        replica_id = load_state(desk.database).replica_id  # type: ignore[union-attr]
        assert not is_registered(server.database, replica_id)
        assert load_state(desk.database).desk_code is None  # type: ignore[union-attr]
        assert _hashes(desk.database) == []  # nobody's password hash came down

        # The background sync says the same, in so many words, and keeps going.
        seen: list[SyncStatus] = []
        SyncRunner(desk.engine, on_status=seen.append).run_once()
        assert (seen[-1].state, seen[-1].message) == (SyncState.FAILED, NEW_DESK_NEEDS_ADMIN)
    finally:
        desk.close()


def test_a_desk_an_administrator_added_works_for_everyone(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    desk = make_desk(tmp_path, "front", server, username="admin", connected_by_admin=False)
    try:
        desk.sync()  # the administrator's first sync registers the PC
        assert load_state(desk.database).desk_code == "A"  # type: ignore[union-attr]
        # Later the receptionist signs in on that PC: it syncs, and asks for its code again.
        desk.api.sign_in("reception", PASSWORD, device="front")
        desk.sync()
        replica_id = str(load_state(desk.database).replica_id)  # type: ignore[union-attr]
        assert desk.api.register_desk(replica_id, "front")["code"] == "A"
        assert _hashes(desk.database)  # offline sign-in works on a registered desk
    finally:
        desk.close()


def test_a_refused_first_connection_leaves_the_pc_free_to_connect_anywhere(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    fresh = Database(templates.migrated_sqlite(tmp_path / "fresh.sqlite3"))
    try:
        with pytest.raises(DeskNeedsAdmin):
            connect_to_server(fresh, server.url, "reception", PASSWORD)
        assert load_state(fresh) is None  # not tied to that address (it may have been a typo)
        engine = connect_to_server(fresh, server.url, "admin", PASSWORD)
        assert load_state(fresh).desk_code == "A"  # type: ignore[union-attr]
        assert engine.pending() == 0
    finally:
        fresh.dispose()
