"""Starting the app: first-run administrator, "remember me" with and without a keyring."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QDialog

from desktop.auth import Passwords, SessionExpired
from desktop.auth.remembered import NO_KEYRING, SERVICE, RememberedSignIn
from desktop.domain.roles import Role
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from desktop.ui.signin import (
    ChangePasswordDialog,
    FirstAdminDialog,
    SignInController,
    SignInDialog,
    sign_in_at_startup,
)
from tests.auth.keyrings import BrokenKeyring, MemoryKeyring, ThreadNotingKeyring, using_keyring
from tests.auth.people import DESK_PASSWORD, People, make_people
from tests.helpers.background import settle


@pytest.fixture
def people(ctx: ServiceContext) -> People:
    return make_people(ctx)


def never(dialog: QDialog) -> int:
    raise AssertionError(f"no dialog expected, got {dialog.windowTitle()}")


def signing_in(
    username: str, password: str, *, remember: bool, seen: list[SignInDialog]
) -> Callable[[QDialog], int]:
    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, SignInDialog)
        seen.append(dialog)
        dialog.fill(username, password, remember=remember)
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        return dialog.result()

    return run


def test_the_first_run_creates_the_administrator(qtbot, ctx: ServiceContext) -> None:
    accounts = Accounts(ctx.database, passwords=Passwords.cheapest())
    shown: list[FirstAdminDialog] = []

    def run(dialog: QDialog) -> int:
        assert isinstance(dialog, FirstAdminDialog)
        shown.append(dialog)
        dialog.display_name.setText("Olive Owner")
        dialog.username.setText("olive")
        dialog.password.setText("owner's long password")
        dialog.confirm.setText("owner's long passwrod")
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        assert dialog.error.text() == "The two passwords are not the same."
        dialog.confirm.setText("owner's long password")
        dialog.accept_button.click()
        settle()  # the password is checked in the background
        return dialog.result()

    with using_keyring(MemoryKeyring()):
        startup = sign_in_at_startup(accounts, RememberedSignIn(ctx.database.url), run=run)
    assert startup is not None
    assert (startup.signed_in.user.username, startup.signed_in.user.role) == ("olive", Role.ADMIN)
    assert not accounts.needs_first_admin()


def test_quitting_the_first_run_opens_nothing(qtbot, ctx: ServiceContext) -> None:
    accounts = Accounts(ctx.database, passwords=Passwords.cheapest())

    def quit_(dialog: QDialog) -> int:
        assert isinstance(dialog, FirstAdminDialog)
        dialog.cancel_button.click()
        return dialog.result()

    with using_keyring(fail.Keyring()):
        assert sign_in_at_startup(accounts, RememberedSignIn(ctx.database.url), run=quit_) is None
    assert accounts.needs_first_admin()


def test_remember_me_uses_the_keyring_next_time(qtbot, people: People) -> None:
    keyring = MemoryKeyring()
    seen: list[SignInDialog] = []
    url = people.accounts.database.url
    with using_keyring(keyring):
        first = sign_in_at_startup(
            people.accounts,
            RememberedSignIn(url),
            run=signing_in("desk", DESK_PASSWORD, remember=True, seen=seen),
        )
        assert first is not None and first.notice is None
        assert seen[0].remember.isVisibleTo(seen[0])
        assert seen[0].remember_note.isHidden()
        assert len(keyring.entries) == 1
        stored = next(iter(keyring.entries.values()))
        assert DESK_PASSWORD not in stored  # a refresh secret, never the password

        second = sign_in_at_startup(people.accounts, RememberedSignIn(url), run=never)
        assert second is not None
        assert second.signed_in.user.username == "desk"
        assert next(iter(keyring.entries.values())) != stored  # rotated

        # Signing out elsewhere ends the remembered sign-in: the dialog asks again.
        people.accounts.authenticator.end_sessions_of(people.desk.id)
        third = sign_in_at_startup(
            people.accounts,
            RememberedSignIn(url),
            run=signing_in("desk", DESK_PASSWORD, remember=False, seen=seen),
        )
        assert third is not None
        assert "remembered sign-in has ended" in seen[-1].message.text()
        assert seen[-1].username.text() == "desk"
        assert keyring.entries == {}  # not remembered this time


def test_without_a_keyring_it_says_so_and_asks_for_the_password(qtbot, people: People) -> None:
    seen: list[SignInDialog] = []
    with using_keyring(fail.Keyring()):
        startup = sign_in_at_startup(
            people.accounts,
            RememberedSignIn(people.accounts.database.url),
            run=signing_in("desk", DESK_PASSWORD, remember=True, seen=seen),
        )
    assert startup is not None and startup.signed_in.refresh_token is None
    [dialog] = seen
    assert not dialog.remember.isVisibleTo(dialog)  # nothing to offer
    assert dialog.remember_note.text() == NO_KEYRING
    assert dialog.remember_note.isVisibleTo(dialog)


def test_a_keyring_that_cannot_be_read_is_reported_not_raised(qtbot, people: People) -> None:
    seen: list[SignInDialog] = []
    with using_keyring(BrokenKeyring()):
        startup = sign_in_at_startup(
            people.accounts,
            RememberedSignIn(people.accounts.database.url),
            run=signing_in("desk", DESK_PASSWORD, remember=True, seen=seen),
        )
    assert startup is not None and startup.signed_in.refresh_token is None
    assert "password store (keyring) refused" in seen[0].remember_note.text()


def test_a_keyring_that_fails_to_save_is_reported_not_raised(qtbot, people: People) -> None:
    seen: list[SignInDialog] = []
    keyring = ThreadNotingKeyring(refuse_saves=True)
    with using_keyring(keyring):
        startup = sign_in_at_startup(
            people.accounts,
            RememberedSignIn(people.accounts.database.url),
            run=signing_in("desk", DESK_PASSWORD, remember=True, seen=seen),
        )
    assert startup is not None
    assert startup.notice is not None and "password store" in startup.notice
    assert "set" in keyring.made()
    assert keyring.on_the_gui_thread() == []
    refresh = startup.signed_in.refresh_token
    assert refresh is not None
    settle(qtbot)
    with pytest.raises(SessionExpired):  # not kept anywhere, so not left valid either
        people.accounts.resume(refresh)


@pytest.mark.parametrize("remember", [True, False])
def test_signing_in_never_waits_for_the_keyring_on_the_gui_thread(
    qtbot, people: People, remember: bool
) -> None:
    keyring = ThreadNotingKeyring()
    with using_keyring(keyring):
        startup = sign_in_at_startup(
            people.accounts,
            RememberedSignIn(people.accounts.database.url),
            run=signing_in("desk", DESK_PASSWORD, remember=remember, seen=[]),
        )
    assert startup is not None and startup.notice is None
    # Kept when asked, else whatever was kept before is forgotten.
    assert keyring.made() == ["get", "set" if remember else "delete"]
    assert keyring.on_the_gui_thread() == []
    assert len(keyring.entries) == (1 if remember else 0)


def changing_the_password(dialog: QDialog, to: str = "a much longer passphrase") -> int:
    assert isinstance(dialog, ChangePasswordDialog)
    dialog.current.setText(DESK_PASSWORD)
    dialog.new.setText(to)
    dialog.confirm.setText(to)
    dialog.accept_button.click()
    settle()  # the password is checked in the background
    return dialog.result()


def test_changing_the_password_from_the_window(qtbot, people: People) -> None:
    session = people.signed_in("desk", DESK_PASSWORD)
    notes: list[str] = []

    def run(dialog: QDialog) -> int:
        changing_the_password(dialog, to="short")
        assert "at least 10 characters" in dialog.error.text()
        return changing_the_password(dialog)

    with using_keyring(MemoryKeyring()):
        controller = SignInController(
            people.accounts,
            session,
            RememberedSignIn(people.accounts.database.url),
            run=run,
            notify=lambda _p, text: notes.append(text),
        )
        assert controller.change_password()
    assert notes == ["Your password has been changed."]
    people.accounts.sign_in("desk", "a much longer passphrase")


@pytest.mark.parametrize("act", ["sign out", "change the password"])
def test_signing_out_and_changing_the_password_forget_off_the_gui_thread(
    qtbot, people: People, act: str
) -> None:
    signed_in = people.accounts.sign_in("desk", DESK_PASSWORD, remember=True)
    assert signed_in.refresh_token is not None
    keyring = ThreadNotingKeyring()
    with using_keyring(keyring):
        remembered = RememberedSignIn(people.accounts.database.url)
        keyring.set_password(SERVICE, remembered.entry, "remembered before")
        keyring.calls.clear()
        controller = SignInController(
            people.accounts,
            people.accounts.session(signed_in),
            remembered,
            run=changing_the_password,
            notify=lambda _parent, _text: None,
        )
        if act == "sign out":
            controller.sign_out()
        else:
            assert controller.change_password()
        settle(qtbot)
    assert keyring.made() == ["delete"]
    assert keyring.entries == {}
    assert keyring.on_the_gui_thread() == []
