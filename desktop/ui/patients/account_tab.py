"""The patient card's Account tab: every invoice of the patient (what it is for, its
status, what is owing, what credit paid) and every payment and refund on them.

The buttons act on the invoice selected in the table: take a payment, pay it from
the patient's credit, edit it (fee, type, date of service, practitioner — how an
invoice Xero refused is fixed), refund, void, open it (PDF, payment
corrections), or email its receipt to the patient (through the outbox; it shows in
the message log). *Print receipts…* saves the health-fund receipts of a date range as
one PDF, a page per session. Practitioners do not see refund and void: those are
the front desk's (the services refuse them too). The tab reloads itself on billing
changes and keeps the selected invoice selected.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.billing import Invoice, InvoiceStatus
from desktop.domain.money import Money
from desktop.domain.roles import Actor
from desktop.domain.xero_sync import SyncState, SyncStatus
from desktop.services import billing, credit, xero_settings
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.billing import invoice_actions
from desktop.ui.billing.invoice_dialog import InvoiceDialog
from desktop.ui.export_actions import ExportQuestions, RangeQuestion
from desktop.ui.models.invoices import (
    InvoiceTableModel,
    MoneyMovementModel,
    money_movements,
)
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.tables import record_table


class PatientAccountTab(QWidget):
    def __init__(
        self, caller: ServiceCaller, patient_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.patient_id = patient_id
        self.summary = QLabel()
        self.summary.setObjectName("accountSummary")
        self.summary.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.invoices = InvoiceTableModel(self)
        self.invoice_table = record_table(self.invoices, "accountInvoices", 2)
        self.invoice_table.doubleClicked.connect(lambda _index: self.open_invoice())
        self.xero_state = QLabel()
        self.xero_state.setObjectName("accountXeroState")
        self.xero_state.setWordWrap(True)
        self.movements = MoneyMovementModel(self)
        self.movement_table = record_table(self.movements, "accountPayments", 5)
        self.pay_button = QPushButton("Take &payment…")
        self.credit_button = QPushButton("Pay from &credit")
        self.credit_button.setToolTip("Use the patient's credit that fits this session")
        self.edit_button = QPushButton("Edit in&voice…")
        self.refund_button = QPushButton("&Refund…")
        self.void_button = QPushButton("Voi&d…")
        self.open_button = QPushButton("Open &invoice…")
        self.pay_button.clicked.connect(lambda: self._act(invoice_actions.take_payment))
        self.credit_button.clicked.connect(self.pay_from_credit)
        self.edit_button.clicked.connect(lambda: self._act(invoice_actions.edit_invoice))
        self.refund_button.clicked.connect(lambda: self._act(invoice_actions.refund))
        self.void_button.clicked.connect(lambda: self._act(invoice_actions.void))
        self.open_button.clicked.connect(self.open_invoice)
        self.email_button = QPushButton("Emai&l receipt")
        self.email_button.setToolTip("Email this invoice's receipt (PDF) to the patient")
        self.email_button.clicked.connect(self.email_receipt)
        self.receipts_button = QPushButton("Print rec&eipts…")
        self.receipts_button.setToolTip(
            "The health-fund receipts of the sessions in a date range, one page each, in one PDF"
        )
        self.receipts_button.clicked.connect(self.print_receipts)
        self.questions = ExportQuestions()
        self.notice = QLabel()
        self.notice.setObjectName("accountNotice")
        self.notice.setProperty("muted", True)
        self.refund_button.setVisible(False)  # until the user is known to handle them
        self.void_button.setVisible(False)
        self._paying_from_credit = False
        buttons = QHBoxLayout()
        for button in (
            self.pay_button,
            self.credit_button,
            self.edit_button,
            self.refund_button,
            self.void_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.email_button)
        buttons.addWidget(self.receipts_button)
        payments_heading = QLabel("Payments and refunds")
        payments_heading.setObjectName("sectionHeading")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.invoice_table, 3)
        layout.addWidget(self.xero_state)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        layout.addWidget(payments_heading)
        layout.addWidget(self.movement_table, 2)
        self.invoice_table.selectionModel().selectionChanged.connect(self._selection_changed)
        caller.bus.changed.connect(self._on_changes)
        invoice_actions.read_actor(caller, self, self._signed_in)
        self.reload()

    def _signed_in(self, actor: Actor) -> None:
        self.refund_button.setVisible(actor.handles_money_back)
        self.void_button.setVisible(actor.handles_money_back)

    # ------------------------------------------------------------------ showing

    def _on_changes(self, changes: Changes) -> None:
        if changes.billing or changes.outbox or changes.patients:
            self.reload()

    def reload(self) -> None:
        ctx, patient_id = self.caller.ctx, self.patient_id
        self.caller.in_background(
            lambda: billing.patient_invoices(ctx, patient_id),
            key=f"account-{id(self)}",
            title="Account",
            refresh_on_refusal=False,
            parent=self,
        ).success(self._show_invoices).run()

    def _show_invoices(self, found: list[Invoice]) -> None:
        chosen = self.selected()
        self.invoices.set_records(found)
        self.movements.set_records(money_movements(found))
        owing = [i for i in found if i.amount_due.cents > 0]
        total = sum((i.amount_due for i in owing), Money.zero())
        self.summary.setText(
            f"Owing: {total} on {len(owing)} invoice(s)" if owing else "Nothing owing"
        )
        row = self.invoices.row_of(chosen.id) if chosen is not None else None
        if row is not None:
            self.invoice_table.selectRow(row)
        self._selection_changed()

    def selected(self) -> Invoice | None:
        rows = self.invoice_table.selectionModel().selectedRows()
        return self.invoices.record(rows[0].row()) if rows else None

    def select_invoice(self, invoice_id: uuid.UUID) -> None:
        row = self.invoices.row_of(invoice_id)
        if row is not None:
            self.invoice_table.selectRow(row)

    def _selection_changed(self, *_: object) -> None:
        invoice = self.selected()
        self.pay_button.setEnabled(invoice is not None and invoice_actions.can_pay(invoice))
        self.credit_button.setEnabled(self.pay_button.isEnabled() and not self._paying_from_credit)
        self.edit_button.setEnabled(invoice is not None and invoice_actions.can_edit(invoice))
        self.refund_button.setEnabled(invoice is not None and invoice_actions.can_refund(invoice))
        self.void_button.setEnabled(invoice is not None and invoice_actions.can_void(invoice))
        self.open_button.setEnabled(invoice is not None)
        self.email_button.setEnabled(
            invoice is not None and invoice.status is not InvoiceStatus.VOIDED
        )
        self._show_xero_state(invoice)

    def _show_xero_state(self, invoice: Invoice | None) -> None:
        """Say so when Xero refused the selected invoice: editing it is the fix."""
        self.xero_state.setText("")
        self.xero_state.hide()
        if invoice is None:
            return
        ctx = self.caller.ctx
        self.caller.in_background(
            lambda: xero_settings.invoice_sync_status(ctx, invoice.id),
            key=f"account-xero-{id(self)}",
            title="Account",
            refresh_on_refusal=False,
            parent=self,
        ).success(lambda status: self._show_refusal(invoice, status)).run()

    def _show_refusal(self, invoice: Invoice, status: SyncStatus) -> None:
        if status.state is SyncState.PARKED:
            self.xero_state.setText(
                f"<span style='color:#c5221f'>Xero refused {invoice.number}: "
                f"{status.message}</span><br>Correct the invoice with <i>Edit invoice…</i> "
                "and it goes again; after a fix in Xero or in the Xero account settings, "
                "retry it under Settings ▸ <i>Xero…</i>."
            )
            self.xero_state.show()

    # ------------------------------------------------------------------ acting

    def _act(self, action: invoice_actions.InvoiceAction) -> Changes | None:
        invoice = self.selected()
        if invoice is None:
            return None
        changes = action(self.caller, self, invoice)
        if changes is None:
            self.reload()  # backed out, or refused: perhaps changed elsewhere meanwhile
        return changes

    def pay_from_credit(self) -> BackgroundOp[Changes] | None:
        """In the background; the button stays off until the tab has the answer."""
        invoice = self.selected()
        if invoice is None or self._paying_from_credit:
            return None
        self._paying_from_credit = True
        self.credit_button.setEnabled(False)

        def done() -> None:
            self._paying_from_credit = False
            self._selection_changed()

        return invoice_actions.pay_from_credit(self.caller, self, invoice, done)

    def email_receipt(self) -> BackgroundOp[tuple[str, Changes]] | None:
        invoice = self.selected()
        if invoice is None:
            return None
        return invoice_actions.email_receipt(
            self.caller,
            self,
            invoice,
            lambda address: self.notice.setText(
                f"Receipt for {invoice.number} queued to {address}: see Messages for its status."
            ),
        )

    def print_receipts(self) -> BackgroundOp[Path] | None:
        """Ask for the dates and where to save; the PDF is rendered and written in the
        background, and the tab says where it went."""
        live = [i for i in self.invoices.records() if i.status is InvoiceStatus.ISSUED]
        today = datetime.now().astimezone().date()  # no sessions yet: any day will do
        days = [i.service.service_date for i in live] or [today]
        question = RangeQuestion("Health-fund receipts", min(days), max(days))
        answer = self.questions.date_range(self, question)
        if answer is None:
            return None
        name = f"Receipts {answer.first:%Y-%m-%d} to {answer.last:%Y-%m-%d}.pdf"
        path = self.questions.save_path(self, "Save receipts", name, "PDF files (*.pdf)")
        if path is None:
            return None
        ctx, patient_id = self.caller.ctx, self.patient_id
        self.receipts_button.setEnabled(False)
        self.notice.setText(f"Writing {path.name}…")
        return (
            self.caller.in_background(
                lambda: save_session_receipts(ctx, patient_id, answer.first, answer.last, path),
                title="Print receipts",
                refresh_on_refusal=False,
                on_error=lambda _exc: self._receipts_done(""),
            )
            .success(lambda written: self._receipts_done(f"Receipts saved to {written}"))
            .run()
        )

    def _receipts_done(self, text: str) -> None:
        self.receipts_button.setEnabled(True)
        self.notice.setText(text)

    def open_invoice(self) -> InvoiceDialog | None:
        invoice = self.selected()
        if invoice is None:
            return None
        dialog = InvoiceDialog(self.caller, invoice.id, self)
        dialog.show()
        return dialog


def save_session_receipts(
    ctx: ServiceContext, patient_id: uuid.UUID, first: date, last: date, path: Path
) -> Path:
    """Render the patient's receipts for [first, last] into one PDF at `path` (runs on
    a background thread: PDF rendering is the slow part of printing)."""
    path.write_bytes(credit.session_receipts_pdf(ctx, patient_id, first, last))
    return path
