"""Signing in to the clinic's server again when it ended this PC's sync session.

The sync thread stops and waits (`SyncState.SIGNED_OUT`); this dialog asks for the
server password on the GUI thread, signs in, and tells the runner to carry on.
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
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        (self.password if user else self.username).setFocus()

    def sign_in(self) -> bool:
        """Try the password; on success sync resumes and the dialog closes."""
        try:
            self.runner.engine.api.sign_in(self.username.text().strip(), self.password.text())
        except SignInFailed as exc:
            self._problem(str(exc))
            return False
        except (Offline, ServerProtocolError) as exc:
            self._problem(f"The server cannot be reached: {exc}")
            return False
        self.password.clear()
        self.runner.signed_in()
        self.accept()
        return True

    def _problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.password.selectAll()
