"""Settings ▸ Sign-in: how long a screen may sit idle before it locks, and how long
a sign-in lasts at most. Administrators only.

The idle timeout reaches every open window at once: saving publishes
`Changes(sign_in_policy=True)` and the sign-in controller re-reads it into the idle
lock. A new session lifetime applies to sign-ins from then on. The policy is the
clinic's: on a desk that follows a server it syncs like the other settings, and a
pull that brings another desk's change publishes the same `Changes`
(desktop/ui/sync/wiring.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtWidgets import QFormLayout, QSpinBox, QWidget

from desktop.auth import SessionPolicy
from desktop.domain.roles import Role
from desktop.services.accounts import Accounts
from desktop.services.changes import Changes
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.fields import note_label, when_role_known
from desktop.ui.settings.record_list_dialog import EditorDialog


class SignInPolicyDialog(EditorDialog):
    """Opens at once; the policy and who may change it are read in the background."""

    def __init__(
        self, caller: ServiceCaller, accounts: Accounts, parent: QWidget | None = None
    ) -> None:
        super().__init__(caller, "Sign-in", parent)
        self.accounts = accounts
        self.policy: SessionPolicy | None = None
        self.can_edit = False
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, 24 * 60)
        self.idle_minutes.setSuffix(" minutes")
        self.lifetime_hours = QSpinBox()
        self.lifetime_hours.setRange(1, 30 * 24)
        self.lifetime_hours.setSuffix(" hours")
        form = QFormLayout()
        form.addRow("Lock the screen after &idle", self.idle_minutes)
        form.addRow("Sign in again after at most", self.lifetime_hours)
        self.body.addLayout(form)
        self.body.addWidget(
            note_label(
                "The idle lock changes on every open window at once (on the other PCs that "
                "share the clinic's server, at their next sync); a new session length "
                "applies from each person's next sign-in."
            )
        )
        self.admin_note = note_label("Only an administrator can change how sign-in works.")
        self.admin_note.hide()
        self.body.addWidget(self.admin_note)
        self._enable()
        caller.in_background(
            accounts.policy, title="Sign-in", refresh_on_refusal=False, parent=self
        ).success(self._show_policy).run()
        when_role_known(caller, self, self._role_known)
        self.resize(460, 200)

    def _show_policy(self, policy: SessionPolicy) -> None:
        self.policy = policy
        self.idle_minutes.setValue(int(policy.idle_timeout.total_seconds() // 60))
        self.lifetime_hours.setValue(max(1, int(policy.lifetime.total_seconds() // 3600)))
        self._enable()

    def _role_known(self, role: Role | None) -> None:
        self.can_edit = role is Role.ADMIN
        self.admin_note.setVisible(not self.can_edit)
        self._enable()

    def _enable(self) -> None:
        ready = self.can_edit and self.policy is not None
        for field in (self.idle_minutes, self.lifetime_hours):
            field.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def saving(self) -> Callable[[], Changes]:
        assert self.policy is not None  # Save is off until it is read
        policy = SessionPolicy(
            idle_timeout=timedelta(minutes=self.idle_minutes.value()),
            lifetime=timedelta(hours=self.lifetime_hours.value()),
            remember_for=self.policy.remember_for,
        )
        accounts, ctx = self.accounts, self.caller.ctx
        return lambda: accounts.set_policy(ctx, policy)
