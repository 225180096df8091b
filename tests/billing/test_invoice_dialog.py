"""The invoice dialog offscreen: money, split payments, corrections, the Xero state, the
PDF, the receipt email. It opens at once and fills in from the background; every
change saves in the background from its own small dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from desktop.domain.appointments import Appointment
from desktop.domain.billing import Invoice, PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.domain.outbox import Channel
from desktop.services import billing, booking, xero_settings
from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.store.models import PatientRow
from desktop.store.outbox import OutboxQueue
from desktop.ui import operations
from desktop.ui.billing.invoice_dialog import InvoiceDialog
from desktop.ui.billing.payment_dialog import PaymentDialog
from desktop.ui.change_bus import ChangeBus
from desktop.ui.service_caller import ServiceCaller
from tests.helpers import templates
from tests.helpers.background import off_gui_thread, settle
from tests.helpers.clinic import ClinicFixture, make_clinic
from tests.ui.money_support import Answers, answers

__all__ = ["answers"]


@pytest.fixture
def local_ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    database = Database(templates.migrated_sqlite(tmp_path / "billing.sqlite3"))
    yield ServiceContext.for_system(database)
    database.dispose()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda _p, _t, text: shown.append(text))
    return shown


def _consult_invoice(ctx: ServiceContext, clinic: ClinicFixture, hour: int = 9) -> Invoice:
    appointment = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(hour),
            patient_id=clinic.patients[0].id,
        ),
    ).appointment
    return billing.invoice_appointment(ctx, appointment.id)[0]


def _method(method: PaymentMethod) -> int:
    return list(PaymentMethod).index(method)


def test_taking_a_split_payment_and_seeing_it_wait_for_xero(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers, tmp_path: Path
) -> None:
    ctx = local_ctx
    xero_settings.save_connection(
        ctx.database, client_id="app", connection_key="k", tenant_id="t", tenant_name="Org"
    )
    clinic = make_clinic(ctx)
    invoice = _consult_invoice(ctx, clinic)
    bus = ChangeBus()
    dialog = InvoiceDialog(ServiceCaller(ctx, bus, None), invoice.id)
    qtbot.addWidget(dialog)
    # Open at once; nothing can be pressed until the invoice has arrived.
    assert dialog.heading.text() == "Reading the invoice…"
    buttons = (dialog.pay_button, dialog.edit_button, dialog.email_button, dialog.save_pdf_button)
    assert not any(button.isEnabled() for button in buttons)
    assert dialog.refund_button.isHidden()  # until the user is known to handle refunds
    settle(qtbot)
    assert dialog.windowTitle() == "Tax invoice FD-000001"
    assert "Owing <b>$90.00</b>" in dialog.money.text()
    assert "Waiting to go to Xero" in dialog.sync_label.text()
    assert all(button.isEnabled() for button in buttons)
    assert not dialog.refund_button.isHidden()
    assert not dialog.void_button.isEnabled() or dialog.invoice.live_payments == ()

    def split(pay: PaymentDialog) -> None:
        pay.rows[0].method.setCurrentIndex(_method(PaymentMethod.CASH))
        pay.rows[0].amount.setText("50")
        pay.split_button.click()
        pay.rows[1].method.setCurrentIndex(_method(PaymentMethod.EFTPOS))
        pay.rows[1].amount.setText("40")

    answers.then(split)
    with qtbot.waitSignal(dialog.changed):
        dialog.pay_button.click()
    settle(qtbot)
    assert dialog.windowTitle() == "Receipt FD-000001"
    assert dialog.status_label.text() == "Paid"
    assert dialog.payments.rowCount() == 2
    assert dialog.payments.item(1, 2).text() == "EFTPOS"
    assert not dialog.pay_button.isEnabled() and dialog.refund_button.isEnabled()
    assert dialog.write_pdf(tmp_path / "receipt.pdf") is not None
    assert not dialog.save_pdf_button.isEnabled()  # while it is written
    settle(qtbot)
    assert (tmp_path / "receipt.pdf").read_bytes().startswith(b"%PDF")
    assert dialog.save_pdf_button.isEnabled()
    assert errors == []

    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(tmp_path / "invoice_dialog.png"))


def test_a_refused_correction_keeps_what_was_typed_then_a_removal_goes_through(
    qtbot, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    invoice = _consult_invoice(ctx, clinic)
    billing.take_payment(ctx, invoice.id, [Tender(Money(9000), PaymentMethod.EFTPOS)])
    dialog = InvoiceDialog(ServiceCaller(ctx, ChangeBus(), None), invoice.id)
    qtbot.addWidget(dialog)
    settle(qtbot)
    dialog.payments.selectRow(0)
    assert dialog.edit_payment_button.isEnabled()
    [payment] = billing.get_invoice(ctx, invoice.id).payments

    def stale(pay: PaymentDialog) -> bool:
        pay.rows[0].amount.setText("80")
        pay.rows[0].reference.setText("Approval 1234")
        # Meanwhile another desk corrects the same payment.
        off_gui_thread(
            lambda: billing.edit_payment(
                ctx,
                payment.id,
                amount=Money(9000),
                method=PaymentMethod.CASH,
                received_on=payment.received_on,
            )
        )
        pay.ok_button.click()
        assert not pay.ok_button.isEnabled() and not pay.busy.label.isHidden()  # one press
        settle()
        assert len(errors) == 1  # refused: said once, the dialog still up as typed
        assert pay.result() != PaymentDialog.DialogCode.Accepted
        assert pay.rows[0].amount.text() == "80"
        assert pay.rows[0].reference.text() == "Approval 1234"
        assert pay.ok_button.isEnabled() and pay.busy.label.isHidden()
        pay.reject()
        return False

    answers.then(stale)
    assert dialog.correct_payment() is None
    settle(qtbot)
    [kept] = billing.get_invoice(ctx, invoice.id).payments
    assert (kept.amount, kept.method) == (Money(9000), PaymentMethod.CASH)

    dialog.payments.selectRow(0)
    answers.then(lambda ask: ask.reason.setText("Entered twice"))
    assert dialog.remove_payment() is not None
    settle(qtbot)
    assert billing.get_invoice(ctx, invoice.id).live_payments == ()
    assert dialog.status_label.text() == "Unpaid"
    assert dialog.payments.item(0, 4).text() == "Removed"
    assert len(errors) == 1


def test_the_payment_dialog_never_lets_more_than_is_owing_through(qtbot) -> None:
    dialog = PaymentDialog(Money(9000))
    qtbot.addWidget(dialog)
    ok = dialog.ok_button
    assert ok.isEnabled() and dialog.tenders() == [Tender(Money(9000), PaymentMethod.EFTPOS)]
    dialog.rows[0].amount.setText("60")
    dialog.split_button.click()
    dialog.rows[1].method.setCurrentIndex(list(PaymentMethod).index(PaymentMethod.EFTPOS))
    dialog.rows[1].amount.setText("40")
    assert not ok.isEnabled() and dialog.error.text().startswith(
        "$100.00 is more than the $90.00 owing."
    )
    assert "-" not in dialog.summary.text()  # never a negative "left owing"
    dialog.rows[1].amount.setText("30")
    assert ok.isEnabled() and dialog.summary.text() == "Paying $90.00; paid in full."
    dialog.rows[1].amount.setText("thirty")
    assert not ok.isEnabled() and "is not an amount of money" in dialog.error.text()
    assert isinstance(dialog.findChild(QDialogButtonBox), QDialogButtonBox)


def _alices_consult_at_ten(ctx: ServiceContext, clinic: ClinicFixture) -> Appointment:
    """The first patient's consult with Alice at 10:00, not invoiced yet."""
    return booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(10),
            patient_id=clinic.patients[0].id,
        ),
    ).appointment


def test_the_calendar_action_raises_the_invoice_once_then_reopens_it(
    qtbot, local_ctx: ServiceContext, errors: list[str]
) -> None:
    from desktop.ui.billing.invoice_dialog import open_invoice_for_service

    clinic = make_clinic(local_ctx)
    patient = clinic.patients[0]
    appointment = _alices_consult_at_ten(local_ctx, clinic)
    bus = ChangeBus()
    caller = ServiceCaller(local_ctx, bus, None)
    first = open_invoice_for_service(caller, appointment.id, patient.id)
    qtbot.addWidget(first)
    assert first.isVisible() and first.invoice is None  # shown at once, filled in later
    with qtbot.waitSignal(bus.changed):  # the invoice raised is news for every screen
        settle(qtbot)
    settle(qtbot)
    assert first.invoice is not None and first.status_label.text() == "Unpaid"
    second = open_invoice_for_service(caller, appointment.id, patient.id)
    qtbot.addWidget(second)
    settle(qtbot)
    assert first.invoice_id == second.invoice_id
    assert second.invoice is not None and second.invoice.number == first.invoice.number
    assert errors == []


def test_the_receipt_is_emailed_from_the_invoice_dialog(
    qtbot, local_ctx: ServiceContext, errors: list[str], tmp_path: Path
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    with ctx.database.write_session() as session:
        row = session.get(PatientRow, clinic.patients[0].id)
        assert row is not None
        row.email = "sam.lee@example.com"
        session.commit()
    invoice = _consult_invoice(ctx, clinic)
    billing.take_payment(ctx, invoice.id, [Tender(Money(9000), PaymentMethod.EFTPOS)])
    dialog = InvoiceDialog(ServiceCaller(ctx, ChangeBus(), None), invoice.id)
    qtbot.addWidget(dialog)
    settle(qtbot)
    dialog.email_button.click()
    assert not dialog.email_button.isEnabled()  # one press, one email
    settle(qtbot)
    jobs = OutboxQueue(ctx.database).jobs(Channel.EMAIL)
    assert [j.subject_id for j in jobs if j.kind == "email.invoice_receipt"] == [invoice.id]
    assert dialog.notice.text().startswith("Receipt queued to sam.lee@example.com")
    assert dialog.email_button.isEnabled()
    dialog.email_button.click()  # again: refused with one message, nothing more queued
    settle(qtbot)
    assert len(errors) == 1 and "already emailed" in errors[0]
    assert len(OutboxQueue(ctx.database).jobs(Channel.EMAIL)) == 1
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(tmp_path / "invoice_dialog_emailed.png"))


def test_a_service_that_cannot_be_invoiced_is_said_once_and_the_dialog_closes(
    qtbot, local_ctx: ServiceContext, errors: list[str]
) -> None:
    from desktop.ui.billing.invoice_dialog import open_invoice_for_service

    clinic = make_clinic(local_ctx)
    appointment = _alices_consult_at_ten(local_ctx, clinic)
    caller = ServiceCaller(local_ctx, ChangeBus(), None)
    dialog = open_invoice_for_service(caller, appointment.id, clinic.patients[1].id)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    settle(qtbot)
    assert errors == ["That patient is not the patient of this appointment."]
    assert not dialog.isVisible() and dialog.invoice is None
    assert billing.patient_invoices(local_ctx, clinic.patients[1].id) == []
