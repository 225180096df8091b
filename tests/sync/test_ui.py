"""The sync widgets: status line, conflicts list, server page with its first-sync progress."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.sync import conflicts
from desktop.sync.pending import PendingMutation
from desktop.sync.runner import SyncState, SyncStatus
from desktop.sync.state import bind_replica
from desktop.ui.background_work import BackgroundWork
from desktop.ui.change_bus import ChangeBus
from desktop.ui.sync import ConflictsDialog, ServerSettingsPage, SyncStatusWidget
from desktop.ui.sync.wiring import SyncWiring
from tests.helpers import templates
from tests.helpers.background import settle
from tests.helpers.clinic import make_clinic
from tests.sync.harness import PASSWORD, ServerSide, table_contents


@pytest.fixture
def local(sqlite_url: str):  # type: ignore[no-untyped-def]
    database = Database(templates.migrated(sqlite_url))
    yield database
    database.dispose()


def test_the_status_widget_says_how_sync_stands(qtbot) -> None:
    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    widget.show_status(SyncStatus(SyncState.OFFLINE, pending=2))
    assert widget.state_button.text() == "Offline — 2 changes waiting to upload"
    assert widget.conflicts_button.isHidden()
    widget.show_status(
        SyncStatus(
            SyncState.SYNCED, conflicts=1, last_synced_at=datetime(2031, 3, 3, 9, 5, tzinfo=UTC)
        )
    )
    assert widget.state_button.text() == "Synced 09:05"
    assert widget.conflicts_button.text() == "1 conflict to review"
    widget.show_status(SyncStatus(SyncState.SYNCING, progress=("download", 500, 2000)))
    assert widget.state_button.text() == "Downloading 500 of 2,000…"


def test_the_conflicts_dialog_lists_refusals_and_dismisses_them(qtbot, local) -> None:
    import uuid

    session = local.write_session()
    for n in range(2):
        mutation = PendingMutation(
            n, uuid.uuid4(), uuid.uuid4(), "appointments", uuid.uuid4(), "insert", {}, None, {}
        )
        conflicts.record(
            session, mutation, "double_booking", "Alice Physio is already booked …", f"New #{n}"
        )
    session.commit()
    session.close()
    dialog = ConflictsDialog(local)
    qtbot.addWidget(dialog)
    settle(qtbot)  # read in the background
    assert dialog.model.rowCount() == 2
    assert "Alice Physio is already booked" in dialog.model.data(dialog.model.index(0, 2))
    dialog.table.selectRow(0)
    dialog.dismiss_selected()
    settle(qtbot)
    assert dialog.model.rowCount() == 1
    dialog.dismiss_all()
    settle(qtbot)
    assert conflicts.open_conflicts(local) == []


def test_a_clash_shows_both_versions_and_reapplies_mine(qtbot, local, tmp_path) -> None:
    import uuid

    from desktop.services import patients

    clinic = make_clinic(ServiceContext.for_system(local))
    jo = clinic.patients[2]  # not the first
    session = local.write_session()
    mutation = PendingMutation(
        1, uuid.uuid4(), uuid.uuid4(), "patients", jo.id, "update",
        {"email": "jo@back.example"}, 1, {"first_name": "Jo", "last_name": "Citizen"},
    )  # fmt: skip
    conflicts.record(session, mutation, "stale_edit", "Changed by someone else.", "Jo Citizen")
    session.commit()
    session.close()
    dialog = ConflictsDialog(local)
    qtbot.addWidget(dialog)
    settle(qtbot)
    dialog.resize(1366, 768)
    assert dialog.versions.isHidden() and not dialog.reapply_button.isEnabled()
    dialog.table.selectRow(0)
    shown = [
        [dialog.versions.item(0, column).text() for column in range(3)],
    ]
    assert shown == [["email", "jo@back.example", jo.email]]
    assert dialog.reapply_button.isEnabled()
    dialog.show()
    dialog.grab().save(str(tmp_path / "conflicts.png"))
    qtbot.mouseClick(dialog.reapply_button, Qt.MouseButton.LeftButton)
    assert not dialog.dismiss_button.isEnabled()  # while it re-applies
    settle(qtbot)
    assert patients.get_patient(ServiceContext.for_system(local), jo.id).email == "jo@back.example"
    assert dialog.model.rowCount() == 0


def test_conflicts_show_times_in_the_clinics_zone(qtbot, local, tmp_path) -> None:
    """Issue 18: when a change was refused, and the appointment times it names, read
    in the clinic's time zone (Sydney here), never in UTC."""
    import uuid

    from sqlalchemy import update

    from desktop.store.sync_models import SyncConflictRow
    from tests.helpers.clinic import book_at

    clinic = make_clinic(ServiceContext.for_system(local))
    booked = book_at(ServiceContext.for_system(local), clinic, 9).appointment
    new = {
        "appointment_type_id": str(clinic.consult.id),
        "patient_id": str(clinic.patients[0].id),
        "practitioner_id": str(clinic.alice.id),
        "starts_at": clinic.at(14).isoformat(),  # 03:00 UTC
    }
    inserted = PendingMutation(
        1, uuid.uuid4(), uuid.uuid4(), "appointments", uuid.uuid4(), "insert", new, None, new
    )
    move = {"starts_at": clinic.at(11).isoformat()}
    moved = PendingMutation(
        2, uuid.uuid4(), uuid.uuid4(), "appointments", booked.id, "update", move, 1,
        {**new, "id": str(booked.id), **move},
    )  # fmt: skip
    session = local.write_session()
    for mutation in (inserted, moved):
        summary = conflicts.describe(session, mutation)
        conflicts.record(session, mutation, "double_booking", "Already booked.", summary)
    session.execute(  # refused at 23:30 UTC on Sunday: 10:30 on Monday in Sydney
        update(SyncConflictRow).values(created_at=datetime(2031, 3, 2, 23, 30, tzinfo=UTC))
    )
    session.commit()
    session.close()

    dialog = ConflictsDialog(local)
    qtbot.addWidget(dialog)
    settle(qtbot)
    rows = {
        dialog.model.data(dialog.model.index(row, 1)): dialog.model.data(dialog.model.index(row, 0))
        for row in range(dialog.model.rowCount())
    }
    assert rows == {
        "New appointment: Consult, Sam Lee, Alice Physio, Mon 3 Mar 2031, 2:00 pm": "03 Mar 10:30",
        "Change to appointment: Consult, Sam Lee, Alice Physio, Mon 3 Mar 2031, 11:00 am": (
            "03 Mar 10:30"
        ),
    }
    move_row = next(
        row
        for row in range(dialog.model.rowCount())
        if "Change to" in dialog.model.data(dialog.model.index(row, 1))
    )
    dialog.table.selectRow(move_row)
    shown = [dialog.versions.item(0, column).text() for column in range(3)]
    assert shown == ["starts at", "Mon 3 Mar 2031, 11:00 am", "Mon 3 Mar 2031, 9:00 am"]
    dialog.resize(1100, 500)
    dialog.show()
    dialog.grab().save(str(tmp_path / "conflict_times.png"))


@pytest.mark.postgres
def test_the_server_page_connects_and_shows_first_sync_progress(
    qtbot, local, server: ServerSide
) -> None:
    make_clinic(server.ctx)
    page = ServerSettingsPage(local)
    qtbot.addWidget(page)
    assert not page.connect_button.isEnabled()  # until it knows whether it follows one
    settle(qtbot)
    assert page.connect_button.isEnabled() and not page.url_edit.isReadOnly()
    seen: list[int] = []
    page.signals.progress.connect(lambda phase, done, total: seen.append(done))
    page.url_edit.setText(server.url)
    page.username_edit.setText("admin")
    page.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(page.connected, timeout=60_000):
        page.connect_button.click()
    assert seen and page.progress_bar.value() == page.progress_bar.maximum()
    assert page.url_edit.isReadOnly()
    assert table_contents(local) == table_contents(server.database)


@pytest.mark.postgres
def test_only_an_administrator_connects_a_pc_the_first_time(
    qtbot, local, server: ServerSide, shots
) -> None:
    """A new desk receives everyone's password hashes: a receptionist cannot add one,
    and is told plainly whom to ask; an administrator then connects it."""
    from desktop.server.desks import NEW_DESK_NEEDS_ADMIN

    make_clinic(server.ctx)
    page = ServerSettingsPage(local)
    qtbot.addWidget(page)
    settle(qtbot)  # it reads whether this PC follows a server yet
    page.resize(520, 300)
    page.url_edit.setText(server.url)
    page.username_edit.setText("reception")
    page.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(page.failed, timeout=60_000):
        page.connect_button.click()
    assert page.message.text() == NEW_DESK_NEEDS_ADMIN
    assert page.message.text().startswith("Ask an administrator to connect this PC the first time")
    assert page.connect_button.isEnabled() and page.progress_bar.isHidden()
    assert table_contents(local)["users"] == []  # nobody's sign-in details came down
    page.show()
    qtbot.waitExposed(page)
    page.grab().save(str(shots / "server_page_needs_admin.png"))

    page.username_edit.setText("admin")  # the administrator connects it (everyone after:
    page.password_edit.setText(PASSWORD)  # tests/sync/test_desk_registration.py)
    with qtbot.waitSignal(page.connected, timeout=60_000):
        page.connect_button.click()
    assert table_contents(local) == table_contents(server.database)


def test_the_server_page_reports_a_wrong_password(qtbot, local) -> None:
    from desktop.sync.client import SignInFailed

    def refuse(*_args: object, **_kw: object) -> object:
        raise SignInFailed("The username or password is incorrect.", "bad_credentials")

    page = ServerSettingsPage(local, connect=refuse)
    qtbot.addWidget(page)
    settle(qtbot)
    with qtbot.waitSignal(page.failed, timeout=5_000):
        page.connect_button.click()
    assert page.message.text() == "The username or password is incorrect."
    assert page.connect_button.isEnabled()


def test_a_bound_desktop_shows_its_server(qtbot, local) -> None:
    bind_replica(local, "https://frontdesk.clinic.example")
    page = ServerSettingsPage(local)
    qtbot.addWidget(page)
    assert page.message.text() == "Reading this computer's sync settings…"
    settle(qtbot)
    assert page.url_edit.text() == "https://frontdesk.clinic.example"
    assert page.url_edit.isReadOnly()


def test_a_bound_desktop_starts_syncing_once_its_binding_is_read_off_the_gui_thread(
    qtbot, local
) -> None:
    bind_replica(local, "http://127.0.0.1:9")  # nobody there: the runner will say offline
    shown: list[str] = []
    wiring = SyncWiring(local, BackgroundWork(ChangeBus()), shown.append)
    wiring.start()
    wiring.start()  # asked again while the first is on its way: one runner
    assert wiring.runner is None  # read on a worker; nothing runs yet
    with qtbot.waitSignal(wiring.started, timeout=10_000) as started:
        pass
    runner = wiring.runner
    assert runner is not None and started.args == [runner]
    assert [worker for worker, _ in wiring.background.workers] != []
    settle(qtbot)
    assert wiring.runner is runner
    runner.stop(10.0)
