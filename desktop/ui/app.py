"""Starting the Qt application around an open database: sign in first, then the window.

On a database without users the first-run dialog creates the administrator, and
on one without a clinic the set-up wizard follows (for an administrator); a
remembered sign-in (keyring) opens straight away; otherwise the sign-in dialog
asks. Quitting any of these ends the app before the main window exists. The
window then runs under a `SignInController`: an expired session prompts a
re-login over the current window, and the idle lock hides it after the clinic's
idle timeout.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.ui.background_ops import BackgroundOp
from desktop.ui.gui_garbage import GuiThreadCollector
from desktop.ui.signin import SignInController, describe_user
from desktop.ui.signin.relogin import notify_box
from desktop.ui.signin.startup import Opened, Startup, look_up, sign_in_while_opening

if TYPE_CHECKING:
    from desktop.auth import UserAccount
    from desktop.store.database import Database
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

PAINT_FALLBACK_MS = 1000  # senders start even if the window is never painted


def run_app(open_database: Callable[[], Database], server_url: str | None = None) -> int:
    """Sign in, then run the window; `open_database` runs in the background while the
    sign-in dialog is already on screen (it loads, opens and migrates the database)."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Frontdesk")
    app.setOrganizationName("Frontdesk")
    app.setDesktopFileName("frontdesk")  # the taskbar matches packaging/frontdesk.desktop
    GuiThreadCollector(app).start()  # before any worker thread allocates
    databases: list[Database] = []

    def open_accounts() -> Opened:
        from desktop.auth.remembered import RememberedSignIn
        from desktop.services.accounts import Accounts

        database = open_database()
        databases.append(database)
        return look_up(Accounts(database), RememberedSignIn(database.url))

    def load_window_code() -> None:
        BackgroundOp(_load_window_code, key="startup-window-code").run()

    try:
        started = sign_in_while_opening(open_accounts, once_open=load_window_code)
        if started is None:
            return 0
        return _run_window(app, *started, server_url)
    finally:
        for database in databases:
            database.dispose()


def _load_window_code() -> None:
    """Import the main window's modules while the user is still typing the password
    (module code only: nothing in them makes a widget, pixmap or font on import)."""
    import desktop.ui.main_window
    import desktop.ui.settings.setup_wizard  # noqa: F401


def _run_window(app: QApplication, found: Opened, startup: Startup, server_url: str | None) -> int:
    from desktop.services.context import ServiceContext
    from desktop.ui.main_window import MainWindow
    from desktop.ui.settings.setup_wizard import offer_setup

    accounts, remembered, database = found.accounts, found.remembered, found.accounts.database
    session = accounts.session(startup.signed_in)
    window = MainWindow(ServiceContext(database, session))
    offer_setup(window.caller, window)  # a new clinic: its details, a practitioner, a type
    signin = SignInController(accounts, session, remembered)
    signin.attach(window)
    window.add_session_actions(
        lock=signin.lock_now,
        sign_out=signin.sign_out,
        change_password=lambda: signin.change_password(window),
    )
    _follow_user(window, session.user, session.subscribe)
    window.show()
    after_first_paint(window, lambda: _start_senders(window, database, server_url))
    # Everything built so far lives as long as the app: leave it out of the garbage
    # collector's full passes, which hold every thread (the GUI's too) while they run.
    gc.freeze()
    if startup.notice:
        notify_box(window, startup.notice)
    return app.exec()


def after_first_paint(window: QWidget, start: Callable[[], None]) -> None:
    """Run `start` once, right after `window` is first painted (or after a second, when
    it is not painted, say minimised), so slow imports in `start` never delay it."""
    watcher = _FirstPaint(window, start)
    window.installEventFilter(watcher)
    QTimer.singleShot(PAINT_FALLBACK_MS, watcher.fire)


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, start: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.start: Callable[[], None] | None = start

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint and self.start:
            QTimer.singleShot(0, self.fire)  # after this paint has reached the screen
        return False

    def fire(self) -> None:
        start, self.start = self.start, None
        self.window.removeEventFilter(self)  # the window's events need no more watching
        if start is not None:
            start()


def _start_senders(window: MainWindow, database: Database, server_url: str | None) -> None:
    BackgroundOp(_load_sender_code, parent=window, key="startup-sender-code").success(
        lambda _: _start_background_work(window, database, server_url)
    ).run()


def _load_sender_code() -> None:
    """The senders' modules (the Xero SDK among them), imported in the background after
    the calendar is painted, so the window answers meanwhile."""
    import desktop.services.messaging.send_due
    import desktop.xero.worker  # noqa: F401


def _start_background_work(window: MainWindow, database: Database, server_url: str | None) -> None:
    """Senders that run beside the window: Xero (once connected), reminders and email, sync.

    They act for the clinic itself, not for whoever is signed in, so a lapsed or
    locked session never stops a receipt email or a reminder from going out.
    Their code is loaded by then (`_load_sender_code`).
    """
    from desktop.services.context import ServiceContext
    from desktop.services.messaging.send_due import SendDueLoop
    from desktop.xero.worker import start_background_worker

    window.background.add_worker(start_background_worker(database))
    messages = SendDueLoop(
        ServiceContext.for_system(database),
        on_error=lambda exc: log.warning("sending reminders and email failed: %s", exc),
    )
    messages.start()
    window.background.add_worker(messages, lambda changes: changes.appointments or changes.outbox)
    window.sync.start(server_url)


def _follow_user(
    window: MainWindow,
    user: UserAccount | None,
    subscribe: Callable[[Callable[[UserAccount | None], None]], None],
) -> None:
    """Name the signed-in user in the title, and redraw when someone else signs in."""

    def show(user: UserAccount | None) -> None:
        window.setWindowTitle(f"Frontdesk — {describe_user(user)}" if user else "Frontdesk")

    def switched(user: UserAccount | None) -> None:
        show(user)
        refresh = getattr(window, "refresh", None)
        if user is not None and callable(refresh):
            refresh()  # what the new user may see and edit differs

    show(user)
    subscribe(switched)
