"""The questions the Credit tab asks: which owing invoice a credit pays (and how
much), and what credit to give by hand (a goodwill credit note, money on account)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from desktop.domain.billing import Invoice, PaymentMethod
from desktop.domain.credit import CreditLot, CreditSource
from desktop.domain.money import Money, MoneyError
from desktop.ui.widgets.form_dialog import FormDialog


def _amount(field: QLineEdit, most: Money | None) -> tuple[Money | None, str]:
    """The amount typed, or why it is not one (more than `most` is refused too)."""
    try:
        amount = Money.parse(field.text())
    except MoneyError as exc:
        return None, str(exc)
    if amount.cents <= 0:
        return None, "Enter an amount more than $0.00."
    if most is not None and amount > most:
        return None, f"At most {most} can be used here."
    return amount, ""


class ApplyCreditDialog(FormDialog):
    """Pay an owing invoice from one of the patient's credits."""

    def __init__(self, lot: CreditLot, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Apply credit {lot.number}",
            "Apply credit",
            f"{lot.number} {lot.description}: {lot.remaining} left.",
            parent,
        )
        self.lot = lot
        self.owing: dict[str, Invoice] = {}
        self.invoice_box = QComboBox()
        self.invoice_box.setObjectName("creditInvoice")
        self.amount = QLineEdit()
        self.amount.setObjectName("creditAmount")
        self.form.addRow("&Invoice", self.invoice_box)
        self.form.addRow("&Amount", self.amount)
        self.amount.textChanged.connect(self._check)
        self.wait_for("Reading the patient's invoices…")
        self._check()

    def offer(self, owing: list[Invoice]) -> None:
        """The invoices still owing (read in the background), the first chosen."""
        self.owing = {str(i.id): i for i in owing}
        for invoice in owing:
            service = invoice.service
            self.invoice_box.addItem(
                f"{invoice.number} · {service.type_name} {service.service_date:%d/%m/%Y} · "
                f"{invoice.amount_due} owing",
                str(invoice.id),
            )
        self.invoice_box.currentIndexChanged.connect(self._propose)
        self.arrived()
        if self.amount.text():
            self._check()  # typed while waiting: kept
        else:
            self._propose()

    def invoice(self) -> Invoice | None:
        return self.owing.get(self.invoice_box.currentData() or "")

    def _propose(self) -> None:
        """A session's share of a pass (or what credit is left), at most what is owing."""
        invoice = self.invoice()
        if invoice is not None:
            take = min(self.lot.next_session_value(), invoice.amount_due)
            self.amount.setText(f"{take.to_decimal()}")
        self._check()

    def money(self) -> Money:
        return Money.parse(self.amount.text())

    def _check(self) -> None:
        invoice = self.invoice()
        if invoice is None:
            waiting = not self.waiting.isHidden()
            self.show_problem("" if waiting else "Nothing is owing on this patient's invoices.")
            return
        _, problem = _amount(self.amount, min(self.lot.remaining, invoice.amount_due))
        self.show_problem(problem)


class AddCreditDialog(FormDialog):
    """A goodwill credit or credit note, or money the patient left on account."""

    def __init__(self, credit_notes_allowed: bool, parent: QWidget | None = None) -> None:
        super().__init__(
            "Add credit",
            "Add credit",
            "The patient can spend it on later sessions; it goes to Xero as a credit "
            "note (goodwill) or an overpayment (money on account).",
            parent,
        )
        self.kind = QComboBox()
        self.kind.setObjectName("creditKind")
        if credit_notes_allowed:
            self.kind.addItem("Goodwill credit / credit note", CreditSource.CREDIT_NOTE.value)
        self.kind.addItem("Money received on account", CreditSource.OVERPAYMENT.value)
        self.amount = QLineEdit()
        self.amount.setObjectName("creditAmount")
        self.amount.setPlaceholderText("0.00")
        self.method = QComboBox()
        for choice in PaymentMethod:
            self.method.addItem(choice.label, choice.value)
        self.method_label = QLabel("&Paid by")
        self.method_label.setBuddy(self.method)
        self.description = QLineEdit()
        self.description.setObjectName("creditDescription")
        self.description.setPlaceholderText("e.g. Goodwill: class cancelled at short notice")
        self.form.addRow("&Kind", self.kind)
        self.form.addRow("&Amount", self.amount)
        self.form.addRow(self.method_label, self.method)
        self.form.addRow("&What for", self.description)
        self.kind.currentIndexChanged.connect(self._check)
        self.amount.textChanged.connect(self._check)
        self.description.textChanged.connect(self._check)
        self._check()

    def source(self) -> CreditSource:
        return CreditSource(self.kind.currentData())

    def chosen_method(self) -> PaymentMethod | None:
        if self.source() is not CreditSource.OVERPAYMENT:
            return None
        return PaymentMethod(self.method.currentData())

    def money(self) -> Money:
        return Money.parse(self.amount.text())

    def _check(self) -> None:
        on_account = self.source() is CreditSource.OVERPAYMENT
        self.method.setVisible(on_account)
        self.method_label.setVisible(on_account)
        _, problem = _amount(self.amount, None)
        if not problem and not self.description.text().strip():
            problem = "Say what the credit is for."
        self.show_problem(problem)
