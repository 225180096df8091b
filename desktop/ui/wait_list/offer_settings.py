"""The Wait list window's footer: offer freed times by SMS, and to how many patients at once.

Read in the background when the window opens; a change is saved at once (in the
background) and a refusal puts the boxes back as they are stored. SMS offers go
through the clinic's SMS provider (Settings ▸ Reminders and SMS), so the line
says so when none is set up.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from desktop.domain.roles import Role
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.services.messaging.settings import get_settings as messaging_settings
from desktop.services.wait_list_offers import (
    MOST_AT_ONCE,
    WaitListSettings,
    get_settings,
    save_settings,
)
from desktop.ui.service_caller import ServiceCaller


def read_offer_settings(ctx: ServiceContext) -> tuple[WaitListSettings, bool, bool]:
    """The clinic's setting, whether SMS can be sent at all, and whether this user may change it."""
    clinic = calendar.main_clinic(ctx)
    may_change = ctx.actor().role is not Role.PRACTITIONER
    return (
        get_settings(ctx, clinic.id),
        messaging_settings(ctx, clinic.id).sms_configured,
        may_change,
    )


class OfferSettingsRow(QWidget):
    def __init__(self, caller: ServiceCaller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caller = caller
        self.stored: WaitListSettings | None = None
        self.offer = QCheckBox("Offer freed times by &SMS to the first")
        self.count = QSpinBox()
        self.count.setRange(1, MOST_AT_ONCE)
        self.count.setSuffix(" who fit")
        self.count.setAccessibleName("How many patients a freed time is offered to")
        self.note = QLabel("— the first to reply YES gets it; the others are told it has gone.")
        self.note.setProperty("muted", True)
        self.note.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.offer)
        layout.addWidget(self.count)
        layout.addWidget(self.note, 1)
        self.setEnabled(False)  # until read
        self.offer.toggled.connect(self._changed)
        self.count.valueChanged.connect(self._changed)
        ctx = caller.ctx
        caller.in_background(lambda: read_offer_settings(ctx), refresh_on_refusal=False).success(
            self._arrived
        ).run()

    def _arrived(self, read: tuple[WaitListSettings, bool, bool]) -> None:
        settings, sms_ready, may_change = read
        self._show(settings)
        self.setEnabled(may_change)
        if not sms_ready:
            self.note.setText(
                "— needs an SMS provider: set one up in Settings ▸ Reminders and SMS."
            )

    def _show(self, settings: WaitListSettings) -> None:
        self.stored = settings
        for box in (self.offer, self.count):
            box.blockSignals(True)
        self.offer.setChecked(settings.offer_by_sms)
        self.count.setValue(settings.offer_to)
        self.count.setEnabled(settings.offer_by_sms)
        for box in (self.offer, self.count):
            box.blockSignals(False)

    def _changed(self) -> None:
        if self.stored is None:
            return
        wanted = WaitListSettings(self.stored.clinic_id, self.offer.isChecked(), self.count.value())
        self.count.setEnabled(wanted.offer_by_sms)
        ctx, stored = self.caller.ctx, self.stored
        self.caller.in_background(
            lambda: save_settings(ctx, wanted),
            title="Wait list",
            on_error=lambda _exc: self._show(stored),
        ).success(lambda _changes: self._saved(wanted)).run()

    def _saved(self, settings: WaitListSettings) -> None:
        self.stored = settings
