"""The sign-in dialog shows before the database is open; the database opens meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QDialog

from desktop.auth import Passwords
from desktop.auth.remembered import RememberedSignIn
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from desktop.store.errors import DatabaseUnavailable
from desktop.ui.signin import FirstAdminDialog, SignInDialog
from desktop.ui.signin.startup import Opened, look_up, sign_in_while_opening
from tests.auth.keyrings import MemoryKeyring, ThreadNotingKeyring, using_keyring
from tests.auth.people import DESK_PASSWORD, People, make_people
from tests.helpers.background import settle


@pytest.fixture
def people(ctx: ServiceContext) -> People:
    return make_people(ctx)


def opening(accounts: Accounts, gate: threading.Event | None = None) -> Callable[[], Opened]:
    """What run_app hands over: open the database (here: wait for `gate`), then look up."""

    def open_accounts() -> Opened:
        if gate is not None:
            assert gate.wait(10), "the test never let the database open"
        return look_up(accounts, RememberedSignIn(accounts.database.url))

    return open_accounts


def test_the_password_typed_before_the_database_is_open_signs_in(qtbot, people: People) -> None:
    gate = threading.Event()
    seen: list[QDialog] = []

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        seen.append(dialog)
        assert dialog.opening  # on screen while the database is still closed
        dialog.fill("desk", DESK_PASSWORD)
        dialog.accept_button.click()  # submitted early: waits for the database
        assert dialog.checking
        gate.set()
        settle()
        return dialog.result()

    with using_keyring(MemoryKeyring()):
        started = sign_in_while_opening(opening(people.accounts, gate), run=run)
    assert started is not None
    found, startup = started
    assert startup.signed_in.user.username == "desk"
    assert found.accounts is people.accounts
    assert len(seen) == 1 and not seen[0].opening


def test_remember_me_is_kept_in_the_keyring_off_the_gui_thread(qtbot, people: People) -> None:
    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        settle()  # open: "Remember me" is offered
        dialog.fill("desk", DESK_PASSWORD, remember=True)
        dialog.accept_button.click()
        settle()
        return dialog.result()

    keyring = ThreadNotingKeyring()
    with using_keyring(keyring):
        started = sign_in_while_opening(opening(people.accounts), run=run)
    assert started is not None and started[1].notice is None
    assert keyring.made() == ["get", "set"]
    assert keyring.on_the_gui_thread() == []
    assert len(keyring.entries) == 1


def test_once_open_it_offers_remember_me_and_keeps_what_was_typed(qtbot, people: People) -> None:
    once_open: list[bool] = []

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        assert not dialog.remember.isVisibleTo(dialog)  # not known yet
        dialog.username.setText("des")
        settle()
        assert once_open == [True]
        assert dialog.remember.isVisibleTo(dialog)
        assert dialog.username.text() == "des"
        dialog.fill("desk", "a wrong password")
        dialog.accept_button.click()
        settle()
        assert dialog.error.text()  # refused, and the dialog says so
        dialog.reject()
        return dialog.result()

    with using_keyring(MemoryKeyring()):
        started = sign_in_while_opening(
            opening(people.accounts), once_open=lambda: once_open.append(True), run=run
        )
    assert started is None  # quit


def test_a_database_that_cannot_be_opened_closes_the_dialog_and_says_why(qtbot) -> None:
    seen: list[SignInDialog] = []

    def refuse() -> Opened:
        raise DatabaseUnavailable("The database server at db.example did not answer.")

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        seen.append(dialog)
        dialog.show()
        settle()
        return dialog.result()

    with pytest.raises(DatabaseUnavailable, match="did not answer"):
        sign_in_while_opening(refuse, run=run)
    assert not seen[0].isVisible()


def test_a_new_database_swaps_the_dialog_for_the_first_administrator(
    qtbot, ctx: ServiceContext
) -> None:
    accounts = Accounts(ctx.database, passwords=Passwords.cheapest())
    shown: list[type[QDialog]] = []

    def run(dialog: QDialog) -> int:
        shown.append(type(dialog))
        if isinstance(dialog, SignInDialog):
            settle()  # the database turns out to have no users: this dialog closes
            return dialog.result()
        assert isinstance(dialog, FirstAdminDialog)
        dialog.display_name.setText("Olive Owner")
        dialog.username.setText("olive")
        dialog.password.setText("owner's long password")
        dialog.confirm.setText("owner's long password")
        dialog.accept_button.click()
        settle()
        return dialog.result()

    with using_keyring(fail.Keyring()):
        started = sign_in_while_opening(opening(accounts), run=run)
    assert shown == [SignInDialog, FirstAdminDialog]
    assert started is not None
    assert started[1].signed_in.user.username == "olive"


def test_a_remembered_sign_in_closes_the_dialog_unasked(qtbot, people: People) -> None:
    keyring = MemoryKeyring()
    url = people.accounts.database.url
    with using_keyring(keyring):
        signed_in = people.accounts.sign_in("desk", DESK_PASSWORD, remember=True)
        assert signed_in.refresh_token is not None
        RememberedSignIn(url).save("desk", signed_in.refresh_token)

        def run(dialog: QDialog) -> int:
            assert isinstance(dialog, SignInDialog)
            settle()
            assert not dialog.isVisible()
            return dialog.result()

        started = sign_in_while_opening(opening(people.accounts), run=run)
    assert started is not None
    assert started[1].signed_in.user.username == "desk"
