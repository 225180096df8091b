"""A patient's money as tables: their invoices, and the payments and refunds on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop.domain.billing import Invoice, PaidStatus
from desktop.domain.money import Money
from desktop.ui.models.rows import RecordTableModel

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
PAID_COLOURS = {
    PaidStatus.PAID: "#1e8e3e",
    PaidStatus.PART_PAID: "#b06000",
    PaidStatus.UNPAID: "#c5221f",
    PaidStatus.VOID: "#5f6368",
    PaidStatus.REFUNDED: "#5f6368",
    PaidStatus.PART_REFUNDED: "#b06000",
}


class InvoiceTableModel(RecordTableModel[Invoice]):
    headers = (
        "Invoice",
        "Date of service",
        "Service",
        "Practitioner",
        "Status",
        "Total",
        "Owing",
        "From credit",
    )
    _MONEY_COLUMNS = frozenset({5, 6, 7})

    def row_of(self, invoice_id: object) -> int | None:
        for row in range(self.rowCount()):
            if self.record(row).id == invoice_id:
                return row
        return None

    def cell(self, invoice: Invoice, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            service = invoice.service
            values = (
                invoice.number,
                f"{service.service_date:%d/%m/%Y}",
                service.type_name,
                service.practitioner_name,
                invoice.paid_status.label,
                str(invoice.total),
                str(invoice.amount_due),
                str(invoice.credited) if invoice.credited.cents else "",
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self._MONEY_COLUMNS:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            return QColor(PAID_COLOURS[invoice.paid_status])
        if role == Qt.ItemDataRole.ToolTipRole and invoice.void_reason:
            return f"Void: {invoice.void_reason}"
        return None


@dataclass(frozen=True, slots=True)
class MoneyMovement:
    """One payment or refund, with the invoice it belongs to."""

    number: str
    on: date
    invoice_number: str
    what: str
    amount: Money
    note: str


def money_movements(invoices: Sequence[Invoice]) -> list[MoneyMovement]:
    """Every payment and refund on the invoices, newest first."""
    found: list[MoneyMovement] = []
    for invoice in invoices:
        for payment in invoice.payments:
            note = payment.reference if payment.live else "Removed (entered in error)"
            found.append(
                MoneyMovement(
                    payment.number,
                    payment.received_on,
                    invoice.number,
                    f"Payment, {payment.method.label}",
                    payment.amount,
                    note,
                )
            )
        found += [
            MoneyMovement(
                r.number,
                r.refunded_on,
                invoice.number,
                f"Refund, {r.method.label}",
                -r.amount,
                r.reason,
            )
            for r in invoice.refunds
        ]
    return sorted(found, key=lambda m: (m.on, m.number), reverse=True)


class MoneyMovementModel(RecordTableModel[MoneyMovement]):
    headers = ("Number", "Date", "Invoice", "What", "Amount", "Note")

    def cell(self, movement: MoneyMovement, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                movement.number,
                f"{movement.on:%d/%m/%Y}",
                movement.invoice_number,
                movement.what,
                str(movement.amount),
                movement.note,
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return _RIGHT
        return None
