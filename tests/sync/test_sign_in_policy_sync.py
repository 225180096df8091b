"""Settings ▸ Sign-in is the clinic's: an administrator's change at one desk reaches the
others and the server's own sessions; nobody else's is accepted by the server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from desktop.auth.authenticator import Authenticator
from desktop.auth.records import SessionPolicy
from desktop.auth.sql_store import SqlAuthStore
from desktop.services.accounts import Accounts
from desktop.sync import conflicts
from desktop.sync.runner import SyncRunner, SyncState
from tests.sync.harness import PASSWORD, PASSWORDS, Desk, ServerSide, make_desk

pytestmark = pytest.mark.postgres

NEW = SessionPolicy(
    idle_timeout=timedelta(minutes=5), lifetime=timedelta(hours=8), remember_for=timedelta(days=7)
)


def policy_at(desk: Desk) -> SessionPolicy:
    return Accounts(desk.database, passwords=PASSWORDS).policy()


def test_an_admins_change_at_one_desk_reaches_the_other_desk_and_the_server(
    desks: list[Desk], server: ServerSide
) -> None:
    front, back = desks
    assert policy_at(back) == SessionPolicy()
    changes = Accounts(front.database, passwords=PASSWORDS).set_policy(front.ctx, NEW)
    assert changes.sign_in_policy
    front.sync()  # the front desk signed in to the server as an administrator
    assert server.authenticator.policy() == NEW
    # The server's own sessions follow the clinic's policy from their next sign-in.
    signed_in = server.authenticator.sign_in("reception", PASSWORD)
    assert signed_in.expires_at - server.clock.now() == timedelta(hours=8)
    assert signed_in.idle_timeout == timedelta(minutes=5)
    # The back desk's open window hears of it with its next pass.
    runner = SyncRunner(back.engine)
    runner.run_once()
    assert runner.status.state is SyncState.SYNCED
    assert "sign_in_policy" in runner.status.pulled
    assert policy_at(back) == NEW
    runner.run_once()  # nothing new: nothing for the idle lock to re-read
    assert "sign_in_policy" not in runner.status.pulled


def test_edits_of_different_settings_at_two_desks_both_stand(
    desks: list[Desk], server: ServerSide
) -> None:
    front, back = desks
    Accounts(front.database, passwords=PASSWORDS).set_policy(
        front.ctx, SessionPolicy(idle_timeout=timedelta(minutes=5))
    )
    Accounts(back.database, passwords=PASSWORDS).set_policy(
        back.ctx, SessionPolicy(lifetime=timedelta(hours=9))
    )
    front.sync()
    back.sync()
    front.sync()
    both = SessionPolicy(idle_timeout=timedelta(minutes=5), lifetime=timedelta(hours=9))
    assert policy_at(front) == policy_at(back) == server.authenticator.policy() == both


def test_a_receptionists_push_is_refused_as_a_conflict(
    tmp_path: Path, desks: list[Desk], server: ServerSide
) -> None:
    studio = make_desk(tmp_path, "studio", server, username="reception")
    try:
        studio.sync()
        # Settings ▸ Sign-in refuses a receptionist on the desk; a desk that writes the
        # row anyway (an old version, a hand-edited file) is stopped by the server.
        Authenticator(SqlAuthStore(studio.database), passwords=PASSWORDS).set_policy(NEW)
        assert policy_at(studio) == NEW
        studio.sync()
        assert server.authenticator.policy() == SessionPolicy()
        assert policy_at(studio) == SessionPolicy()  # undone: the server's copy again
        (refused,) = conflicts.open_conflicts(studio.database)
        assert refused.entity == "sign_in_policy"
        assert refused.code == "permission_denied"
        assert "Only an administrator can change how long sign-ins last" in refused.reason
    finally:
        studio.close()


def test_the_snapshot_carries_the_policy_to_a_fresh_desk(
    tmp_path: Path, desks: list[Desk], server: ServerSide
) -> None:
    front, _ = desks
    Accounts(front.database, passwords=PASSWORDS).set_policy(front.ctx, NEW)
    front.sync()
    fresh = make_desk(tmp_path, "fresh", server)
    try:
        assert policy_at(fresh) == SessionPolicy()  # a new database: the defaults
        fresh.sync()
        assert policy_at(fresh) == NEW
    finally:
        fresh.close()
