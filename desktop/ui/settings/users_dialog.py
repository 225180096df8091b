"""Settings ▸ Users: who can sign in, with which role; add, reset, unlock, sign out.

Administrators only (the services refuse anyone else, with a message). Resetting a
password or signing someone out ends that person's sessions on every PC at once;
deactivating them does too and keeps their history.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.auth import UserAccount
from desktop.auth.authenticator import UserChanges
from desktop.auth.records import NewUser
from desktop.domain.clinic_time import clinic_zone, to_local
from desktop.domain.errors import DomainError, NotFound
from desktop.domain.people import Practitioner
from desktop.domain.roles import Actor, Role
from desktop.services import calendar
from desktop.services.accounts import Accounts
from desktop.services.context import ServiceContext
from desktop.ui import prompts
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.busy_form import BusyForm

_ROLE_NAMES = {
    Role.RECEPTIONIST: "Receptionist",
    Role.PRACTITIONER: "Practitioner",
    Role.ADMIN: "Administrator",
}


def ask_new_password(parent: QWidget | None, username: str) -> str | None:
    """Module level so offscreen tests answer instead of a modal box."""
    dialog = _PasswordDialog(username, parent)
    return dialog.password.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


class _PasswordDialog(QDialog):
    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New password for {username}")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        form.addRow("New &password", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class AddUserDialog(QDialog):
    """Username, name, role (a practitioner account names its practitioner), password."""

    def __init__(
        self, caller: ServiceCaller, accounts: Accounts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a user")
        self.setMinimumWidth(420)
        self.caller = caller
        self.accounts = accounts
        self.added: UserAccount | None = None
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.role = QComboBox()
        for role, name in _ROLE_NAMES.items():
            self.role.addItem(name, role.value)  # Qt keeps plain strings, not enums
        self.practitioner = QComboBox()
        ctx = caller.ctx
        caller.in_background(
            lambda: calendar.practitioners(ctx), title="Add a user", parent=self
        ).success(self._list_practitioners).run()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Name", self.display_name)
        form.addRow("&Role", self.role)
        form.addRow("Practitioner", self.practitioner)
        form.addRow("&Password", self.password)
        form.addRow("Re&peat password", self.repeat)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add user")
        buttons.accepted.connect(self.add)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        self.busy = BusyForm(self, caller)

    def _list_practitioners(self, people: list[Practitioner]) -> None:
        for person in people:
            self.practitioner.addItem(person.name, str(person.id))

    def _role_changed(self) -> None:
        self.practitioner.setEnabled(self.role.currentData() == Role.PRACTITIONER.value)

    def add(self) -> None:
        if self.password.text() != self.repeat.text():
            self._problem("The two passwords differ.")
            return
        role = Role(self.role.currentData())
        chosen = self.practitioner.currentData() if role is Role.PRACTITIONER else None
        new = NewUser(
            username=self.username.text().strip(),
            display_name=self.display_name.text().strip(),
            role=role,
            password=self.password.text(),
            practitioner_id=uuid.UUID(chosen) if isinstance(chosen, str) else None,
        )
        ctx, accounts = self.caller.ctx, self.accounts
        self.problem.hide()
        self.busy.save(
            lambda: accounts.add_user(ctx, new),
            self._added,
            title="Add a user",
            doing="Adding…",
            on_error=self._refused,
            reports=(DomainError,),  # said in place; the dialog keeps what was typed
        )

    def _added(self, user: UserAccount) -> None:
        self.added = user
        self.accept()

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, DomainError):
            self._problem(str(exc))

    def _problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()


class UsersDialog(QDialog):
    def __init__(
        self, caller: ServiceCaller, accounts: Accounts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Users — Frontdesk")
        self.resize(760, 420)
        self.caller = caller
        self.accounts = accounts
        self.users: list[UserAccount] = []
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Username", "Name", "Role", "Status", "Last sign-in"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("&Add user…")
        self.reset_button = QPushButton("Reset &password…")
        self.sign_out_button = QPushButton("&Sign out everywhere")
        self.unlock_button = QPushButton("&Unlock")
        self.active_button = QPushButton("&Deactivate")
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.sign_out_button.clicked.connect(self.sign_out_everywhere)
        self.unlock_button.clicked.connect(self.unlock)
        self.active_button.clicked.connect(self.toggle_active)
        buttons = QHBoxLayout()
        actions = (
            self.add_button,
            self.reset_button,
            self.sign_out_button,
            self.unlock_button,
            self.active_button,
        )
        for button in actions:
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.note = QLabel("Only an administrator can see and change who can sign in.")
        self.note.setProperty("muted", True)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        # Ask first, so someone who may not manage users is not offered buttons that refuse.
        self.admin_buttons = actions
        self.is_admin = False
        for button in actions:
            button.setVisible(False)
        self.note.hide()
        self.busy = BusyForm(self, caller)
        ctx = caller.ctx
        caller.in_background(
            lambda: (ctx.actor(), accounts.managed_elsewhere(ctx)),
            title="Users",
            refresh_on_refusal=False,
            parent=self,
        ).success(lambda found: self._signed_in(*found)).run()

    def _signed_in(self, actor: Actor, managed_elsewhere: str = "") -> None:
        self.is_admin = actor.is_admin
        for button in self.admin_buttons:
            button.setVisible(self.is_admin)
        if self.is_admin and managed_elsewhere:
            # A desk that follows a server: the users come from there. Its own lockout
            # (wrong passwords typed at this desk) is still lifted here.
            self.note.setText(managed_elsewhere)
            for button in (
                self.add_button,
                self.reset_button,
                self.sign_out_button,
                self.active_button,
            ):
                button.setVisible(False)
        self.note.setVisible(not self.is_admin or bool(managed_elsewhere))
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the users (and the clinic's zone for sign-in times) in the background;
        then select `select`, a username, if given."""
        if not self.is_admin:
            return
        ctx, accounts = self.caller.ctx, self.accounts
        self.caller.in_background(
            lambda: (accounts.users(ctx), _zone(ctx)),
            key=f"users-{id(self)}",
            title="Users",
            refresh_on_refusal=False,
            parent=self,
        ).success(lambda found: self._show(*found, select)).run()

    def _show(self, users: list[UserAccount], zone: ZoneInfo, select: str | None) -> None:
        self.users = users
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            last = to_local(user.last_sign_in_at, zone) if user.last_sign_in_at else None
            values = (
                user.username,
                user.display_name,
                _ROLE_NAMES[user.role],
                _status(user),
                f"{last:%d %b %Y %H:%M}" if last else "never",
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        if select is not None:
            self.select(select)
        self._selection_changed()

    def selected(self) -> UserAccount | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self.users[rows.pop()] if len(rows) == 1 else None

    def select(self, username: str) -> None:
        for row, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        user = self.selected()
        for button in (self.reset_button, self.sign_out_button, self.active_button):
            button.setEnabled(user is not None)
        self.unlock_button.setEnabled(user is not None and user.locked_until is not None)
        self.active_button.setText("&Reactivate" if user and not user.active else "&Deactivate")

    def add_user(self) -> UserAccount | None:
        dialog = AddUserDialog(self.caller, self.accounts, self)
        if prompts.run_dialog(dialog) and dialog.added is not None:
            self.reload(select=dialog.added.username)
            return dialog.added
        return None

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        password = ask_new_password(self, user.username)
        if password is None:
            return
        ctx, accounts = self.caller.ctx, self.accounts
        self._act(lambda: accounts.set_password(ctx, user.id, password), "Reset password", user)

    def sign_out_everywhere(self) -> None:
        user = self.selected()
        if user is None or not prompts.ask(
            self,
            "Sign out everywhere",
            f"End every session of {user.display_name} on every PC?",
            "Sign out",
        ):
            return
        ctx, accounts = self.caller.ctx, self.accounts
        self._act(lambda: accounts.sign_out_everywhere(ctx, user.id), "Sign out everywhere", user)

    def unlock(self) -> None:
        user = self.selected()
        if user is not None:
            ctx, accounts = self.caller.ctx, self.accounts
            self._act(lambda: accounts.unlock(ctx, user.id), "Unlock", user)

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        changes = UserChanges(
            display_name=user.display_name,
            role=user.role,
            practitioner_id=user.practitioner_id,
            active=not user.active,
        )
        ctx, accounts = self.caller.ctx, self.accounts
        self._act(lambda: accounts.update_user(ctx, user.id, changes), "Users", user)

    def _act(self, action: Callable[[], object], title: str, user: UserAccount) -> None:
        """Change a user in the background, then show the list again with them selected."""
        self.busy.save(
            action,
            lambda _done: self.reload(select=user.username),
            title=title,
            on_error=lambda _exc: self.reload(select=user.username),
        )


def _status(user: UserAccount) -> str:
    if not user.active:
        return "Inactive"
    if user.locked_until is not None:
        return "Locked (too many failed sign-ins)"
    return "Active"


def _zone(ctx: ServiceContext) -> ZoneInfo:
    """The clinic's zone, for sign-in times (UTC on a database without a clinic yet)."""
    try:
        return clinic_zone(calendar.main_clinic(ctx).timezone)
    except NotFound:
        return clinic_zone("UTC")
