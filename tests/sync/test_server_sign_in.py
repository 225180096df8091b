"""The sign-in prompt that lets a PC carry on syncing after the server ended its session."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.auth.remembered import RememberedSignIn
from desktop.store.models import AppointmentRow
from desktop.sync.client import ServerCredentials
from desktop.sync.runner import SyncRunner, SyncState
from desktop.ui.sync.server_sign_in import ServerSignInDialog
from tests.auth.keyrings import ThreadNotingKeyring, using_keyring
from tests.helpers.background import settle
from tests.sync.harness import PASSWORD, make_desk
from tests.sync.test_network import book_three, signed_out_by_an_administrator

pytestmark = pytest.mark.postgres


def test_signing_in_again_from_the_prompt_resumes_sync(
    qtbot, desks, server, clinic_on_server, tmp_path
) -> None:
    front, _ = desks
    runner = SyncRunner(front.engine)
    book_three(front, clinic_on_server)
    signed_out_by_an_administrator(server)
    assert runner.run_once() is None
    assert runner.status.state is SyncState.SIGNED_OUT

    dialog = ServerSignInDialog(runner, "You were signed out by an administrator.")
    qtbot.addWidget(dialog)
    assert dialog.username.text() == ""  # the session was dropped with the revocation
    dialog.username.setText("admin")
    dialog.password.setText("not the password")
    dialog.sign_in_button.click()
    assert dialog.sign_in_button.text() == "Checking…"  # the server answers in the background
    assert not dialog.sign_in_button.isEnabled()
    settle(qtbot)
    assert dialog.result() != ServerSignInDialog.DialogCode.Accepted
    assert dialog.problem.isVisibleTo(dialog)
    assert "incorrect" in dialog.problem.text()
    assert dialog.sign_in_button.isEnabled()
    dialog.grab().save(str(tmp_path / "server-sign-in.png"))

    dialog.password.setText(PASSWORD)
    dialog.sign_in_button.click()
    settle(qtbot)
    assert dialog.result() == ServerSignInDialog.DialogCode.Accepted
    runner.run_once()
    assert runner.status.state is SyncState.SYNCED
    with server.database.reading() as session:
        assert session.execute(select(func.count()).select_from(AppointmentRow)).scalar() == 3


def test_the_new_secret_is_remembered_off_the_gui_thread(
    qtbot, server, clinic_on_server, tmp_path
) -> None:
    keyring = ThreadNotingKeyring()
    with using_keyring(keyring):
        remembered = RememberedSignIn(f"frontdesk-server {server.url}")
        desk = make_desk(
            tmp_path, "front", server, credentials=ServerCredentials(remembered=remembered)
        )
        try:
            runner = SyncRunner(desk.engine)
            signed_out_by_an_administrator(server)
            assert runner.run_once() is None
            assert runner.status.state is SyncState.SIGNED_OUT
            keyring.calls.clear()
            dialog = ServerSignInDialog(runner, "You were signed out by an administrator.")
            qtbot.addWidget(dialog)
            dialog.username.setText("admin")
            dialog.password.setText(PASSWORD)
            dialog.sign_in_button.click()
            settle(qtbot)
            assert dialog.result() == ServerSignInDialog.DialogCode.Accepted
        finally:
            desk.close()
        assert "set" in keyring.made()
        assert keyring.on_the_gui_thread() == []
        stored = remembered.load()
    assert stored is not None and stored.username == "admin"
