"""Settings page: point this desktop at the clinic's server and run the first sync.

The connection and the first sync run as a background operation (progress comes
through `SyncSignals`), so the window stays responsive while a fresh desktop
downloads the whole clinic; the progress bar follows the download, then the apply.
What the user typed is read on the GUI thread before the work starts.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DomainError
from desktop.store.database import Database
from desktop.sync.client import Offline, ServerProtocolError, SignInFailed
from desktop.sync.engine import SyncEngine
from desktop.sync.setup import connect_to_server
from desktop.sync.state import ReplicaState, load_state
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.sync.bridge import SyncSignals

Connect = Callable[..., SyncEngine]


class ServerSettingsPage(QWidget):
    """Server address, sign-in, Connect; a progress bar for the first sync.

    Signals:
        connected(SyncEngine): the first sync finished; the app starts its runner.
        failed(str): why connecting did not work, in a sentence.
    """

    connected = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        database: Database,
        parent: QWidget | None = None,
        *,
        connect: Connect = connect_to_server,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self._connect = connect
        self.signals = SyncSignals(self)
        self.signals.progress.connect(self._show_progress)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://frontdesk.clinic.local")
        self.username_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Server address", self.url_edit)
        form.addRow("Username", self.username_edit)
        form.addRow("Password", self.password_edit)
        layout.addLayout(form)
        self.connect_button = QPushButton("Connect and download the clinic")
        self.connect_button.clicked.connect(self.start_connect)
        layout.addWidget(self.connect_button)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 0)
        self.progress_bar.hide()
        layout.addWidget(self.progress_bar)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.failed.connect(self._show_failure)
        self.connected.connect(self._show_connected)
        self.connect_button.setEnabled(False)  # until we know whether it follows a server
        self.message.setText("Reading this computer's sync settings…")
        BackgroundOp(lambda: load_state(database), parent=self).success(self._show_state).run()

    def _show_state(self, state: ReplicaState | None) -> None:
        self.connect_button.setEnabled(True)
        self.message.clear()
        if state is not None:
            self.url_edit.setText(state.server_url)
            self.url_edit.setReadOnly(True)  # a replica follows one server for good
            self.message.setText(f"This computer syncs with {state.server_url}.")

    def start_connect(self) -> None:
        self.connect_button.setEnabled(False)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.message.setText("Connecting…")
        database, connect, progress = self.database, self._connect, self.signals.report_progress
        url, username = self.url_edit.text(), self.username_edit.text()
        password = self.password_edit.text()
        BackgroundOp(
            lambda: connect(database, url, username, password, progress=progress),
            parent=self,
            reports=(Offline, SignInFailed, ServerProtocolError, DomainError),
        ).success(self.connected.emit).failure(lambda exc: self.failed.emit(str(exc))).run()

    def _show_progress(self, phase: str, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(min(done, max(total, 1)))
        verb = "Downloading" if phase == "download" else "Saving"
        self.message.setText(f"{verb} the clinic: {done:,} of {total:,} records…")

    def _show_failure(self, message: str) -> None:
        self.connect_button.setEnabled(True)
        self.progress_bar.hide()
        self.message.setText(message)

    def _show_connected(self, _engine: object) -> None:
        self.password_edit.clear()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)
        self.url_edit.setReadOnly(True)
        self.message.setText("Connected. This computer now syncs with the server.")
