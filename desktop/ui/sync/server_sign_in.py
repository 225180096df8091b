"""Signing in to the clinic's server again when it ended this PC's sync session.

The sync thread stops and waits (`SyncState.SIGNED_OUT`); this dialog asks for the
server password, signs in in the background (the server, then the keyring keeps the
new "remember me" secret: either can take a while), and tells the runner to carry on.
Local work never stopped: bookings made meanwhile are uploaded on the next pass.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.sync.client import Offline, ServerProtocolError, SignInFailed
from desktop.sync.runner import SyncRunner
from desktop.ui.background_ops import BackgroundOp, runner


class ServerSignInDialog(QDialog):
    def __init__(
        self,
        runner: SyncRunner,
        reason: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle("Sign in to the clinic's server")
        self.setMinimumWidth(440)
        api = runner.engine.api
        user = api.credentials.user
        intro = QLabel(
            f"{reason}<br>Sign in to <b>{api.base_url}</b> to keep syncing. "
            "You can keep working meanwhile; your changes wait on this PC."
        )
        intro.setWordWrap(True)
        self.username = QLineEdit(user.username if user else "")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel("")
        self.problem.setObjectName("signInProblem")
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._check_key = f"server-sign-in-{id(self)}"
        self._set_checking(False)
        buttons.accepted.connect(self.sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        (self.password if user else self.username).setFocus()

    def sign_in(self) -> None:
        """Try the password in the background ("Checking…"); on success sync resumes
        and the dialog closes, else it says why and stays open."""
        if self.checking:
            return  # Enter pressed twice: one try at a time
        api, username, password = (
            self.runner.engine.api,
            self.username.text().strip(),
            self.password.text(),
        )
        self._set_checking(True)
        BackgroundOp(
            lambda: api.sign_in(username, password),
            parent=self,
            key=self._check_key,
            title="Sync",
            reports=(SignInFailed, Offline, ServerProtocolError),
        ).success(self._signed_in).failure(self._not_signed_in).run()

    def reject(self) -> None:
        runner().cancel(self._check_key)  # closed while checking: no late sign-in
        self._set_checking(False)
        super().reject()

    def _set_checking(self, checking: bool) -> None:
        self.checking = checking
        self.sign_in_button.setEnabled(not checking)
        self.sign_in_button.setText("Checking…" if checking else "Sign in")

    def _signed_in(self, _tokens: object) -> None:
        self._set_checking(False)
        self.password.clear()
        self.runner.signed_in()
        self.accept()

    def _not_signed_in(self, exc: Exception) -> None:
        self._set_checking(False)
        if isinstance(exc, SignInFailed):
            self._problem(str(exc))
        else:
            self._problem(f"The server cannot be reached: {exc}")

    def _problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.password.selectAll()
