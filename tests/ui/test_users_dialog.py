"""Settings ▸ Users driven through its real widgets, on the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.auth import SessionExpired
from desktop.domain.roles import Role
from desktop.services import calendar
from desktop.ui import prompts
from desktop.ui.change_bus import ChangeBus
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings import users_dialog
from desktop.ui.settings.users_dialog import AddUserDialog, UsersDialog
from tests.auth.people import DESK_PASSWORD, make_people
from tests.helpers.background import settle
from tests.helpers.clinic import make_clinic


@pytest.fixture
def admin_page(qtbot, local_ctx, errors):  # type: ignore[no-untyped-def]
    clinic = make_clinic(local_ctx)
    people = make_people(local_ctx, clinic)
    admin_ctx = people.context(people.signed_in("admin", "admin password 1"))
    page = UsersDialog(ServiceCaller(admin_ctx, ChangeBus(), None), people.accounts)
    qtbot.addWidget(page)
    settle(qtbot)  # who is signed in, then the users, are read in the background
    return page, people, clinic


def test_the_list_shows_everyone_with_their_role(admin_page, tmp_path: Path) -> None:
    page, _, _ = admin_page
    rows = [[page.table.item(r, c).text() for c in range(3)] for r in range(page.table.rowCount())]
    assert ["desk", "Dana Desk", "Receptionist"] in rows
    assert ["alice", "Alice Physio", "Practitioner"] in rows
    page.show()
    page.grab().save(str(tmp_path / "users.png"))


def test_adding_a_practitioner_account_through_the_dialog(
    qtbot, admin_page, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, people, clinic = admin_page

    def fill(dialog: AddUserDialog) -> bool:
        settle()  # the practitioners are listed in the background
        dialog.username.setText("bob")
        dialog.display_name.setText("Bob Pilates")
        dialog.role.setCurrentIndex(dialog.role.findData(Role.PRACTITIONER.value))
        dialog.practitioner.setCurrentIndex(dialog.practitioner.findData(str(clinic.bob.id)))
        dialog.password.setText("bob's password 1")
        dialog.repeat.setText("bob's password 2")
        dialog.add()
        assert dialog.problem.text() == "The two passwords differ."
        dialog.repeat.setText("bob's password 1")
        dialog.add()
        settle()
        assert dialog.problem.isHidden() or dialog.added is not None, dialog.problem.text()
        return dialog.result() == AddUserDialog.DialogCode.Accepted

    monkeypatch.setattr(prompts, "run_dialog", fill)
    added = page.add_user()
    settle(qtbot)
    assert added is not None
    assert added.role is Role.PRACTITIONER
    assert added.practitioner_id == clinic.bob.id
    assert page.selected() == added
    bob = people.signed_in("bob", "bob's password 1")
    assert bob.current_actor().practitioner_id == clinic.bob.id


def test_signing_someone_out_everywhere_ends_their_session(
    qtbot, admin_page, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, people, _ = admin_page
    desk_session = people.signed_in("desk", DESK_PASSWORD)
    desk_ctx = people.context(desk_session)
    calendar.practitioners(desk_ctx)  # works while signed in
    monkeypatch.setattr(prompts, "ask", lambda *_args: True)
    page.select("desk")
    page.sign_out_everywhere()
    settle(qtbot)
    with pytest.raises(SessionExpired):
        calendar.practitioners(desk_ctx)


def test_reset_password_and_deactivate(qtbot, admin_page, monkeypatch: pytest.MonkeyPatch) -> None:
    page, people, _ = admin_page
    monkeypatch.setattr(users_dialog, "ask_new_password", lambda *_args: "a brand new password")
    page.select("desk")
    page.reset_password()
    settle(qtbot)
    people.signed_in("desk", "a brand new password")
    page.select("desk")
    page.toggle_active()
    settle(qtbot)
    assert page.selected() is not None
    assert page.table.item(page.table.currentRow(), 3).text() == "Inactive"
    assert page.active_button.text() == "&Reactivate"


def test_a_receptionist_is_told_only_administrators_manage_users(qtbot, local_ctx, errors) -> None:
    clinic = make_clinic(local_ctx)
    people = make_people(local_ctx, clinic)
    desk_ctx = people.context(people.signed_in("desk", DESK_PASSWORD))
    page = UsersDialog(ServiceCaller(desk_ctx, ChangeBus(), None), people.accounts)
    qtbot.addWidget(page)
    settle(qtbot)
    assert page.table.rowCount() == 0
    # Told before acting: no refusal box, no buttons that would only refuse.
    assert errors == []
    assert not page.note.isHidden()
    assert "administrator" in page.note.text()
    assert page.add_button.isHidden()
    assert page.reset_button.isHidden()


def test_a_desk_that_follows_a_server_says_users_are_managed_there(
    qtbot, local_ctx, errors, tmp_path: Path
) -> None:
    """Issue 18: users are managed once, on the server. A desk's Settings ▸ Users says so
    before anyone acts, and offers only what the desk does itself (lift its own lockout)."""
    import uuid

    from desktop.store.sync_models import SyncStateRow

    clinic = make_clinic(local_ctx)
    people = make_people(local_ctx, clinic)
    admin_ctx = people.context(people.signed_in("admin", "admin password 1"))
    with local_ctx.database.write_session() as session:  # as the first sync leaves it
        session.add(
            SyncStateRow(
                id=1,
                server_url="https://frontdesk.clinic.example",
                replica_id=uuid.uuid4(),
                cursor=0,
            )
        )
        session.commit()
    page = UsersDialog(ServiceCaller(admin_ctx, ChangeBus(), None), people.accounts)
    qtbot.addWidget(page)
    settle(qtbot)
    assert page.table.rowCount() >= 3  # every desk knows the clinic's users
    assert not page.note.isHidden()
    assert page.note.text().startswith("This computer follows the clinic's server")
    for button in (page.add_button, page.reset_button, page.sign_out_button, page.active_button):
        assert button.isHidden()
    assert not page.unlock_button.isHidden()
    assert errors == []
    page.show()
    page.grab().save(str(tmp_path / "users-on-a-desk.png"))
