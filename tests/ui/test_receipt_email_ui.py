"""Emailing a receipt from the window: the payment dialog's "Email receipt to …" box and
the Account tab's *Email receipt* button, on a real SQLite clinic (the send itself is
tested against a real SMTP server in tests/messaging/test_receipt_emails.py)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.billing import PaidStatus
from desktop.domain.outbox import Channel
from desktop.services import billing
from desktop.services.context import ServiceContext
from desktop.services.messaging.message_log import MessageStatus, message_log
from desktop.services.messaging.opt_outs import set_opt_out
from desktop.store.models import PatientRow
from desktop.store.outbox import OutboxQueue
from desktop.ui.billing.payment_dialog import PaymentDialog
from desktop.ui.patients.account_tab import PatientAccountTab
from tests.credit.helpers import consult
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture, make_clinic
from tests.ui.money_support import Answers, answers, open_card, shot

__all__ = ["answers"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def set_email(ctx: ServiceContext, clinic: ClinicFixture, patient: int, email: str) -> None:
    with ctx.database.write_session() as session:
        row = session.get(PatientRow, clinic.patients[patient].id)
        assert row is not None
        row.email = email
        session.commit()


def emailable_clinic(ctx: ServiceContext) -> ClinicFixture:
    """The test clinic, its first patient with an email address."""
    clinic = make_clinic(ctx)
    set_email(ctx, clinic, 0, "sam.lee@example.com")
    return clinic


def receipts(ctx: ServiceContext, clinic: ClinicFixture, patient: int = 0) -> list[Any]:
    return [
        e
        for e in message_log(ctx, clinic.patients[patient].id)
        if e.channel is Channel.EMAIL and e.purpose.value == "invoice_receipt"
    ]


def receipt_invoices(ctx: ServiceContext) -> list[uuid.UUID]:
    """The invoices of the queued receipt emails."""
    jobs = OutboxQueue(ctx.database).jobs(Channel.EMAIL)
    return [job.subject_id for job in jobs if job.kind == "email.invoice_receipt"]


def _tab(card: object) -> PatientAccountTab:
    tab = card.account_tab  # type: ignore[attr-defined]
    assert isinstance(tab, PatientAccountTab)
    return tab


def test_the_button_emails_the_chosen_invoice_not_the_first(
    qtbot: Any, local_ctx: ServiceContext, errors: list[str], tmp_path: Path
) -> None:
    ctx = local_ctx
    clinic = emailable_clinic(ctx)
    first = consult(ctx, clinic, hour=9)
    second = consult(ctx, clinic, hour=10)
    card = open_card(qtbot, ctx, clinic.patients[0].id)
    tab = _tab(card)
    assert not tab.email_button.isEnabled()  # nothing chosen
    tab.invoice_table.selectRow(1)  # newest first: the older invoice
    chosen = tab.selected()
    assert chosen is not None and chosen.id == first.id
    tab.email_button.click()
    settle(qtbot)
    [queued] = receipts(ctx, clinic)
    assert queued.status is MessageStatus.SCHEDULED
    assert receipt_invoices(ctx) == [first.id]  # not the second (first row) one
    assert second.id != first.id
    assert tab.notice.text().startswith(f"Receipt for {first.number} queued to sam.lee@example.com")
    # Again: one clear message, nothing more queued.
    tab.email_button.click()
    settle(qtbot)
    assert len(errors) == 1 and "already emailed" in errors[0]
    assert len(receipts(ctx, clinic)) == 1
    card.tabs.setCurrentWidget(tab)
    assert shot(card, qtbot, tmp_path, "account").stat().st_size > 0


def test_a_patient_without_email_gets_one_clear_message(
    qtbot: Any, local_ctx: ServiceContext, errors: list[str]
) -> None:
    ctx = local_ctx
    clinic = make_clinic(ctx)
    consult(ctx, clinic, hour=9)
    tab = _tab(open_card(qtbot, ctx, clinic.patients[0].id))
    tab.invoice_table.selectRow(0)
    tab.email_button.click()
    settle(qtbot)
    assert errors == [
        "The receipt was not queued: there is no email address for Sam Lee. Fix it on their "
        "card, then email the receipt again."
    ]
    assert receipts(ctx, clinic) == []


def _pay_with_box(
    qtbot: Any, tmp_path: Path | None, seen: dict[str, Any], tick: bool | None = None
) -> Any:
    def fill(dialog: PaymentDialog) -> None:
        settle(qtbot)  # the patient's address arrives from the background
        seen["offered"] = dialog.receipt_offered()
        seen["text"] = dialog.email_receipt.text()
        seen["checked"] = dialog.email_receipt.isChecked()
        if tick is not None:
            dialog.email_receipt.setChecked(tick)
        if tmp_path is not None:
            dialog.show()
            qtbot.waitExposed(dialog)
            dialog.grab().save(str(tmp_path / "payment.png"))

    return fill


def test_paying_emails_the_receipt_and_the_choice_is_remembered(
    qtbot: Any, local_ctx: ServiceContext, errors: list[str], answers: Answers, tmp_path: Path
) -> None:
    ctx = local_ctx
    clinic = emailable_clinic(ctx)
    first = consult(ctx, clinic, hour=9)
    second = consult(ctx, clinic, hour=10)
    tab = _tab(open_card(qtbot, ctx, clinic.patients[0].id))
    seen: dict[str, Any] = {}
    tab.invoice_table.selectRow(1)
    answers.then(_pay_with_box(qtbot, tmp_path, seen))
    tab.pay_button.click()
    settle(qtbot)
    assert seen == {
        "offered": True,
        "text": "&Email receipt to sam.lee@example.com",
        "checked": True,
    }
    assert (tmp_path / "payment.png").stat().st_size > 0
    assert billing.get_invoice(ctx, first.id).paid_status is PaidStatus.PAID
    assert receipt_invoices(ctx) == [first.id]
    # Unticked once: the next payment at this clinic offers it unticked, and sends none.
    tab.invoice_table.selectRow(tab.invoices.row_of(second.id) or 0)
    unticked: dict[str, Any] = {}
    answers.then(_pay_with_box(qtbot, None, unticked, tick=False))
    tab.pay_button.click()
    settle(qtbot)
    assert unticked["checked"] is True and len(receipts(ctx, clinic)) == 1
    third = consult(ctx, clinic, hour=11)
    tab.reload()
    settle(qtbot)  # the tab reads its invoices in the background
    tab.invoice_table.selectRow(tab.invoices.row_of(third.id) or 0)
    remembered: dict[str, Any] = {}
    answers.then(_pay_with_box(qtbot, None, remembered))
    tab.pay_button.click()
    settle(qtbot)
    assert remembered["offered"] is True and remembered["checked"] is False
    assert len(receipts(ctx, clinic)) == 1
    assert errors == []


def test_no_box_for_a_patient_who_opted_out_of_email(
    qtbot: Any, local_ctx: ServiceContext, errors: list[str], answers: Answers
) -> None:
    ctx = local_ctx
    clinic = emailable_clinic(ctx)
    set_opt_out(ctx, clinic.patients[0].id, Channel.EMAIL, True)
    consult(ctx, clinic, hour=9)
    tab = _tab(open_card(qtbot, ctx, clinic.patients[0].id))
    tab.invoice_table.selectRow(0)
    seen: dict[str, Any] = {}
    answers.then(_pay_with_box(qtbot, None, seen))
    tab.pay_button.click()
    settle(qtbot)
    assert seen["offered"] is False
    assert receipts(ctx, clinic) == [] and errors == []
