"""One invoice: the service facts a health fund needs, the money, and where it is in Xero.

From here the receptionist takes (split, partial) payments, corrects or removes a
payment, edits the invoice, refunds, voids, emails the receipt to the patient, and
saves or opens the PDF (invoice, or receipt once paid).

Nothing here waits on the store on the GUI thread: the dialog opens at once ("Reading
the invoice…") and fills in when the invoice arrives; its buttons stay off until
then. Each change saves in the background from its own small dialog
(`invoice_actions.save_in_dialog`), publishes what changed, and every open screen
(this one too) reloads from that. The PDF is rendered and written in the
background, its buttons off meanwhile.

Signals:
    changed(Changes): after each successful change.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
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

from desktop.domain.billing import Invoice, InvoiceStatus, PaymentRecord
from desktop.domain.roles import Actor
from desktop.domain.xero_sync import SyncState, SyncStatus
from desktop.services import billing, receipts, xero_settings
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.billing import invoice_actions
from desktop.ui.billing.payment_dialog import PaymentDialog
from desktop.ui.models.invoices import PAID_COLOURS
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.saving_dialog import Save

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
        self, caller: ServiceCaller, invoice_id: uuid.UUID | None, parent: QWidget | None = None
    ) -> None:
        """`invoice_id` None: the invoice is still being found (or raised); `show_invoice`."""
        super().__init__(parent)
        self.caller = caller
        self.invoice_id = invoice_id
        self.invoice: Invoice | None = None
        self.sync: SyncStatus | None = None
        self.resize(760, 520)
        self.setStyleSheet(_STYLE)
        self.setWindowTitle("Invoice")
        self.heading = QLabel("Reading the invoice…")
        self.heading.setObjectName("invoiceHeading")
        self.status_label = QLabel()
        self.status_label.setObjectName("paidStatus")
        self.status_label.hide()  # an empty pill until the invoice is here
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
        self.email_button = QPushButton("Emai&l receipt")
        self.email_button.setToolTip("Email this invoice's receipt (PDF) to the patient")
        self.save_pdf_button = QPushButton("Save PDF…")
        self.open_pdf_button = QPushButton("Open / print")
        self.notice = QLabel()
        self.notice.setObjectName("invoiceNotice")
        self.notice.setProperty("muted", True)
        self.notice.setWordWrap(True)
        self.money_back = False  # until the signed-in user is known
        self._pdf_busy = False
        self._emailing = False
        self.pay_button.clicked.connect(self.take_payment)
        self.edit_payment_button.clicked.connect(self.correct_payment)
        self.remove_payment_button.clicked.connect(self.remove_payment)
        self.refund_button.clicked.connect(self.refund)
        self.void_button.clicked.connect(self.void)
        self.edit_button.clicked.connect(self.edit_invoice)
        self.email_button.clicked.connect(self.email_receipt)
        for button in (self.refund_button, self.void_button, self.remove_payment_button):
            button.setVisible(False)  # until the signed-in user is known to handle them
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
        bottom.addWidget(self.email_button)
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
        layout.addWidget(self.notice)
        layout.addLayout(bottom)
        self._enable()  # everything off until the invoice is here
        caller.bus.changed.connect(self._on_changes)
        invoice_actions.read_actor(caller, self, self._signed_in)
        self.reload()

    def _signed_in(self, actor: Actor) -> None:
        self.money_back = actor.handles_money_back
        for button in (self.refund_button, self.void_button, self.remove_payment_button):
            button.setVisible(self.money_back)

    # ------------------------------------------------------------------ showing

    def _on_changes(self, changes: Changes) -> None:
        if changes.billing or changes.outbox:
            self.reload()

    def reload(self) -> None:
        """Read the invoice and its Xero state in the background; shown when they arrive."""
        invoice_id = self.invoice_id
        if invoice_id is None:
            return
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: (
                billing.get_invoice(ctx, invoice_id),
                xero_settings.invoice_sync_status(ctx, invoice_id),
            ),
            key=f"invoice-{id(self)}",
            title="Invoice",
            refresh_on_refusal=False,
            parent=self,
        ).success(lambda found: self.show_invoice(*found)).run()

    def show_invoice(self, invoice: Invoice, sync: SyncStatus | None) -> None:
        self.invoice_id = invoice.id
        self.invoice = invoice
        self.sync = sync
        title = receipts.document_title(invoice)
        self.setWindowTitle(f"{title} {invoice.number}")
        self.heading.setText(f"{title} {invoice.number} · {invoice.patient_name}")
        self.status_label.setText(invoice.paid_status.label)
        self.status_label.show()
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
        here = invoice is not None
        live = invoice is not None and invoice.status is InvoiceStatus.ISSUED
        chosen = self.selected_payment() is not None and invoice is not None and not invoice.refunds
        self.pay_button.setEnabled(invoice is not None and invoice_actions.can_pay(invoice))
        self.edit_button.setEnabled(invoice is not None and invoice_actions.can_edit(invoice))
        self.edit_payment_button.setEnabled(live and chosen)
        self.remove_payment_button.setEnabled(live and chosen)
        self.refund_button.setEnabled(invoice is not None and invoice_actions.can_refund(invoice))
        self.void_button.setEnabled(invoice is not None and invoice_actions.can_void(invoice))
        voided = invoice is not None and invoice.status is InvoiceStatus.VOIDED
        self.email_button.setEnabled(here and not voided and not self._emailing)
        self.save_pdf_button.setEnabled(here and not self._pdf_busy)
        self.open_pdf_button.setEnabled(here and not self._pdf_busy)

    # ------------------------------------------------------------------ changing

    def _act(self, action: invoice_actions.InvoiceAction) -> Changes | None:
        """Run an action on the invoice shown, then read it again (a refusal often
        means someone else changed it meanwhile)."""
        if self.invoice is None:
            return None
        changes = action(self.caller, self, self.invoice)
        if changes is not None:
            self.changed.emit(changes)
        self.reload()
        return changes

    def take_payment(self) -> Changes | None:
        return self._act(invoice_actions.take_payment)

    def edit_invoice(self) -> Changes | None:
        return self._act(invoice_actions.edit_invoice)

    def refund(self) -> Changes | None:
        return self._act(invoice_actions.refund)

    def void(self) -> Changes | None:
        return self._act(invoice_actions.void)

    def correct_payment(self) -> Changes | None:
        payment = self.selected_payment()
        if payment is None or self.invoice is None:
            return None
        return self._act(lambda caller, parent, invoice: _correct(caller, parent, invoice, payment))

    def remove_payment(self) -> Changes | None:
        payment = self.selected_payment()
        if payment is None or self.invoice is None:
            return None
        return self._act(lambda caller, parent, _invoice: _remove(caller, parent, payment))

    def email_receipt(self) -> BackgroundOp[tuple[str, Changes]] | None:
        """Queue the receipt to the patient's email (the Account tab's button, here too)."""
        invoice = self.invoice
        if invoice is None or self._emailing:
            return None
        self._emailing = True
        self._enable()

        def queued(address: str) -> None:
            self._emailed("Receipt queued to " + address + ": see Messages for its status.")

        return invoice_actions.email_receipt(
            self.caller, self, invoice, queued, on_error=lambda _exc: self._emailed("")
        )

    def _emailed(self, text: str) -> None:
        self._emailing = False
        self.notice.setText(text)
        self._enable()

    # ------------------------------------------------------------------ the PDF

    def save_pdf(self) -> None:
        if self.invoice is None:
            return
        suggested = f"{receipts.document_title(self.invoice)} {self.invoice.number}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save PDF", suggested, "PDF (*.pdf)")
        if path:
            self.write_pdf(Path(path), lambda written: self.notice.setText(f"Saved to {written}"))

    def write_pdf(
        self, path: Path, then: Callable[[Path], None] | None = None
    ) -> BackgroundOp[Path] | None:
        """Render the PDF and write it to `path` in the background; then `then(path)`."""
        invoice_id = self.invoice_id
        if invoice_id is None or self._pdf_busy:
            return None
        ctx = self.caller.ctx
        self._pdf_busy = True
        self._enable()

        def written(done: Path) -> None:
            self._pdf_done()
            if then is not None:
                then(done)

        return (
            self.caller.in_background(
                lambda: _write_pdf(ctx, invoice_id, path),
                title="Invoice PDF",
                refresh_on_refusal=False,
                on_error=lambda _exc: self._pdf_done(),
                parent=self,
            )
            .success(written)
            .run()
        )

    def _pdf_done(self) -> None:
        self._pdf_busy = False
        self._enable()

    def open_pdf(self) -> None:
        """Open in the system's PDF viewer, which prints (a health fund claim form too)."""
        if self.invoice is None:
            return
        folder = Path(tempfile.mkdtemp(prefix="frontdesk-"))
        self.write_pdf(folder / f"{self.invoice.number}.pdf", _open_in_viewer)


def _open_in_viewer(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _write_pdf(ctx: ServiceContext, invoice_id: uuid.UUID, path: Path) -> Path:
    """On a worker: rendering the PDF is the slow part."""
    path.write_bytes(receipts.invoice_pdf(ctx, invoice_id))
    return path


def _correct(
    caller: ServiceCaller, parent: QWidget | None, invoice: Invoice, payment: PaymentRecord
) -> Changes | None:
    dialog = PaymentDialog(
        invoice.amount_due + payment.amount,
        parent,
        title=f"Correct payment {payment.number}",
        editing=(payment.amount, payment.method, payment.received_on, payment.reference),
    )
    ctx = caller.ctx

    def work() -> Save:
        [tender] = dialog.tenders()
        day = dialog.day()
        return lambda: billing.edit_payment(
            ctx,
            payment.id,
            amount=tender.amount,
            method=tender.method,
            received_on=day,
            reference=tender.reference,
            expected_version=payment.version,
        )[1]

    return invoice_actions.save_in_dialog(caller, dialog, work, "Correct payment")


def _remove(
    caller: ServiceCaller, parent: QWidget | None, payment: PaymentRecord
) -> Changes | None:
    ctx = caller.ctx
    return invoice_actions.with_reason(
        caller,
        parent,
        "Remove payment",
        f"Remove {payment.number} ({payment.amount}, {payment.method.label})? "
        "Only for a payment entered in error; money handed back is a refund.",
        "Remove payment",
        lambda reason: lambda: billing.delete_payment(ctx, payment.id, reason, payment.version)[1],
    )


def _find_or_raise(
    ctx: ServiceContext, appointment_id: uuid.UUID, patient_id: uuid.UUID
) -> tuple[Invoice, Changes | None]:
    """On a worker: the service's invoice, raised first if it has none."""
    invoice = billing.invoice_for_service(ctx, appointment_id, patient_id)
    if invoice is not None:
        return invoice, None
    return billing.invoice_appointment(ctx, appointment_id, patient_id)


def open_invoice_for_service(
    caller: ServiceCaller,
    appointment_id: uuid.UUID,
    patient_id: uuid.UUID,
    parent: QWidget | None = None,
) -> InvoiceDialog:
    """For the calendar's "Invoice / take payment…" action: the service's invoice,
    raised first if it has none. The dialog is shown at once (not modal) and fills in
    when the invoice is found; a refusal to raise it is shown and the dialog closes."""
    dialog = InvoiceDialog(caller, None, parent)
    ctx = caller.ctx

    def found(result: tuple[Invoice, Changes | None]) -> None:
        invoice, changes = result
        dialog.invoice_id = invoice.id
        if changes is not None:
            caller.publish(changes)  # this dialog reloads with every other screen
        else:
            dialog.reload()

    caller.in_background(
        lambda: _find_or_raise(ctx, appointment_id, patient_id),
        title="Invoice",
        on_error=lambda _exc: dialog.reject(),
        parent=dialog,
    ).success(found).run()
    dialog.show()
    return dialog
