"""The sign-in dialog, the first-run administrator dialog and the change-password dialog.

Each dialog is handed the service call to make (`attempt`) and stays open with the
service's sentence when it refuses (a wrong password, a locked account …), so the
caller only ever sees an accepted dialog with a result, or a rejected one.
Nothing here blocks by itself: whoever shows the dialog decides how (`exec()` in
the app, a direct `submit()` in tests). The call itself — a deliberately slow
password hash, and a database that may be across a network — runs as a
background operation while the dialog shows "Checking…".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.auth.errors import SessionExpired
from desktop.domain.errors import DomainError
from desktop.ui.widgets.checking_button import CheckingButton

if TYPE_CHECKING:
    from desktop.auth import SignedIn

log = logging.getLogger(__name__)

UNLOCKS_PROPERTY = "frontdesk_unlocks"
"""Set on windows that sign the user in, so the idle lock never covers them."""

SignInAttempt = Callable[[str, str, bool], "SignedIn"]


@dataclass(frozen=True, slots=True)
class RememberChoice:
    """Whether to offer "Remember me", and what to say when it cannot be offered."""

    offered: bool
    note: str | None = None


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    return label


def _banner(kind: str) -> QLabel:
    """A word-wrapped note: "info" (amber, why you are asked) or "error" (red)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setObjectName(f"{kind}Banner")
    colours = {
        "info": ("#fff4d6", "#6b4e00", "#f0d48a"),
        "error": ("#fdecea", "#8a1c12", "#f3b7b0"),
        "note": ("#eef3f8", "#33475b", "#cfdbe7"),
    }[kind]
    label.setStyleSheet(
        f"QLabel#{kind}Banner {{ background: {colours[0]}; color: {colours[1]}; "
        f"border: 1px solid {colours[2]}; border-radius: 6px; padding: 8px 10px; }}"
    )
    label.hide()
    return label


def _say(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class _FormDialog(QDialog):
    """Heading, optional banner, a form, an error line and two buttons."""

    def __init__(self, parent: QWidget | None, title: str, heading: str, accept_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setProperty(UNLOCKS_PROPERTY, True)
        self.setFixedWidth(440)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 20, 24, 18)
        self.layout_.setSpacing(12)
        self.heading = _heading(heading)
        self.layout_.addWidget(self.heading)
        self.message = _banner("info")
        self.layout_.addWidget(self.message)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(10)
        self.layout_.addLayout(self.form)
        self.extras = QVBoxLayout()
        self.extras.setSpacing(6)
        self.layout_.addLayout(self.extras)
        self.error = _banner("error")
        self.layout_.addWidget(self.error)
        self.buttons = QDialogButtonBox()
        self.accept_button: QPushButton = self.buttons.addButton(
            accept_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button: QPushButton = self.buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel
        )
        self.accept_button.setDefault(True)
        self.check = CheckingButton(self.accept_button, self, accept_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)

    def submit(self) -> None:
        """Try the service call; accept on success, else show why and stay open."""
        if self.checking:
            return  # Enter pressed twice: one check at a time
        self.error.hide()
        self._fit()
        try:
            work = self._attempt()  # reads the form here, on the GUI thread
        except DomainError as exc:
            self._refused(str(exc))
            return
        self.check.check(work, self._succeeded, self._failed, reports=(Exception, SessionExpired))

    @property
    def checking(self) -> bool:
        """A check is under way (the accept button reads "Checking…")."""
        return self.check.checking

    def reject(self) -> None:
        self.check.cancel()  # cancelled while checking: no late sign-in
        super().reject()

    def _succeeded(self, result: object) -> None:
        self._keep(result)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, DomainError):
            self._refused(str(exc))
        elif isinstance(exc, SessionExpired):
            self._refused(exc.message)
        else:  # the database went away …: say so, never a traceback
            log.error("sign-in dialog: the attempt failed", exc_info=exc)
            self._refused(f"Frontdesk could not reach the database to check this: {exc}")

    def _attempt(self) -> Callable[[], object]:
        """Check the form (raise `_Incomplete`) and return the call to make."""
        raise NotImplementedError

    def _keep(self, result: object) -> None:
        """Hold on to what the successful call returned."""

    def _refused(self, text: str) -> None:
        _say(self.error, text)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        self._fit()
        super().showEvent(event)

    def _fit(self) -> None:
        """Exactly as tall as the shown rows need at this width (word-wrapped banners)."""
        layout = self.layout_
        layout.activate()
        if layout.hasHeightForWidth():
            height = layout.totalHeightForWidth(self.width())
        else:
            height = layout.totalSizeHint().height()
        self.resize(self.width(), height)


class SignInDialog(_FormDialog):
    """Username and password; optionally "Remember me on this computer"."""

    def __init__(
        self,
        parent: QWidget | None,
        attempt: SignInAttempt,
        *,
        message: str = "",
        username: str = "",
        remember: RememberChoice | None = None,
        cancel_text: str = "Cancel",
    ) -> None:
        super().__init__(parent, "Sign in — Frontdesk", "Sign in to Frontdesk", "Sign in")
        self._sign_in = attempt
        self.signed_in: SignedIn | None = None
        self.opening = False  # shown before the database is open (see startup.py)
        self.username = QLineEdit()
        self.username.setPlaceholderText("e.g. reception")
        self.password = _password_field()
        self.form.addRow("&Username", self.username)
        self.form.addRow("&Password", self.password)
        self.remember = QCheckBox("&Remember me on this computer")
        self.remember_note = _banner("note")
        self.extras.addWidget(self.remember)
        self.extras.addWidget(self.remember_note)
        self.cancel_button.setText(cancel_text)
        self.username.setFocus()
        self.offer(message, username, remember or RememberChoice(offered=False))

    def offer(self, message: str, username: str, remember: RememberChoice) -> None:
        """Why the user is asked, whom to suggest, and whether "Remember me" is offered;
        what the user has typed meanwhile stays."""
        _say(self.message, message)
        self._remember_offered = remember.offered
        self.remember.setVisible(remember.offered)
        _say(self.remember_note, remember.note)
        if username and not self.username.text():
            self.username.setText(username)
            self.password.setFocus()
        self._fit()

    def close_unasked(self) -> None:
        """Nothing for the user to type after all (remembered, or a new database)."""
        self.check.cancel()
        self.done(QDialog.DialogCode.Rejected.value)

    @property
    def remember_checked(self) -> bool:
        return self._remember_offered and self.remember.isChecked()

    def fill(self, username: str, password: str, *, remember: bool = False) -> None:
        self.username.setText(username)
        self.password.setText(password)
        self.remember.setChecked(remember)

    def _attempt(self) -> Callable[[], object]:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            raise _Incomplete("Enter your username and password.")
        sign_in, remember = self._sign_in, self.remember_checked
        return lambda: sign_in(username, password, remember)

    def _keep(self, result: object) -> None:
        from desktop.auth import SignedIn

        assert isinstance(result, SignedIn)
        self.signed_in = result

    def _refused(self, text: str) -> None:
        super()._refused(text)
        self.password.clear()
        self.password.setFocus()


class FirstAdminDialog(_FormDialog):
    """First run: the database has no users, so create the administrator."""

    def __init__(self, parent: QWidget | None, create: Callable[[str, str, str], SignedIn]) -> None:
        super().__init__(
            parent, "Welcome — Frontdesk", "Welcome to Frontdesk", "Create administrator"
        )
        self._create = create
        self.signed_in: SignedIn | None = None
        _say(
            self.message,
            "Create the administrator account for this clinic. The administrator adds "
            "the other users (reception, practitioners) and decides how long sign-ins last.",
        )
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("e.g. Jane Citizen")
        self.username = QLineEdit("admin")
        self.password = _password_field()
        from desktop.auth import MIN_PASSWORD_LENGTH

        self.password.setPlaceholderText(f"at least {MIN_PASSWORD_LENGTH} characters")
        self.confirm = _password_field()
        self.form.addRow("Your &name", self.display_name)
        self.form.addRow("&Username", self.username)
        self.form.addRow("&Password", self.password)
        self.form.addRow("&Confirm password", self.confirm)
        self.cancel_button.setText("Quit")
        self.display_name.setFocus()

    def _attempt(self) -> Callable[[], object]:
        if self.password.text() != self.confirm.text():
            raise _Incomplete("The two passwords are not the same.")
        create = self._create
        username, name, password = (
            self.username.text(),
            self.display_name.text(),
            self.password.text(),
        )
        return lambda: create(username, name, password)

    def _keep(self, result: object) -> None:
        from desktop.auth import SignedIn

        assert isinstance(result, SignedIn)
        self.signed_in = result


class ChangePasswordDialog(_FormDialog):
    """The signed-in user's own password; their other sessions end."""

    def __init__(self, parent: QWidget | None, change: Callable[[str, str], None]) -> None:
        super().__init__(parent, "Change password — Frontdesk", "Change your password", "Change")
        self._change = change
        _say(
            self.message,
            "Frontdesk signs you out everywhere else, including remembered sign-ins.",
        )
        self.current = _password_field()
        self.new = _password_field()
        from desktop.auth import MIN_PASSWORD_LENGTH

        self.new.setPlaceholderText(f"at least {MIN_PASSWORD_LENGTH} characters")
        self.confirm = _password_field()
        self.form.addRow("&Current password", self.current)
        self.form.addRow("&New password", self.new)
        self.form.addRow("C&onfirm new password", self.confirm)
        self.current.setFocus()

    def _attempt(self) -> Callable[[], object]:
        if self.new.text() != self.confirm.text():
            raise _Incomplete("The two new passwords are not the same.")
        change, current, new = self._change, self.current.text(), self.new.text()
        return lambda: change(current, new)


class _Incomplete(DomainError):
    """The form itself is not filled in properly (nothing was sent)."""


def accepted(result: int) -> bool:
    return result == QDialog.DialogCode.Accepted.value
