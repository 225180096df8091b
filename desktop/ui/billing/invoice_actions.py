"""What a receptionist does to one invoice, wherever it is shown (the invoice dialog,
the patient card's Account tab): take a payment, pay it from credit, edit it,
refund, void, email its receipt.

Each action asks its questions in a dialog (through `prompts.run_dialog`, so
offscreen tests answer it). The dialog opens at once, and what it offers that must
be read first (the types and practitioners an invoice can be changed to) fills in
when it arrives, its action button off until then. Its OK saves in the background
(`SavingDialog`): the dialog stays up, busy, until the change is made; a refusal is
shown and keeps what was typed. The action returns the Changes (already published),
or None when the user backed out. Nothing here touches the store on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from desktop.domain.billing import Invoice, InvoiceStatus
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
from desktop.ui.widgets.saving_dialog import Save, SavingDialog

InvoiceAction = Callable[[ServiceCaller, QWidget | None, Invoice], Changes | None]


def read_actor(
    caller: ServiceCaller, parent: QWidget, then: Callable[[Actor], None]
) -> BackgroundOp[Actor]:
    """Who is signed in, read in the background; `then(actor)` on the GUI thread (a
    screen shows the money-back buttons only to those who may use them)."""
    ctx = caller.ctx
    return (
        caller.in_background(ctx.actor, refresh_on_refusal=False, parent=parent).success(then).run()
    )


def save_in_dialog(
    caller: ServiceCaller, dialog: SavingDialog, work: Callable[[], Save], title: str
) -> Changes | None:
    """Run `dialog`; its OK makes the call `work()` returns, in the background."""
    dialog.saves(caller, work, title=title)
    return dialog.changes if prompts.run_dialog(dialog) else None


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

    def work() -> Save:
        tenders, day = dialog.tenders(), dialog.day()
        return lambda: billing.take_payment(ctx, invoice.id, tenders, received_on=day)[1]

    changes = save_in_dialog(caller, dialog, work, "Take payment")
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
    on_error: Callable[[Exception], None] | None = None,
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
            on_error=on_error,
        )
        .success(queued)
        .run()
    )


def edit_invoice(caller: ServiceCaller, parent: QWidget | None, invoice: Invoice) -> Changes | None:
    """The dialog opens at once; the types and practitioners to change to arrive later."""
    dialog = EditInvoiceDialog(invoice, parent=parent)
    ctx = caller.ctx
    caller.in_background(
        lambda: (
            calendar.appointment_types(ctx, include_inactive=True),
            calendar.practitioners(ctx, include_inactive=True),
        ),
        title="Edit invoice",
        refresh_on_refusal=False,
        parent=dialog,
    ).success(lambda choices: dialog.offer(*choices)).run()

    def work() -> Save:
        edit = dialog.edit()  # only what the user changed
        return lambda: billing.edit_invoice(ctx, invoice.id, edit, invoice.version)[1]

    return save_in_dialog(caller, dialog, work, "Edit invoice")


def pay_from_credit(
    caller: ServiceCaller,
    parent: QWidget | None,
    invoice: Invoice,
    then: Callable[[], None] | None = None,
) -> BackgroundOp[Changes]:
    """The patient's best credit for this session (as when credit is applied by itself),
    in the background; what changed is published. `then()` once it is done or refused."""
    ctx = caller.ctx

    def done(changes: Changes) -> None:
        caller.publish(changes)
        if then is not None:
            then()

    return (
        caller.in_background(
            lambda: credit.apply_credit(ctx, invoice.id)[1],
            title="Pay from credit",
            on_error=lambda _exc: then() if then is not None else None,
            parent=parent,
        )
        .success(done)
        .run()
    )


def refund(caller: ServiceCaller, parent: QWidget | None, invoice: Invoice) -> Changes | None:
    dialog = RefundDialog(invoice.refundable, parent)
    ctx = caller.ctx

    def work() -> Save:
        amount, method, reason = dialog.money(), dialog.chosen_method(), dialog.reason.text()
        return lambda: billing.refund(ctx, invoice.id, amount, method, reason)[1]

    return save_in_dialog(caller, dialog, work, "Refund")


def void(caller: ServiceCaller, parent: QWidget | None, invoice: Invoice) -> Changes | None:
    ctx = caller.ctx
    return with_reason(
        caller,
        parent,
        "Void invoice",
        f"Void {invoice.number}? The service can then be invoiced again.",
        "Void invoice",
        lambda reason: lambda: billing.void_invoice(ctx, invoice.id, reason, invoice.version)[1],
    )


def with_reason(
    caller: ServiceCaller,
    parent: QWidget | None,
    title: str,
    question: str,
    action: str,
    save: Callable[[str], Save],
) -> Changes | None:
    """Ask why (a sentence, required), then make the change `save(reason)` returns."""
    dialog = ReasonDialog(title, question, action, parent)
    return save_in_dialog(caller, dialog, lambda: save(dialog.reason.text()), title)
