"""One invoice: the service facts a health fund needs, the money, and where it is in Xero.

From here the receptionist takes (split, partial) payments, corrects or removes a
payment, edits the invoice, refunds, voids, and saves or opens the PDF (invoice, or receipt once
paid). Every change goes through `ServiceCaller`; the dialog then reloads the
invoice and publishes what changed.

Signals:
    changed(Changes): after each successful change.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.billing import Invoice, InvoiceStatus, PaymentRecord, Tender
from desktop.domain.xero_sync import SyncState, SyncStatus
from desktop.services import billing, receipts, xero_settings
from desktop.services.changes import Changes
from desktop.ui.billing import invoice_actions
from desktop.ui.billing.payment_dialog import PaymentDialog
from desktop.ui.billing.small_dialogs import ReasonDialog
from desktop.ui.models.invoices import PAID_COLOURS
from desktop.ui.service_caller import ServiceCaller

_SYNC_COLOURS = {
    SyncState.SYNCED: "#1e8e3e",
    SyncState.PARKED: "#c5221f",
    SyncState.HELD: "#b06000",
    SyncState.RETRYING: "#b06000",
    SyncState.WAITING: "#5f6368",
    SyncState.OFF: "#5f6368",
}


_STYLE = """
QLabel#invoiceHeading { font-size: 14pt; font-weight: 600; }
QLabel#paidStatus { font-weight: 600; padding: 3px 10px; border-radius: 10px;
                    border: 1px solid palette(mid); }
QLabel#invoiceMoney { font-size: 11pt; padding: 6px 0; }
QTableWidget#invoicePayments::item { padding: 2px 6px; }
"""


def _day(value: object) -> str:
    return f"{value:%d/%m/%Y}"


class InvoiceDialog(QDialog):
    changed = Signal(object)

    def __init__(
        self, caller: ServiceCaller, invoice_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.invoice_id = invoice_id
        self.invoice: Invoice | None = None
        self.sync: SyncStatus | None = None
        self.resize(760, 520)
        self.setStyleSheet(_STYLE)
        self.heading = QLabel()
        self.heading.setObjectName("invoiceHeading")
        self.status_label = QLabel()
        self.status_label.setObjectName("paidStatus")
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        self.facts = QFormLayout()
        self.facts.setHorizontalSpacing(18)
        self.money = QLabel()
        self.money.setObjectName("invoiceMoney")
        self.payments = QTableWidget(0, 5)
        self.payments.setObjectName("invoicePayments")
        self.payments.setShowGrid(False)
        self.payments.setAlternatingRowColors(True)
        self.payments.setHorizontalHeaderLabels(["Number", "Date", "Method", "Amount", "Status"])
        self.payments.verticalHeader().hide()
        self.payments.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.payments.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.payments.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.payments.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # "Credit: 10 reformer classes" is read in full, never elided.
        self.payments.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.ResizeToContents
        )
        self.payments.itemSelectionChanged.connect(self._enable)

        self.pay_button = QPushButton("Take payment…")
        self.edit_payment_button = QPushButton("Correct payment…")
        self.remove_payment_button = QPushButton("Remove payment…")
        self.refund_button = QPushButton("Refund…")
        self.void_button = QPushButton("Void invoice…")
        self.edit_button = QPushButton("Edit invoice…")
        self.save_pdf_button = QPushButton("Save PDF…")
        self.open_pdf_button = QPushButton("Open / print")
        self.pay_button.clicked.connect(self.take_payment)
        self.edit_payment_button.clicked.connect(self.correct_payment)
        self.remove_payment_button.clicked.connect(self.remove_payment)
        self.refund_button.clicked.connect(self.refund)
        self.void_button.clicked.connect(self.void)
        self.edit_button.clicked.connect(self.edit_invoice)
        actor = invoice_actions.current_actor(caller)
        money_back = actor is not None and actor.handles_money_back
        for button in (self.refund_button, self.void_button, self.remove_payment_button):
            button.setVisible(money_back)
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.open_pdf_button.clicked.connect(self.open_pdf)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.status_label)
        money_buttons = QHBoxLayout()
        for button in (
            self.pay_button,
            self.edit_payment_button,
            self.remove_payment_button,
            self.refund_button,
        ):
            money_buttons.addWidget(button)
        money_buttons.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.edit_button)
        bottom.addWidget(self.void_button)
        bottom.addStretch(1)
        bottom.addWidget(self.save_pdf_button)
        bottom.addWidget(self.open_pdf_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.sync_label)
        layout.addLayout(self.facts)
        layout.addWidget(self.money)
        layout.addWidget(self.payments, 1)
        layout.addLayout(money_buttons)
        layout.addLayout(bottom)
        caller.bus.changed.connect(self._on_changes)
        self.reload()

    # ------------------------------------------------------------------ showing

    def _on_changes(self, changes: Changes) -> None:
        if changes.billing or changes.outbox:
            self.reload()

    def reload(self) -> None:
        ctx = self.caller.ctx
        invoice = self.caller.call(lambda: billing.get_invoice(ctx, self.invoice_id))
        if invoice is None:
            return
        self.invoice = invoice
        self.sync = self.caller.call(
            lambda: xero_settings.invoice_sync_status(ctx, self.invoice_id)
        )
        title = receipts.document_title(invoice)
        self.setWindowTitle(f"{title} {invoice.number}")
        self.heading.setText(f"{title} {invoice.number} · {invoice.patient_name}")
        self.status_label.setText(invoice.paid_status.label)
        colour = PAID_COLOURS[invoice.paid_status]
        self.status_label.setStyleSheet(f"color: {colour}; border-color: {colour};")
        if self.sync is not None:
            colour = _SYNC_COLOURS[self.sync.state]
            self.sync_label.setText(f"<span style='color:{colour}'>Xero: {self.sync.text}</span>")
        self._fill_facts(invoice)
        refunded = f" · Refunded {invoice.refunded}" if invoice.refunded.cents else ""
        # A session paid by a pass shows it here too, not a bare "Paid $0.00".
        credited = f" · From credit {invoice.credited}" if invoice.credited.cents else ""
        self.money.setText(
            f"Fee <b>{invoice.total}</b> · Paid {invoice.paid}{credited}{refunded} · "
            f"Owing <b>{invoice.amount_due}</b>"
        )
        self._fill_payments(invoice)
        self._enable()

    def _fill_facts(self, invoice: Invoice) -> None:
        while self.facts.rowCount():
            self.facts.removeRow(0)
        service = invoice.service
        for label, value in (
            ("Patient", f"{invoice.patient_name} (#{invoice.patient_number})"),
            ("Date of service", _day(service.service_date)),
            ("Service", f"{service.type_name} — item {service.item_code or 'none'}"),
            (
                "Practitioner",
                f"{service.practitioner_name}, provider no. "
                f"{service.provider_number or 'not recorded'} at {service.clinic_name}",
            ),
            ("Invoice date", _day(invoice.issued_on)),
        ):
            self.facts.addRow(label, QLabel(value))
        if invoice.void_reason:
            self.facts.addRow("Void", QLabel(invoice.void_reason))

    def _fill_payments(self, invoice: Invoice) -> None:
        self.payments.setRowCount(0)
        rows: list[tuple[str, str, str, str, str]] = [
            (
                p.number,
                _day(p.received_on),
                p.method.label,
                str(p.amount),
                "Received" if p.live else "Removed",
            )
            for p in invoice.payments
        ]
        # Uses of credit come after the payments (`selected_payment` counts on it).
        rows += [
            (
                c.number,
                _day(c.applied_on),
                f"Credit: {c.description}" if c.description else "Credit",
                str(c.amount),
                "Applied",
            )
            for c in invoice.credits
        ]
        rows += [
            (r.number, _day(r.refunded_on), f"Refund, {r.method.label}", str(-r.amount), r.reason)
            for r in invoice.refunds
        ]
        for values in rows:
            row = self.payments.rowCount()
            self.payments.insertRow(row)
            for column, text in enumerate(values):
                self.payments.setItem(row, column, QTableWidgetItem(text))

    def selected_payment(self) -> PaymentRecord | None:
        if self.invoice is None:
            return None
        rows = {index.row() for index in self.payments.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        if row >= len(self.invoice.payments):
            return None
        payment = self.invoice.payments[row]
        return payment if payment.live else None

    def _enable(self) -> None:
        invoice = self.invoice
        if invoice is None:
            return
        live = invoice.status is InvoiceStatus.ISSUED
        chosen = self.selected_payment() is not None and not invoice.refunds
        self.pay_button.setEnabled(invoice_actions.can_pay(invoice))
        self.edit_button.setEnabled(invoice_actions.can_edit(invoice))
        self.edit_payment_button.setEnabled(live and chosen)
        self.remove_payment_button.setEnabled(live and chosen)
        self.refund_button.setEnabled(invoice_actions.can_refund(invoice))
        self.void_button.setEnabled(invoice_actions.can_void(invoice))

    # ------------------------------------------------------------------ changing

    def _done(self, result: tuple[Invoice, Changes] | None) -> None:
        if result is None:
            self.reload()
            return
        _, changes = result
        self.caller.publish(changes)
        self.changed.emit(changes)
        self.reload()

    def pay(self, tenders: list[Tender], dialog: PaymentDialog | None = None) -> None:
        day = dialog.day() if dialog is not None else None
        self._done(
            self.caller.call(
                lambda: billing.take_payment(
                    self.caller.ctx, self.invoice_id, tenders, received_on=day
                )
            )
        )

    def _act(self, action: invoice_actions.InvoiceAction) -> None:
        if self.invoice is None:
            return
        changes = action(self.caller, self, self.invoice)
        if changes is not None:
            self.changed.emit(changes)
        self.reload()

    def take_payment(self) -> None:
        self._act(invoice_actions.take_payment)

    def edit_invoice(self) -> None:
        self._act(invoice_actions.edit_invoice)

    def correct_payment(self) -> None:
        payment = self.selected_payment()
        if payment is None or self.invoice is None:
            return
        dialog = PaymentDialog(
            self.invoice.amount_due + payment.amount,
            self,
            title=f"Correct payment {payment.number}",
            editing=(payment.amount, payment.method, payment.received_on, payment.reference),
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        [tender] = dialog.tenders()
        self._done(
            self.caller.call(
                lambda: billing.edit_payment(
                    self.caller.ctx,
                    payment.id,
                    amount=tender.amount,
                    method=tender.method,
                    received_on=dialog.day(),
                    reference=tender.reference,
                    expected_version=payment.version,
                )
            )
        )

    def remove_payment(self) -> None:
        payment = self.selected_payment()
        if payment is None:
            return
        dialog = ReasonDialog(
            "Remove payment",
            f"Remove {payment.number} ({payment.amount}, {payment.method.label})? "
            "Only for a payment entered in error; money handed back is a refund.",
            "Remove payment",
            self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            reason = dialog.reason.text()
            self._done(
                self.caller.call(
                    lambda: billing.delete_payment(
                        self.caller.ctx, payment.id, reason, payment.version
                    )
                )
            )

    def refund(self) -> None:
        self._act(invoice_actions.refund)

    def void(self) -> None:
        self._act(invoice_actions.void)

    def pdf_bytes(self) -> bytes | None:
        return self.caller.call(lambda: receipts.invoice_pdf(self.caller.ctx, self.invoice_id))

    def save_pdf(self) -> None:
        if self.invoice is None:
            return
        suggested = f"{receipts.document_title(self.invoice)} {self.invoice.number}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save PDF", suggested, "PDF (*.pdf)")
        if path:
            self.write_pdf(Path(path))

    def write_pdf(self, path: Path) -> None:
        data = self.pdf_bytes()
        if data is not None:
            path.write_bytes(data)

    def open_pdf(self) -> None:
        """Open in the system's PDF viewer, which prints (a health fund claim form too)."""
        if self.invoice is None:
            return
        folder = Path(tempfile.mkdtemp(prefix="frontdesk-"))
        path = folder / f"{self.invoice.number}.pdf"
        self.write_pdf(path)
        if path.exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def open_invoice_for_service(
    caller: ServiceCaller,
    appointment_id: uuid.UUID,
    patient_id: uuid.UUID,
    parent: QWidget | None = None,
) -> InvoiceDialog | None:
    """For the calendar's "Invoice / take payment…" action: the service's invoice,
    raised first if it has none. Returns the dialog (shown, not modal) or None."""
    ctx = caller.ctx
    invoice = caller.call(lambda: billing.invoice_for_service(ctx, appointment_id, patient_id))
    if invoice is None:
        raised = caller.call(lambda: billing.invoice_appointment(ctx, appointment_id, patient_id))
        if raised is None:
            return None
        invoice, changes = raised
        caller.publish(changes)
    dialog = InvoiceDialog(caller, invoice.id, parent)
    dialog.show()
    return dialog
