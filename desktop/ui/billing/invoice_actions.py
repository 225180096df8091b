"""What a receptionist does to one invoice, wherever it is shown (the invoice dialog,
the patient card's Account tab): take a payment, pay it from credit, edit it,
refund, void, email its receipt.

Each action asks its questions in a dialog (through `prompts.run_dialog`, so
offscreen tests answer it), calls the service through the `ServiceCaller`, and
publishes what changed. It returns the Changes, or None when the user backed out
or was told why it could not be done (nothing changed then).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from desktop.domain.billing import Invoice, InvoiceEdit, InvoiceStatus
from desktop.domain.errors import DomainError
from desktop.domain.roles import Actor
from desktop.services import billing, calendar, credit
from desktop.services.changes import Changes
from desktop.services.messaging import receipt_emails
from desktop.ui import prompts
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.billing.edit_invoice_dialog import EditInvoiceDialog
from desktop.ui.billing.payment_dialog import PaymentDialog
from desktop.ui.billing.small_dialogs import ReasonDialog, RefundDialog
from desktop.ui.preferences import Preferences
from desktop.ui.service_caller import ServiceCaller

InvoiceAction = Callable[[ServiceCaller, QWidget | None, Invoice], Changes | None]


def current_actor(caller: ServiceCaller) -> Actor | None:
    """Who is signed in (None once they have been told the session could not go on)."""
    ctx = caller.ctx
    return caller.call(ctx.actor, refresh_on_refusal=False)


def _publish(
    caller: ServiceCaller, action: Callable[[], tuple[Invoice, Changes]], title: str
) -> Changes | None:
    result = caller.call(action, title=title)
    if result is None:
        return None
    _, changes = result
    caller.publish(changes)
    return changes


def can_pay(invoice: Invoice) -> bool:
    return invoice.status is InvoiceStatus.ISSUED and invoice.amount_due.cents > 0


def can_refund(invoice: Invoice) -> bool:
    return invoice.status is InvoiceStatus.ISSUED and invoice.refundable.cents > 0


def can_void(invoice: Invoice) -> bool:
    return invoice.status is InvoiceStatus.ISSUED and not invoice.live_payments


def can_edit(invoice: Invoice) -> bool:
    return invoice.status is InvoiceStatus.ISSUED and not invoice.refunds


def take_payment(caller: ServiceCaller, parent: QWidget | None, invoice: Invoice) -> Changes | None:
    """The payment dialog offers to email the receipt (ticked as last left at this
    clinic); once the payment is saved the email is queued in the background."""
    dialog = PaymentDialog(invoice.amount_due, parent, title=f"Take payment: {invoice.number}")
    ctx = caller.ctx
    preferences = Preferences(QSettings())
    clinic_id = invoice.service.clinic_id
    BackgroundOp(
        lambda: receipt_emails.email_address_for_receipts(ctx, invoice.patient_id),
        parent=dialog,  # a dialog already closed drops the answer
        title="Take payment",
        reports=(DomainError,),  # no box offered is answer enough
    ).success(
        lambda address: dialog.offer_receipt(address, preferences.email_receipts(clinic_id))
    ).failure(lambda _exc: None).run()
    if not prompts.run_dialog(dialog):
        return None
    tenders, day = dialog.tenders(), dialog.day()
    changes = _publish(
        caller,
        lambda: billing.take_payment(ctx, invoice.id, tenders, received_on=day),
        "Take payment",
    )
    if changes is not None and dialog.receipt_offered():
        preferences.set_email_receipts(clinic_id, dialog.email_receipt.isChecked())
        if dialog.email_receipt.isChecked():
            email_receipt(caller, parent, invoice)
    return changes


def email_receipt(
    caller: ServiceCaller,
    _parent: QWidget | None,
    invoice: Invoice,
    on_queued: Callable[[str], None] | None = None,
) -> BackgroundOp[tuple[str, Changes]]:
    """Queue the invoice's receipt to the patient's email (a refusal — opted out, no
    valid address, already sent — is shown as a message); `on_queued` gets the address."""
    ctx = caller.ctx

    def queued(result: tuple[str, Changes]) -> None:
        caller.publish(result[1])
        if on_queued is not None:
            on_queued(result[0])

    return (
        caller.in_background(
            lambda: receipt_emails.queue_receipt_email(ctx, invoice.id),
            title="Email receipt",
            refresh_on_refusal=False,
        )
        .success(queued)
        .run()
    )


def edit_invoice(caller: ServiceCaller, parent: QWidget | None, invoice: Invoice) -> Changes | None:
    ctx = caller.ctx
    choices = caller.call(
        lambda: (
            calendar.appointment_types(ctx, include_inactive=True),
            calendar.practitioners(ctx, include_inactive=True),
        ),
        refresh_on_refusal=False,
    )
    if choices is None:
        return None
    dialog = EditInvoiceDialog(invoice, *choices, parent=parent)
    if not prompts.run_dialog(dialog):
        return None
    edit: InvoiceEdit = dialog.edit()
    return _publish(
        caller,
        lambda: billing.edit_invoice(ctx, invoice.id, edit, invoice.version),
        "Edit invoice",
    )


def pay_from_credit(
    caller: ServiceCaller, _parent: QWidget | None, invoice: Invoice
) -> Changes | None:
    """The patient's best credit for this session (as when credit is applied by itself)."""
    ctx = caller.ctx
    result = caller.call(lambda: credit.apply_credit(ctx, invoice.id), title="Pay from credit")
    if result is None:
        return None
    caller.publish(result[1])
    return result[1]


def refund(caller: ServiceCaller, parent: QWidget | None, invoice: Invoice) -> Changes | None:
    dialog = RefundDialog(invoice.refundable, parent)
    if not prompts.run_dialog(dialog):
        return None
    amount, method, reason = dialog.money(), dialog.chosen_method(), dialog.reason.text()
    ctx = caller.ctx
    return _publish(
        caller, lambda: billing.refund(ctx, invoice.id, amount, method, reason), "Refund"
    )


def void(caller: ServiceCaller, parent: QWidget | None, invoice: Invoice) -> Changes | None:
    dialog = ReasonDialog(
        "Void invoice",
        f"Void {invoice.number}? The service can then be invoiced again.",
        "Void invoice",
        parent,
    )
    if not prompts.run_dialog(dialog):
        return None
    reason = dialog.reason.text()
    ctx = caller.ctx
    return _publish(
        caller,
        lambda: billing.void_invoice(ctx, invoice.id, reason, invoice.version),
        "Void invoice",
    )
