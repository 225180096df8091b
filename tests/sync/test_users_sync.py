"""Users are managed on the server; every desk downloads them and signs them in offline."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from desktop.auth.authenticator import Authenticator, UserChanges
from desktop.auth.clock import ManualClock
from desktop.auth.errors import SessionExpired, SignInRefused
from desktop.auth.records import NewUser
from desktop.auth.sql_store import SqlAuthStore
from desktop.domain.errors import InvalidInput
from desktop.domain.roles import Role
from desktop.services.accounts import Accounts
from tests.sync.harness import PASSWORD, PASSWORDS, Desk, ServerSide

pytestmark = pytest.mark.postgres

NEW_PASSWORD = "a brand new password"


def signing_in_at(desk: Desk) -> Authenticator:
    # The desk's own clock runs an hour behind the server's: its sessions began
    # before anything the server does in the test.
    clock = ManualClock(datetime(2031, 3, 3, 8, 0, tzinfo=UTC))
    return Authenticator(SqlAuthStore(desk.database), clock=clock, passwords=PASSWORDS)


def reception_id(server: ServerSide):  # type: ignore[no-untyped-def]
    return next(u.id for u in server.authenticator.users() if u.username == "reception")


def test_a_server_user_signs_in_at_a_desk_while_it_is_offline(desks: list[Desk]) -> None:
    front, _ = desks
    front.close()  # no server connection at all: only the desk's own database
    signed_in = signing_in_at(front).sign_in("reception", PASSWORD)
    assert signed_in.user.role is Role.RECEPTIONIST
    with pytest.raises(SignInRefused):
        signing_in_at(front).sign_in("reception", "not the password at all")


def test_a_password_reset_on_the_server_reaches_the_desk_at_its_next_sync(
    desks: list[Desk], server: ServerSide
) -> None:
    front, _ = desks
    desk_auth = signing_in_at(front)
    token = desk_auth.sign_in("reception", PASSWORD).token
    server.authenticator.set_password(reception_id(server), NEW_PASSWORD)
    desk_auth.check(token)  # not synced yet: the desk knows nothing
    front.sync()
    with pytest.raises(SessionExpired):
        desk_auth.check(token)
    with pytest.raises(SignInRefused):
        desk_auth.sign_in("reception", PASSWORD)
    assert desk_auth.sign_in("reception", NEW_PASSWORD).user.username == "reception"


def test_a_user_deactivated_on_the_server_is_signed_out_at_the_desk(
    desks: list[Desk], server: ServerSide
) -> None:
    _, back = desks
    desk_auth = signing_in_at(back)
    token = desk_auth.sign_in("reception", PASSWORD).token
    server.authenticator.update_user(
        reception_id(server), UserChanges("Reception", Role.RECEPTIONIST, None, active=False)
    )
    back.sync()
    with pytest.raises(SessionExpired):
        desk_auth.check(token)
    with pytest.raises(SignInRefused, match="deactivated"):
        desk_auth.sign_in("reception", PASSWORD)


def test_sign_out_everywhere_on_the_server_reaches_each_desk_at_its_next_sync(
    desks: list[Desk], server: ServerSide
) -> None:
    front, back = desks
    at_front, at_back = signing_in_at(front), signing_in_at(back)
    reception = at_front.sign_in("reception", PASSWORD).token
    admin = at_front.sign_in("admin", PASSWORD).token  # someone else: not signed out
    reception_at_back = at_back.sign_in("reception", PASSWORD).token
    server.authenticator.end_sessions_of(reception_id(server))
    at_front.check(reception)  # not synced yet: the desk knows nothing
    front.sync()
    with pytest.raises(SessionExpired):
        at_front.check(reception)
    assert at_front.check(admin).user.username == "admin"
    at_back.check(reception_at_back)  # the back desk has not synced yet
    back.sync()
    with pytest.raises(SessionExpired):
        at_back.check(reception_at_back)
    # The password still works: signing in again is the point of signing out.
    assert at_back.sign_in("reception", PASSWORD).user.username == "reception"


def test_a_desk_does_not_manage_users_itself(desks: list[Desk]) -> None:
    front, _ = desks
    accounts = Accounts(front.database, passwords=PASSWORDS)
    with pytest.raises(InvalidInput, match="manage them on the server"):
        accounts.add_user(
            front.ctx, NewUser("temp", "Temp", Role.RECEPTIONIST, "temporary password")
        )


def _hashes(answer: dict[str, object]) -> dict[str, str]:
    changes = answer["changes"]
    assert isinstance(changes, list)
    return {
        c["row"]["username"]: c["row"]["password_hash"] for c in changes if c["entity"] == "users"
    }


def _snapshot_hashes(desk: Desk, replica_id: str | None) -> dict[str, str]:
    with desk.api.snapshot(replica_id) as chunks:
        lines = b"".join(chunks).decode().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('{"table":"users"'))
    rows = [json.loads(line) for line in lines[start + 1 : lines.index("\\.", start)]]
    return {row["username"]: row["password_hash"] for row in rows}


def test_password_hashes_go_only_to_registered_desks_and_never_for_deactivated_users(
    desks: list[Desk], server: ServerSide
) -> None:
    front, _ = desks
    replica = str(front.engine.state().replica_id)
    server.add_user("gone")
    gone = next(u for u in server.authenticator.users() if u.username == "gone")
    server.authenticator.update_user(
        gone.id, UserChanges(gone.display_name, gone.role, gone.practitioner_id, active=False)
    )
    # The desk that registered with the server: what it needs to sign people in offline.
    for_desk = _hashes(front.api.changes(0, 1000, replica_id=replica))
    assert for_desk["reception"].startswith("$argon2") and for_desk["admin"].startswith("$argon2")
    assert for_desk["gone"] == ""  # deactivated: signs in nowhere
    assert _snapshot_hashes(front, replica) == for_desk  # the bulk download says the same
    # Any other reader — a script with an API token, a made-up desk — gets no hashes.
    stranger = str(uuid.uuid4())
    for hashes in (
        _hashes(front.api.changes(0, 1000)),
        _hashes(front.api.changes(0, 1000, replica_id=stranger)),
        _snapshot_hashes(front, None),
        _snapshot_hashes(front, stranger),
    ):
        assert set(hashes) == {"admin", "reception", "gone"}
        assert set(hashes.values()) == {""}
    # The desk signs in the people it may, offline; the deactivated one not at all.
    front.sync()
    front.close()
    assert signing_in_at(front).sign_in("reception", PASSWORD).user.username == "reception"
    with pytest.raises(SignInRefused):
        signing_in_at(front).sign_in("gone", PASSWORD)
