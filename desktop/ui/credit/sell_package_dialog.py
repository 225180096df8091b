"""Sell a package to a patient: pick the package and how they paid; the credit is theirs.

Signals:
    sold(CreditLot): after the sale went through (its Changes were published).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.billing import PaymentMethod
from desktop.domain.credit import CreditLot, Package
from desktop.services import credit
from desktop.ui.service_caller import ServiceCaller


class SellPackageDialog(QDialog):
    sold = Signal(object)

    def __init__(
        self, caller: ServiceCaller, patient_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sell a package")
        self.caller = caller
        self.patient_id = patient_id
        self.lot: CreditLot | None = None
        self.packages: list[Package] = caller.call(lambda: credit.packages(caller.ctx)) or []
        self.package_box = QComboBox()
        self.package_box.setObjectName("packageBox")
        for package in self.packages:
            self.package_box.addItem(package.describe, package.id)
        self.method_box = QComboBox()
        self.method_box.setObjectName("methodBox")
        for method in PaymentMethod:
            self.method_box.addItem(method.label, method.value)
        self.summary = QLabel()
        self.summary.setObjectName("packageSummary")
        self.summary.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Package", self.package_box)
        form.addRow("Paid by", self.method_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Take payment")
        self.buttons.accepted.connect(self._sell)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.package_box.currentIndexChanged.connect(self._describe)
        self._describe()

    def _chosen(self) -> Package | None:
        index = self.package_box.currentIndex()
        return self.packages[index] if 0 <= index < len(self.packages) else None

    def _describe(self) -> None:
        package = self._chosen()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if package is None:
            self.summary.setText("No packages are for sale yet. Set one up first.")
            ok.setEnabled(False)
            return
        ok.setEnabled(True)
        expiry = f" Valid for {package.valid_days} days." if package.valid_days else ""
        self.summary.setText(f"Take {package.price} now; the patient gets the credit.{expiry}")

    def _sell(self) -> None:
        package = self._chosen()
        if package is None:
            return
        method = PaymentMethod(self.method_box.currentData())
        ctx = self.caller.ctx
        result = self.caller.call(
            lambda: credit.sell_package(ctx, self.patient_id, package.id, method),
            title="Sell a package",
        )
        if result is None:
            return
        self.lot, changes = result
        self.caller.publish(changes)
        self.sold.emit(self.lot)
        self.accept()
