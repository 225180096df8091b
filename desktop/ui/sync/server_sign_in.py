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
from desktop.ui.widgets.checking_button import CheckingButton


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
        self.check = CheckingButton(self.sign_in_button, self, "Sign in")
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
        api, username, password = (
            self.runner.engine.api,
            self.username.text().strip(),
            self.password.text(),
        )
        self.check.check(
            lambda: api.sign_in(username, password),
            self._signed_in,
            self._not_signed_in,
            reports=(SignInFailed, Offline, ServerProtocolError),
            title="Sync",
        )

    def reject(self) -> None:
        self.check.cancel()  # closed while checking: no late sign-in
        super().reject()

    def _signed_in(self, _tokens: object) -> None:
        self.password.clear()
        self.runner.signed_in()
        self.accept()

    def _not_signed_in(self, exc: Exception) -> None:
        if isinstance(exc, SignInFailed):
            self._problem(str(exc))
        else:
            self._problem(f"The server cannot be reached: {exc}")

    def _problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.password.selectAll()
