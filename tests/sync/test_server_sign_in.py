"""The sign-in prompt that lets a PC carry on syncing after the server ended its session."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.store.models import AppointmentRow
from desktop.sync.runner import SyncRunner, SyncState
from desktop.ui.sync.server_sign_in import ServerSignInDialog
from tests.sync.harness import PASSWORD
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
    assert not dialog.sign_in()
    assert dialog.problem.isVisibleTo(dialog)
    assert "incorrect" in dialog.problem.text()
    dialog.grab().save(str(tmp_path / "server-sign-in.png"))

    dialog.password.setText(PASSWORD)
    assert dialog.sign_in()
    runner.run_once()
    assert runner.status.state is SyncState.SYNCED
    with server.database.reading() as session:
        assert session.execute(select(func.count()).select_from(AppointmentRow)).scalar() == 3
