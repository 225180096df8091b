"""Who uses Frontdesk this time: first-run administrator, remembered sign-in, or the dialog.

At start-up the sign-in dialog is on screen before the database code is even
loaded (`sign_in_while_opening`): the database is opened, migrated and asked who
may sign in in the background, while the user types. A password submitted early
is checked as soon as the database is open. If it turns out that nobody needs to
type anything here (a remembered sign-in that still holds) or that something
else must be asked first (the first administrator of a new database), the dialog
closes and that happens instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QWidget

from desktop.auth.errors import SessionExpired
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.signin.dialogs import FirstAdminDialog, RememberChoice, SignInDialog, accepted
from desktop.ui.signin.relogin import ModalRunner, run_modal

if TYPE_CHECKING:
    from desktop.auth import SignedIn
    from desktop.auth.remembered import RememberedSignIn
    from desktop.services.accounts import Accounts

T = TypeVar("T")
log = logging.getLogger(__name__)

REMEMBERED_ENDED = "Your remembered sign-in has ended. Please sign in again."


@dataclass(frozen=True, slots=True)
class Startup:
    signed_in: SignedIn
    notice: str | None = None  # something to tell once the main window is up


@dataclass(frozen=True, slots=True)
class Opened:
    """The database side of signing in, and what it says must be asked."""

    accounts: Accounts
    remembered: RememberedSignIn
    first_admin: bool = False  # a new database: create the administrator
    resumed: SignedIn | None = None  # a remembered sign-in that still holds
    username: str = ""
    message: str = ""
    remember: RememberChoice = field(default_factory=lambda: RememberChoice(offered=False))


def look_up(accounts: Accounts, remembered: RememberedSignIn) -> Opened:
    """Whom the database knows and whether this computer remembers someone (database
    and keyring calls: run it in the background)."""
    if accounts.needs_first_admin():
        return Opened(accounts, remembered, first_admin=True)
    message = ""
    stored = remembered.load()
    if stored is not None:
        try:
            signed_in = accounts.resume(stored.refresh_token)
        except SessionExpired:
            remembered.forget()
            message = REMEMBERED_ENDED
        else:
            if signed_in.refresh_token is not None:
                remembered.save(signed_in.user.username, signed_in.refresh_token)
            return Opened(accounts, remembered, resumed=signed_in)
    remember_offered = accounts.policy().remember_for > timedelta(0)
    return Opened(
        accounts,
        remembered,
        username=stored.username if stored is not None else "",
        message=message,
        remember=RememberChoice(
            offered=remember_offered and remembered.available,
            note=remembered.problem if remember_offered else None,
        ),
    )


def sign_in_at_startup(
    accounts: Accounts,
    remembered: RememberedSignIn,
    *,
    parent: QWidget | None = None,
    run: ModalRunner = run_modal,
) -> Startup | None:
    """Sign someone in before the main window opens; None when the user quits.

    Whom the database knows is asked in the background, the event loop turning meanwhile."""
    return _ask(_waiting_for(lambda: look_up(accounts, remembered)), parent, run)


def _waiting_for(work: Callable[[], T]) -> T:
    """`work`'s result, from a worker thread, with the event loop turning meanwhile."""
    done: Future[T] = Future()
    loop = QEventLoop()

    def finished(result: T) -> None:
        done.set_result(result)
        loop.quit()

    def failed(exc: Exception) -> None:
        done.set_exception(exc)
        loop.quit()

    BackgroundOp(work, reports=(Exception,)).success(finished).failure(failed).run()
    if not done.done():
        loop.exec()
    return done.result()


def sign_in_while_opening(
    open_accounts: Callable[[], Opened],
    *,
    once_open: Callable[[], None] = lambda: None,
    run: ModalRunner = run_modal,
) -> tuple[Opened, Startup] | None:
    """Show the sign-in dialog at once and run `open_accounts` (open the database,
    then `look_up`) in the background meanwhile; None when the user quits.
    `once_open` runs on the GUI thread when the database is open (to start more
    background work that need not delay the password check).

    A failure to open the database closes the dialog and is raised here, so the
    command line reports it as before.
    """
    ready: Future[Opened] = Future()
    sign_in = _SignInAndRemember(ready.result)
    dialog = SignInDialog(None, sign_in, cancel_text="Quit")
    dialog.opening = True

    def opened(found: Opened) -> None:
        ready.set_result(found)
        dialog.opening = False
        once_open()
        if found.first_admin or found.resumed is not None:
            dialog.close_unasked()
        else:
            dialog.offer(found.message, found.username, found.remember)

    def failed(exc: Exception) -> None:
        ready.set_exception(exc)
        dialog.opening = False
        dialog.reject()

    BackgroundOp(open_accounts, key="startup-open", reports=(Exception,)).success(opened).failure(
        failed
    ).run()
    result = run(dialog)
    if not ready.done():
        return None  # quit before the database was even open
    found = ready.result()  # raises what opening the database raised
    if found.first_admin or found.resumed is not None:
        startup = _ask(found, None, run)
    else:
        startup = _answered(dialog, result, sign_in)
    return None if startup is None else (found, startup)


class _SignInAndRemember:
    """The sign-in dialog's call, made in the background: check the password, then
    keep the sign-in in the keyring ("Remember me") or forget the one kept before.
    A keyring call can wait as long as its unlock prompt does, so none is made on the
    GUI thread; the dialog says "Checking…" meanwhile. `notice`: what to tell the
    user once the main window is up (the sign-in could not be kept)."""

    def __init__(self, opened: Callable[[], Opened]) -> None:
        self.opened = opened
        self.notice: str | None = None

    def __call__(self, username: str, password: str, remember: bool) -> SignedIn:
        found = self.opened()
        signed_in = found.accounts.sign_in(username, password, remember=remember)
        self.notice = _remember(found, signed_in)
        return signed_in


def _remember(found: Opened, signed_in: SignedIn) -> str | None:
    """Keep `signed_in`'s refresh secret in the keyring, or forget any kept before
    when it has none; a sentence for the user when it could not be kept (keyring
    and database calls: run it in the background)."""
    remembered, token = found.remembered, signed_in.refresh_token
    if token is None:
        remembered.forget()
        return None
    if remembered.save(signed_in.user.username, token):
        return None
    try:  # not kept, so not wanted: ended in the store
        found.accounts.authenticator.end_session(token)
    except Exception:  # the sign-in itself holds; the secret lapses with its expiry
        log.warning("could not end the unsaved sign-in", exc_info=True)
    return remembered.problem


def _answered(dialog: SignInDialog, result: int, sign_in: _SignInAndRemember) -> Startup | None:
    if not accepted(result) or dialog.signed_in is None:
        return None
    return Startup(dialog.signed_in, sign_in.notice)


def _ask(found: Opened, parent: QWidget | None, run: ModalRunner) -> Startup | None:
    """Whatever `found` says must be asked: the first administrator, nothing (a
    remembered sign-in that holds), or the sign-in dialog."""
    accounts = found.accounts
    if found.first_admin:
        first = FirstAdminDialog(parent, accounts.create_first_admin)
        if not accepted(run(first)) or first.signed_in is None:
            return None
        return Startup(first.signed_in)
    if found.resumed is not None:
        return Startup(found.resumed)
    sign_in = _SignInAndRemember(lambda: found)
    dialog = SignInDialog(
        parent,
        sign_in,
        message=found.message,
        username=found.username,
        remember=found.remember,
        cancel_text="Quit",
    )
    return _answered(dialog, run(dialog), sign_in)
