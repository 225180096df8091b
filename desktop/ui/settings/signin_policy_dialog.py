"""Settings ▸ Sign-in: how long a screen may sit idle before it locks, and how long
a sign-in lasts at most. Administrators only.

The idle timeout reaches every open window at once: saving publishes
`Changes(sign_in_policy=True)` and the sign-in controller re-reads it into the idle
lock. A new session lifetime applies to sign-ins from then on.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QFormLayout, QSpinBox, QWidget

from desktop.auth import SessionPolicy
from desktop.domain.roles import Role
from desktop.services.accounts import Accounts
from desktop.services.changes import Changes
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.settings.fields import actor_role, note_label
from desktop.ui.settings.record_list_dialog import EditorDialog


class SignInPolicyDialog(EditorDialog):
    def __init__(
        self, caller: ServiceCaller, accounts: Accounts, parent: QWidget | None = None
    ) -> None:
        super().__init__(caller, "Sign-in", parent)
        self.accounts = accounts
        self.policy = accounts.policy()
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(1, 24 * 60)
        self.idle_minutes.setSuffix(" minutes")
        self.idle_minutes.setValue(int(self.policy.idle_timeout.total_seconds() // 60))
        self.lifetime_hours = QSpinBox()
        self.lifetime_hours.setRange(1, 30 * 24)
        self.lifetime_hours.setSuffix(" hours")
        self.lifetime_hours.setValue(max(1, int(self.policy.lifetime.total_seconds() // 3600)))
        form = QFormLayout()
        form.addRow("Lock the screen after &idle", self.idle_minutes)
        form.addRow("Sign in again after at most", self.lifetime_hours)
        self.body.addLayout(form)
        self.body.addWidget(
            note_label(
                "The idle lock changes on every open window at once; a new session length "
                "applies from each person's next sign-in."
            )
        )
        can_edit = actor_role(caller) is Role.ADMIN
        for field in (self.idle_minutes, self.lifetime_hours):
            field.setEnabled(can_edit)
        self.save_button.setEnabled(can_edit)
        if not can_edit:
            self.body.addWidget(note_label("Only an administrator can change how sign-in works."))
        self.resize(460, 200)

    def save_changes(self) -> Changes:
        policy = SessionPolicy(
            idle_timeout=timedelta(minutes=self.idle_minutes.value()),
            lifetime=timedelta(hours=self.lifetime_hours.value()),
            remember_for=self.policy.remember_for,
        )
        return self.accounts.set_policy(self.caller.ctx, policy)
