"""The patient's credit, for their card: the balance, what is left of each package,
and every use (which session, when, how much).

Reloads itself when billing changes (`Changes.billing`). Buttons: sell a package,
and print the patient's session receipts for a date range is left to the caller
(`credit.session_receipts_pdf`).
"""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.credit import CreditStatement
from desktop.services import credit
from desktop.services.changes import Changes
from desktop.ui.credit.sell_package_dialog import SellPackageDialog
from desktop.ui.service_caller import ServiceCaller


def _table(name: str, headings: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headings)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class PatientCreditPanel(QWidget):
    def __init__(
        self, caller: ServiceCaller, patient_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.patient_id = patient_id
        self.statement: CreditStatement | None = None
        self.balance = QLabel()
        self.balance.setObjectName("creditBalance")
        self.balance.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.lots = _table("creditLots", ["Credit", "Left", "Expires"])
        self.uses = _table("creditUses", ["Date", "Invoice", "Session", "Amount", ""])
        self.sell_button = QPushButton("Sell package…")
        self.sell_button.setObjectName("sellPackage")
        self.sell_button.clicked.connect(self.sell_package)
        buttons = QHBoxLayout()
        buttons.addWidget(self.balance, 1)
        buttons.addWidget(self.sell_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Packages and credit"))
        layout.addWidget(self.lots)
        layout.addWidget(QLabel("Used"))
        layout.addWidget(self.uses)
        caller.bus.changed.connect(self._on_changes)
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.billing or changes.patients:
            self.reload()

    def reload(self) -> None:
        ctx = self.caller.ctx
        found = self.caller.call(lambda: credit.patient_credit(ctx, self.patient_id))
        if found is None:
            return
        self.statement = found
        self.balance.setText(f"Credit: {found.balance}")
        self.lots.setRowCount(len(found.lots))
        for row, summary in enumerate(found.lots):
            lot = summary.lot
            if lot.sessions is not None:
                left = f"{lot.sessions_left} of {lot.sessions} sessions ({lot.remaining})"
            else:
                left = f"{lot.remaining} of {lot.amount}"
            expires = f"{lot.expires_on:%d/%m/%Y}" if lot.expires_on else "never"
            if summary.expired:
                expires += " (expired)"
            for column, value in enumerate((f"{lot.number} {lot.description}", left, expires)):
                self.lots.setItem(row, column, QTableWidgetItem(value))
        self.uses.setRowCount(len(found.uses))
        for row, use in enumerate(found.uses):
            session = use.type_name
            if use.service_date is not None:
                session = f"{use.type_name} {use.service_date:%d/%m/%Y}"
            values = (
                f"{use.applied_on:%d/%m/%Y}",
                use.invoice_number,
                session,
                str(use.amount),
                "" if use.live else "given back",
            )
            for column, value in enumerate(values):
                self.uses.setItem(row, column, QTableWidgetItem(value))

    def sell_package(self) -> SellPackageDialog:
        dialog = SellPackageDialog(self.caller, self.patient_id, self)
        dialog.open()
        return dialog
