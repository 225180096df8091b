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
import importlib
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication

from desktop.ui.background_ops import BackgroundOp
from desktop.ui.gui_garbage import GuiThreadCollector
from desktop.ui.signin.relogin import notify_box
from desktop.ui.signin.startup import Opened, Startup, look_up, sign_in_while_opening

if TYPE_CHECKING:
    from desktop.auth import UserAccount
    from desktop.store.database import Database
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

WEEK_FALLBACK_MS = 1000  # what waits for the first week starts even if none is ever shown
# The main window imports these when first opened (desktop.ui.main_window, the calendar's
# appointment actions and details panel).
ON_DEMAND_MODULES = (
    "desktop.ui.dialogs.booking",
    "desktop.ui.dialogs.appointment_edit",
    "desktop.ui.dialogs.cancel",
    "desktop.ui.dialogs.class_attendees",
    "desktop.ui.billing.invoice_dialog",
    "desktop.services.appointment_details",
    "phonenumbers",  # desktop.domain.phones: the details panel, the patient card
    "desktop.ui.patients.search_window",
    "desktop.ui.wait_list.window",
    "desktop.ui.takings_dialog",
    "desktop.ui.xero_page",
    "desktop.ui.settings.clinic_dialog",
    "desktop.ui.settings.practitioners_dialog",
    "desktop.ui.settings.appointment_types_dialog",
    "desktop.ui.settings.users_dialog",
    "desktop.ui.settings.signin_policy_dialog",
)


def run_app(open_database: Callable[[], Database], server_url: str | None = None) -> int:
    """Sign in, then run the window; `open_database` (it loads, opens and migrates the
    database) runs on a thread of its own from the start, while the application starts
    and the sign-in dialog shows."""
    # Automatic collection is off before any worker thread allocates (gui_garbage); the
    # GUI thread's collecting starts once the first week is shown (`_first_week_shown`):
    # start-up makes objects by the hundred thousand (modules, classes, the window),
    # nearly all living as long as the app, and passes over them took about a tenth
    # of the start's CPU time while freeing nothing.
    gc.disable()
    # Before the application and the dialog are made (much of that is Qt's own work,
    # outside Python's lock): the database layer (SQLAlchemy) loads meanwhile.
    opened = _started(open_database)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Frontdesk")
    app.setOrganizationName("Frontdesk")
    app.setDesktopFileName("frontdesk")  # the taskbar matches packaging/frontdesk.desktop
    collector = GuiThreadCollector(app)
    databases: list[Database] = []

    def open_accounts() -> Opened:
        database = opened()  # first: its code may still be loading on the other thread
        databases.append(database)
        from desktop.auth.remembered import RememberedSignIn
        from desktop.services.accounts import Accounts

        return look_up(Accounts(database), RememberedSignIn(database.url))

    def load_window_code() -> None:
        BackgroundOp(_load_window_code, key="startup-window-code").run()

    try:
        started = sign_in_while_opening(open_accounts, once_open=load_window_code)
        if started is None:
            return 0
        return _run_window(app, collector, *started, server_url)
    finally:
        collector.stop()
        for database in databases:
            database.dispose()


def _started(work: Callable[[], Database]) -> Callable[[], Database]:
    """Run `work` on a thread of its own from now; the callable returned waits for its
    result (or raises what it raised)."""
    result: Future[Database] = Future()

    def run() -> None:
        try:
            result.set_result(work())
        except BaseException as exc:  # handed to whoever waits, as if raised there
            result.set_exception(exc)

    threading.Thread(target=run, name="frontdesk-open").start()
    return result.result


def _load_window_code() -> None:
    """Import the main window's modules while the user is still typing the password
    (module code only: nothing in them makes a widget, pixmap or font on import)."""
    import desktop.ui.main_window
    import desktop.ui.signin.controller  # noqa: F401


def _run_window(
    app: QApplication,
    collector: GuiThreadCollector,
    found: Opened,
    startup: Startup,
    server_url: str | None,
) -> int:
    from desktop.services.context import ServiceContext
    from desktop.ui.main_window import MainWindow
    from desktop.ui.signin.controller import SignInController

    accounts, remembered, database = found.accounts, found.remembered, found.accounts.database
    session = accounts.session(startup.signed_in)
    # The status bar's Xero, SMS, replies and wait-list lines, the set-up wizard and the
    # senders wait for the first week to be painted (`_first_week_shown`).
    window = MainWindow(ServiceContext(database, session), status_lines=False)
    after_first_week(
        window.calendar.loaded,
        window,
        lambda: _first_week_shown(window, collector, database, server_url),
        empty=window.calendar.shown_empty,
    )
    signin = SignInController(accounts, session, remembered)
    signin.attach(window)
    window.add_session_actions(
        lock=signin.lock_now,
        sign_out=signin.sign_out,
        change_password=lambda: signin.change_password(window),
    )
    _follow_user(window, session.user, session.subscribe)
    window.show()
    # Everything built so far lives as long as the app: leave it out of the garbage
    # collector's full passes, which hold every thread (the GUI's too) while they run.
    collector.freeze()
    if startup.notice:
        notify_box(window, startup.notice)
    return app.exec()


def after_first_week(
    loaded: SignalInstance,
    owner: QObject,
    start: Callable[[], None],
    *,
    empty: SignalInstance | None = None,
) -> None:
    """Run `start` once, just after the calendar's first week is in (`loaded`), or its
    first read left nothing to draw (`empty`: a clinic not set up yet, a failed read),
    or after `WEEK_FALLBACK_MS` when neither comes, so the slow imports and reads in
    `start` never compete with reading and drawing that week."""
    _FirstWeek([loaded] if empty is None else [loaded, empty], owner, start)


class _FirstWeek(QObject):
    def __init__(
        self, signals: list[SignalInstance], owner: QObject, start: Callable[[], None]
    ) -> None:
        super().__init__(owner)
        self.signals = signals
        self.start: Callable[[], None] | None = start
        for signal in signals:
            signal.connect(self.arrived)
        QTimer.singleShot(WEEK_FALLBACK_MS, self, self.fire)

    def arrived(self, _snapshot: object = None) -> None:
        QTimer.singleShot(0, self, self.fire)  # once the week's paint has been queued

    def fire(self) -> None:
        start, self.start = self.start, None
        if start is not None:
            for signal in self.signals:
                signal.disconnect(self.arrived)  # later weeks need no watching
            start()


def _first_week_shown(
    window: MainWindow, collector: GuiThreadCollector, database: Database, server_url: str | None
) -> None:
    """Everything the first painted week did not need, in two steps, each loading its
    code in the background first (the calendar answers meanwhile): what the user sees
    (the set-up wizard, the status bar's lines), then the senders."""
    collector.start()  # paused for the start (run_app)
    BackgroundOp(_load_status_code, parent=window, key="startup-status-code").success(
        lambda _: _status_code_loaded(window, database, server_url)
    ).run()


def _load_status_code() -> None:
    """The set-up wizard (and the settings pages it is made of), and what the status
    bar's first reads need: the Xero page's badge, the SMS balance and patients'
    replies (the SMS providers' SDKs, requests among them)."""
    import desktop.services.messaging.provider_balance
    import desktop.services.messaging.replies
    import desktop.ui.settings.setup_wizard
    import desktop.ui.xero_page  # noqa: F401


def _status_code_loaded(window: MainWindow, database: Database, server_url: str | None) -> None:
    from desktop.ui.settings.setup_wizard import offer_setup

    offer_setup(window.caller, window)  # a new clinic: its details, a practitioner, a type
    window.start_status_lines()
    BackgroundOp(_load_later_code, parent=window, key="startup-later-code").success(
        lambda _: _start_background_work(window, database, server_url)
    ).run()


def _load_later_code() -> None:
    """The senders' modules (the Xero SDK among them), then those of the windows and
    dialogs opened on demand, imported in the background after the status bar's (and
    the wizard's): the calendar answers meanwhile, and the first opening of each is quick."""
    import desktop.services.messaging.send_due
    import desktop.xero.worker  # noqa: F401

    for name in ON_DEMAND_MODULES:
        importlib.import_module(name)


def _start_background_work(window: MainWindow, database: Database, server_url: str | None) -> None:
    """Senders that run beside the window: Xero (once connected), reminders and email, sync.

    They act for the clinic itself, not for whoever is signed in, so a lapsed or
    locked session never stops a receipt email or a reminder from going out.
    Their code is loaded by then (`_load_later_code`).
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
    from desktop.ui.signin.controller import describe_user

    def show(user: UserAccount | None) -> None:
        window.setWindowTitle(f"Frontdesk — {describe_user(user)}" if user else "Frontdesk")

    def switched(user: UserAccount | None) -> None:
        show(user)
        refresh = getattr(window, "refresh", None)
        if user is not None and callable(refresh):
            refresh()  # what the new user may see and edit differs

    show(user)
    subscribe(switched)
