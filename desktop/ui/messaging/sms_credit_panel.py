"""SMS credit: the balance, buying a bundle (its receipt is emailed), recent purchases."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.changes import Changes
from desktop.services.messaging import credits
from desktop.services.outbox_dispatch import Clock, system_clock
from desktop.ui import prompts
from desktop.ui.messaging.formatting import short_when
from desktop.ui.service_caller import ServiceCaller


class SmsCreditPanel(QWidget):
    def __init__(
        self,
        caller: ServiceCaller,
        clinic_id: uuid.UUID,
        zone: ZoneInfo,
        clock: Clock = system_clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.clinic_id = clinic_id
        self.zone = zone
        self.clock = clock
        self.balance = QLabel()
        self.balance.setObjectName("creditBalance")
        self.balance.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.warning = QLabel()
        self.warning.setObjectName("formError")
        self.warning.setWordWrap(True)
        self.bundles = QComboBox()
        for bundle in credits.BUNDLES:
            self.bundles.addItem(bundle.label)
        self.buy_button = QPushButton("Buy credit…")
        self.buy_button.clicked.connect(self.buy)
        note = QLabel(
            "One credit sends one SMS part (160 plain characters). The receipt is emailed to "
            "the billing address; texts waiting for credit go as soon as it is bought."
        )
        note.setWordWrap(True)
        note.setProperty("muted", True)
        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels(["Bought", "Credits", "Amount", "By"])
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.history.setMinimumHeight(120)
        self.history.setMaximumHeight(220)
        self.history.setAlternatingRowColors(True)
        row = QHBoxLayout()
        row.addWidget(self.bundles, 1)
        row.addWidget(self.buy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.balance)
        layout.addWidget(self.warning)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addWidget(QLabel("Recent purchases"))
        layout.addWidget(self.history)
        caller.bus.changed.connect(self._on_changes)
        self.reload()

    def reload(self) -> None:
        status = self.caller.call(
            lambda: credits.credit_status(self.caller.ctx, self.clinic_id), refresh_on_refusal=False
        )
        bought = self.caller.call(
            lambda: credits.purchases(self.caller.ctx, self.clinic_id), refresh_on_refusal=False
        )
        if status is None or bought is None:
            return
        self.balance.setText(f"{status.balance:,} SMS credits")
        self.warning.setText(status.text)
        self.warning.setVisible(bool(status.text))
        self.history.setRowCount(len(bought))
        for row, purchase in enumerate(bought):
            cells = [
                short_when(purchase.purchased_at, self.zone),
                f"{purchase.credits:,}",
                str(purchase.amount),
                purchase.purchased_by,
            ]
            for column, text in enumerate(cells):
                self.history.setItem(row, column, QTableWidgetItem(text))

    def buy(self) -> None:
        bundle = credits.BUNDLES[self.bundles.currentIndex()]
        if not prompts.ask(
            self,
            "Buy SMS credit",
            f"Buy {bundle.credits:,} SMS credits for {bundle.price} (GST included)?\n\n"
            "The receipt is emailed to the clinic's billing address.",
            "Buy",
        ):
            return
        result = self.caller.call(
            lambda: credits.buy_sms_credits(
                self.caller.ctx, self.clinic_id, bundle, clock=self.clock
            ),
            title="Buy SMS credit",
            refresh_on_refusal=False,
        )
        if result is not None:
            self.caller.publish(result.changes)
            self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.outbox or changes.billing:
            self.reload()
