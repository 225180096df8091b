"""Sell a package to a patient: pick the package and how they paid; the credit is theirs.

Opens at once; the packages for sale are read in the background (*Take payment* is
off until they arrive), and the sale saves in the background with the dialog held
busy: a refusal keeps the choices made.

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
from desktop.services.changes import Changes
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.busy_form import BusyForm


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
        self.packages: list[Package] | None = None  # until they are read
        self.package_box = QComboBox()
        self.package_box.setObjectName("packageBox")
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
        self.busy = BusyForm(self, caller)
        self._describe()
        ctx = caller.ctx
        caller.in_background(
            lambda: credit.packages(ctx),
            title="Sell a package",
            refresh_on_refusal=False,
            parent=self,
        ).success(self.offer).run()

    def offer(self, packages: list[Package]) -> None:
        self.packages = packages
        for package in packages:
            self.package_box.addItem(package.describe, str(package.id))
        self._describe()

    def _chosen(self) -> Package | None:
        index = self.package_box.currentIndex()
        packages = self.packages or []
        return packages[index] if 0 <= index < len(packages) else None

    def _describe(self) -> None:
        package = self._chosen()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if self.packages is None:
            self.summary.setText("Reading the packages for sale…")
            ok.setEnabled(False)
            return
        if package is None:
            self.summary.setText("No packages are for sale yet. Set one up first.")
            ok.setEnabled(False)
            return
        ok.setEnabled(True)
        expiry = f" Valid for {package.valid_days} days." if package.valid_days else ""
        self.summary.setText(f"Take {package.price} now; the patient gets the credit.{expiry}")

    def _sell(self) -> None:
        package = self._chosen()
        if package is None or self.busy.busy:
            return
        method = PaymentMethod(self.method_box.currentData())
        ctx, patient_id = self.caller.ctx, self.patient_id
        self.busy.save(
            lambda: credit.sell_package(ctx, patient_id, package.id, method),
            self._sold,
            title="Sell a package",
            doing="Taking payment…",
        )

    def _sold(self, result: tuple[CreditLot, Changes]) -> None:
        self.lot, changes = result
        self.caller.publish(changes)
        self.sold.emit(self.lot)
        self.accept()
