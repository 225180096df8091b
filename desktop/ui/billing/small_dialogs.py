"""The short questions billing asks: how much to refund and why; why an invoice is void;
why a payment is being removed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.billing import PaymentMethod
from desktop.domain.money import Money, MoneyError
from desktop.ui.widgets.form_dialog import FormDialog
from desktop.ui.widgets.saving_dialog import SavingDialog


class ReasonDialog(SavingDialog):
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


class RefundDialog(FormDialog):
    """How much to hand back (at most `refundable`), how, and why: money paid on an
    invoice, or a patient's unused credit."""

    def __init__(
        self,
        refundable: Money,
        parent: QWidget | None = None,
        *,
        title: str = "Refund",
        available: str = "Paid, not yet refunded",
    ) -> None:
        super().__init__(title, "Refund", parent=parent)
        self.refundable = refundable
        self.amount = QLineEdit(f"{refundable.to_decimal()}")
        self.method = QComboBox()
        for choice in PaymentMethod:
            self.method.addItem(choice.label, choice.value)
        self.reason = QLineEdit()
        self.form.addRow(available, QLabel(str(refundable)))
        self.form.addRow("&Amount", self.amount)
        self.form.addRow("&Refunded by", self.method)
        self.form.addRow("R&eason", self.reason)
        self.amount.textChanged.connect(self._check)
        self.reason.textChanged.connect(self._check)
        self._check()

    def money(self) -> Money:
        return Money.parse(self.amount.text(), self.refundable.currency)

    def chosen_method(self) -> PaymentMethod:
        return PaymentMethod(self.method.currentData())

    def _check(self) -> None:
        problem = ""
        try:
            amount = self.money()
            if amount.cents <= 0:
                problem = "Enter an amount more than $0.00."
            elif amount > self.refundable:
                problem = f"At most {self.refundable} can be refunded."
        except MoneyError as exc:
            problem = str(exc)
        if not problem and not self.reason.text().strip():
            problem = "Say why the money is refunded."
        self.show_problem(problem)
