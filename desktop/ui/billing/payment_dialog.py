"""Take a payment: one method, or split across several (cash + EFTPOS), or part of
what is owing. Checks as it goes, so the amount recorded never exceeds what is
owing: cash handed over beyond it is change (shown, and given back), any other
method beyond it is refused.

Also corrects a payment already taken (one line, and its date).

Taking a payment can also email the receipt: `offer_receipt` shows "Email receipt to
<address>" once the patient's address is known (looked up in the background).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.money import Money, MoneyError
from desktop.ui.widgets.saving_dialog import SavingDialog

REFERENCE_HINT = "Receipt / approval no. (optional)"


def with_change(tenders: list[Tender], due: Money) -> tuple[list[Tender], Money]:
    """What to record, and the change to give when cash takes the total past `due`.

    The change comes off the cash (the last cash line first); a cash line that is
    all change is not recorded. When cash cannot cover the excess, nothing changes
    and the caller refuses the overpayment.
    """
    zero = Money.zero(due.currency)
    excess = sum((t.amount for t in tenders), zero) - due
    cash = sum((t.amount for t in tenders if t.method is PaymentMethod.CASH), zero)
    if excess <= zero or cash < excess:
        return tenders, zero
    recorded: list[Tender] = []
    to_return = excess
    for tender in reversed(tenders):
        if tender.method is PaymentMethod.CASH and to_return > zero:
            taken = min(tender.amount, to_return)
            to_return -= taken
            tender = replace(tender, amount=tender.amount - taken)
        if tender.amount > zero:
            recorded.insert(0, tender)
    return recorded, excess


class _TenderRow:
    def __init__(self, amount: Money | None, method: PaymentMethod) -> None:
        self.method = QComboBox()
        for choice in PaymentMethod:
            self.method.addItem(choice.label, choice)
        self.method.setCurrentIndex(list(PaymentMethod).index(method))
        self.amount = QLineEdit(f"{amount.to_decimal()}" if amount is not None else "")
        self.amount.setPlaceholderText("0.00")
        self.reference = QLineEdit()
        self.reference.setPlaceholderText(REFERENCE_HINT)
        # Wide enough for its hint: a cut-off "Receipt / appro" helps nobody.
        hint_width = self.reference.fontMetrics().horizontalAdvance(REFERENCE_HINT)
        self.reference.setMinimumWidth(hint_width + 24)

    def tender(self) -> Tender | None:
        text = self.amount.text().strip()
        if not text:
            return None
        return Tender(
            Money.parse(text), PaymentMethod(self.method.currentData()), self.reference.text()
        )


class PaymentDialog(SavingDialog):
    def __init__(
        self,
        due: Money,
        parent: QWidget | None = None,
        *,
        title: str = "Take payment",
        editing: tuple[Money, PaymentMethod, date, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.due = due
        self.setWindowTitle(title)
        self.rows: list[_TenderRow] = []
        self.grid = QGridLayout()
        for column, heading in enumerate(("Method", "Amount", "Reference")):
            self.grid.addWidget(QLabel(f"<b>{heading}</b>"), 0, column)
        self.received_on = QDateEdit(QDate.currentDate())
        self.received_on.setCalendarPopup(True)
        self.received_on.setDisplayFormat("dd/MM/yyyy")
        if editing is not None:
            amount, method, day, reference = editing
            self._add_row(amount, method).reference.setText(reference)
            self.received_on.setDate(QDate(day.year, day.month, day.day))
        else:
            self._add_row(due, PaymentMethod.EFTPOS)
        self.split_button = QPushButton("Split: add another method")
        self.split_button.clicked.connect(lambda: self._add_row(None, PaymentMethod.CASH))
        self.split_button.setVisible(editing is None)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.change_label = QLabel()
        self.change_label.setObjectName("changeToGive")
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.email_receipt = QCheckBox()
        self.email_receipt.setObjectName("emailReceipt")
        self.email_receipt.hide()  # until the patient's address is known
        form = QFormLayout()
        form.addRow("Owing", QLabel(str(due)))
        form.addRow("&Date received", self.received_on)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            "Save" if editing else "Take payment", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(self.grid)
        layout.addWidget(self.split_button)
        layout.addWidget(self.summary)
        layout.addWidget(self.change_label)
        layout.addWidget(self.error)
        layout.addWidget(self.email_receipt)
        layout.addWidget(buttons)
        self._check()

    def offer_receipt(self, address: str, checked: bool) -> None:
        """Show "Email receipt to <address>"; no address (none, invalid, or opted out of
        email) shows nothing."""
        if not address:
            return
        self.email_receipt.setText(f"&Email receipt to {address}")
        self.email_receipt.setChecked(checked)
        self.email_receipt.show()

    def receipt_offered(self) -> bool:
        return not self.email_receipt.isHidden()

    def _add_row(self, amount: Money | None, method: PaymentMethod) -> _TenderRow:
        row = _TenderRow(amount, method)
        line = len(self.rows) + 1
        self.grid.addWidget(row.method, line, 0)
        self.grid.addWidget(row.amount, line, 1)
        self.grid.addWidget(row.reference, line, 2)
        row.amount.textChanged.connect(self._check)
        row.method.currentIndexChanged.connect(self._check)  # only cash gives change
        self.rows.append(row)
        if hasattr(self, "ok_button"):
            self._check()
        return row

    def entered(self) -> list[Tender]:
        """What was typed; raises MoneyError for an amount that is not money."""
        return [t for t in (row.tender() for row in self.rows) if t is not None]

    def tenders(self) -> list[Tender]:
        """What to record: as typed, less any cash change (raises MoneyError likewise)."""
        return with_change(self.entered(), self.due)[0]

    def change(self) -> Money:
        """Cash to hand back (zero when none, or when the amounts are not money)."""
        try:
            return with_change(self.entered(), self.due)[1]
        except MoneyError:
            return Money.zero(self.due.currency)

    def day(self) -> date:
        value = self.received_on.date()
        return date(value.year(), value.month(), value.day())

    def _check(self) -> None:
        self.change_label.hide()
        try:
            entered = self.entered()
        except MoneyError as exc:
            self.summary.setText("")
            self._refuse(str(exc))
            return
        zero = Money.zero(self.due.currency)
        recorded, change = with_change(entered, self.due)
        total = sum((t.amount for t in recorded), zero)
        left = self.due - total
        if left < zero:  # refused below; a negative "left owing" would only confuse
            self.summary.setText(f"Paying {total}.")
        elif left == zero:
            self.summary.setText(f"Paying {total}; paid in full.")
        else:
            self.summary.setText(f"Paying {total}; {left} left owing afterwards.")
        if change > zero:
            self.change_label.setText(f"<b>Change to give: {change}</b>")
            self.change_label.show()
        if not entered or total <= zero:
            self._refuse("Enter an amount.")
        elif any(t.amount <= zero for t in entered):
            self._refuse("Each amount must be more than $0.00.")
        elif total > self.due:
            self._refuse(
                f"{total} is more than the {self.due} owing. Only cash can be over (as change)."
            )
        else:
            self.error.hide()
            self.ok_button.setEnabled(True)

    def _refuse(self, reason: str) -> None:
        self.error.setText(reason)
        self.error.show()
        self.ok_button.setEnabled(False)
