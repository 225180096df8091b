"""The short questions billing asks: how much to refund and why; why an invoice is void;
why a payment is being removed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.billing import PaymentMethod
from desktop.domain.money import Money, MoneyError


class ReasonDialog(QDialog):
    """A sentence of explanation, required (void an invoice, remove a payment)."""

    def __init__(
        self, title: str, question: str, action: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        intro = QLabel(question)
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Reason (kept with the record)")
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Back", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.reason.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.ok_button.setEnabled(False)


class RefundDialog(QDialog):
    def __init__(self, refundable: Money, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Refund")
        self.refundable = refundable
        self.amount = QLineEdit(f"{refundable.to_decimal()}")
        self.method = QComboBox()
        for choice in PaymentMethod:
            self.method.addItem(choice.label, choice)
        self.reason = QLineEdit()
        self.error = QLabel()
        self.error.setObjectName("formError")
        form = QFormLayout()
        form.addRow("Paid, not yet refunded", QLabel(str(refundable)))
        form.addRow("&Amount", self.amount)
        form.addRow("&Refunded by", self.method)
        form.addRow("R&eason", self.reason)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Refund", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.amount.textChanged.connect(self._check)
        self.reason.textChanged.connect(self._check)
        self._check()

    def money(self) -> Money:
        return Money.parse(self.amount.text())

    def chosen_method(self) -> PaymentMethod:
        return PaymentMethod(self.method.currentData())

    def _check(self) -> None:
        problem = ""
        try:
            amount = self.money()
            if amount.cents <= 0:
                problem = "Enter an amount."
            elif amount > self.refundable:
                problem = f"At most {self.refundable} can be refunded."
        except MoneyError as exc:
            problem = str(exc)
        if not problem and not self.reason.text().strip():
            problem = "Say why the money is refunded."
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        self.ok_button.setEnabled(not problem)
