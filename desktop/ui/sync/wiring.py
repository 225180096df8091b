"""Running the sync client beside the main window: status line, wake-ups, sign-in prompts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.auth.errors import SessionExpired
from desktop.services.changes import Changes
from desktop.store.database import Database
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.background_work import BackgroundWork
from desktop.ui.sync.bridge import SyncSignals

if TYPE_CHECKING:  # the sync client (httpx) loads only when a server is in play
    from desktop.sync.runner import SyncRunner
    from desktop.ui.sync.server_sign_in import ServerSignInDialog


class _SyncWorker:
    """The runner as a background worker: a local change asks for a pass now."""

    def __init__(self, runner: SyncRunner) -> None:
        self.runner = runner

    def wake(self) -> None:
        self.runner.sync_now()

    def stop(self, timeout: float = 10.0) -> None:
        self.runner.stop(timeout)


def _calendar_changed(changes: Changes) -> bool:
    """A local change worth pushing at once (a pulled one came from the server)."""
    return not changes.from_server and (
        changes.appointments or changes.patients or changes.practitioners
    )


# What open screens follow of each synced table (desktop.store.sync_models). The
# messages' tables and the users have none: the message log and Settings ▸ Users read
# when opened, the replies notice every few seconds (`BackgroundWork`'s timer).
_SCREENS_OF_TABLE = {
    "clinics": "clinic",
    "practitioners": "practitioners",
    "provider_numbers": "practitioners",
    "patients": "patients",
    "message_opt_outs": "patients",
    "appointment_types": "appointment_types",
    "appointments": "appointments",
    "attendances": "appointments",
    "credit_packages": "billing",
    "invoices": "billing",
    "invoice_lines": "billing",
    "payments": "billing",
    "refunds": "billing",
    "credit_lots": "billing",
    "credit_applications": "billing",
    "credit_refunds": "billing",
    "credit_settings": "billing",
    "wait_list_entries": "wait_list",
    "wait_list_settings": "wait_list",
    "wait_list_offers": "wait_list",
    "sign_in_policy": "sign_in_policy",
}


def pulled_changes(tables: frozenset[str]) -> Changes:
    """What a pass brought from the server, as the change event open screens follow:
    another desk's booking reaches this desk's calendar, its payment the invoice on
    screen, an administrator's new idle timeout the idle lock, as a local save would."""
    touched = {_SCREENS_OF_TABLE[table] for table in tables if table in _SCREENS_OF_TABLE}
    return Changes(
        appointments="appointments" in touched,
        patients="patients" in touched,
        practitioners="practitioners" in touched,
        appointment_types="appointment_types" in touched,
        clinic="clinic" in touched,
        billing="billing" in touched,
        sign_in_policy="sign_in_policy" in touched,
        wait_list="wait_list" in touched,
        from_server=True,
    )


class SyncWiring(QObject):
    """Starts the runner for a database that follows a server, and reports on it.

    Signals:
        started(SyncRunner): the runner is running (its status now reaches the bar).
        pulled(Changes): a pass brought changes from the server that open screens follow
            (publish them on the window's ChangeBus).
    """

    started = Signal(object)
    pulled = Signal(object)

    def __init__(
        self,
        database: Database,
        background: BackgroundWork,
        show_status: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.background = background
        self.show_status = show_status
        self.signals = SyncSignals(self)
        self.signals.status_changed.connect(self._status)
        self.signals.session_expired.connect(self._expired)
        self.runner: SyncRunner | None = None
        self._starting = False
        self.prompt: ServerSignInDialog | None = None

    def start(self, server_url: str | None = None) -> None:
        """Start syncing if this database follows a server (or `server_url` binds it).

        Reading the binding, the keyring and binding a fresh database happen on a
        worker; `runner` is set, and started, back on the GUI thread.
        """
        if self.runner is not None or self._starting:
            return
        from desktop.sync.setup import start_sync

        database, signals = self.database, self.signals
        self._starting = True
        BackgroundOp(
            lambda: start_sync(
                database,
                server_url,
                on_status=signals.report_status,
                on_session_expired=signals.report_session_expired,
                started=False,
            ),
            parent=self,
            title="Sync",
        ).success(self._run).failure(self._not_started).run()

    def _run(self, runner: SyncRunner | None) -> None:
        self._starting = False
        if runner is None or self.runner is not None:
            return
        self.runner = runner
        runner.start()
        self.background.add_worker(_SyncWorker(runner), _calendar_changed)
        self.started.emit(runner)

    def _not_started(self, _error: Exception) -> None:
        self._starting = False

    def _status(self, status: object) -> None:
        from desktop.sync.runner import SyncStatus

        if isinstance(status, SyncStatus):
            self.show_status(status.text)
            changes = pulled_changes(status.pulled)
            if changes.anything:
                self.pulled.emit(changes)

    def _expired(self, expired: object) -> None:
        if not isinstance(expired, SessionExpired) or self.runner is None:
            return
        self.show_status("Sign in to the server to keep syncing")
        if self.prompt is None or not self.prompt.isVisible():
            from desktop.ui.sync.server_sign_in import ServerSignInDialog

            parent = self.parent()
            self.prompt = ServerSignInDialog(
                self.runner, expired.message, parent if isinstance(parent, QWidget) else None
            )
            self.prompt.open()
