"""Patients' receipts emailed through the outbox to a real SMTP server on loopback."""

from __future__ import annotations

import re

import pytest

from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money
from desktop.domain.outbox import Channel
from desktop.services import billing
from desktop.services.messaging.message_log import MessageStatus, message_log, retry_message
from desktop.services.messaging.opt_outs import set_opt_out
from desktop.services.messaging.receipt_emails import (
    email_address_for_receipts,
    queue_receipt_email,
)
from desktop.store.models import PatientRow
from tests.messaging.conftest import Messaging


def paid_invoice(m: Messaging, patient: int = 0, hour: int = 10):  # type: ignore[no-untyped-def]
    appointment = m.book(hour, patient=patient)
    invoice, _ = billing.invoice_appointment(m.ctx, appointment.id)
    paid, _ = billing.take_payment(
        m.ctx, invoice.id, [Tender(invoice.amount_due, PaymentMethod.EFTPOS)]
    )
    return paid


def receipts_in_log(m: Messaging, patient: int = 0):  # type: ignore[no-untyped-def]
    return [
        e
        for e in message_log(m.ctx, m.c.patients[patient].id, include_cancelled=True)
        if e.channel is Channel.EMAIL and e.purpose.value == "invoice_receipt"
    ]


def set_email(m: Messaging, patient: int, email: str) -> None:
    with m.ctx.database.write_session() as session:
        row = session.get(PatientRow, m.c.patients[patient].id)
        assert row is not None
        row.email = email
        session.commit()


def test_a_paid_invoice_is_emailed_once_with_its_pdf_and_logged(messaging: Messaging) -> None:
    m = messaging
    invoice = paid_invoice(m)
    address, changes = queue_receipt_email(m.ctx, invoice.id)
    assert address == "sam.lee@example.com" and changes.outbox
    [queued] = receipts_in_log(m)
    assert queued.status is MessageStatus.SCHEDULED
    assert queued.recipient == "sam.lee@example.com"  # where it will go
    assert m.send_due().email.delivered == 1
    [mail] = m.smtp.received
    assert mail.rcpt_tos == ["sam.lee@example.com"]
    assert "for claiming from your health fund" in mail.text
    [pdf] = list(mail.message.iter_attachments())
    assert pdf.get_filename() == f"Receipt {invoice.number}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    [sent] = receipts_in_log(m)
    assert sent.status is MessageStatus.SENT and sent.recipient == "sam.lee@example.com"
    assert sent.subject == mail.subject == f"Your receipt {invoice.number} from Test Clinic"
    # The same receipt again is refused; nothing more is sent.
    with pytest.raises(InvalidInput, match="already emailed"):
        queue_receipt_email(m.ctx, invoice.id)
    m.send_due()
    assert len(m.smtp.received) == 1


def test_a_corrected_invoice_is_a_new_email(messaging: Messaging) -> None:
    m = messaging
    invoice = paid_invoice(m)
    queue_receipt_email(m.ctx, invoice.id)
    m.send_due()
    billing.refund(m.ctx, invoice.id, Money(1000), PaymentMethod.EFTPOS, "Overcharged")
    queue_receipt_email(m.ctx, invoice.id)
    m.send_due()
    first, second = m.smtp.received
    assert first.message_id != second.message_id
    assert [e.status for e in receipts_in_log(m)] == [MessageStatus.SENT, MessageStatus.SENT]


def test_a_voided_invoice_still_queued_is_not_sent(messaging: Messaging) -> None:
    m = messaging
    appointment = m.book(11)
    invoice, _ = billing.invoice_appointment(m.ctx, appointment.id)
    queue_receipt_email(m.ctx, invoice.id)
    billing.void_invoice(m.ctx, invoice.id, "Raised in error")
    m.send_due()
    assert m.smtp.received == []
    [entry] = receipts_in_log(m)
    assert entry.status is MessageStatus.NOT_SENT and "voided" in entry.detail
    with pytest.raises(InvalidInput, match="void"):
        queue_receipt_email(m.ctx, invoice.id)


def test_no_email_opt_out_refuses_with_a_clear_message(messaging: Messaging) -> None:
    m = messaging
    invoice = paid_invoice(m, patient=1)
    set_opt_out(m.ctx, m.c.patients[1].id, Channel.EMAIL, True)
    assert email_address_for_receipts(m.ctx, m.c.patients[1].id) == ""
    with pytest.raises(InvalidInput, match="asked not to receive email"):
        queue_receipt_email(m.ctx, invoice.id)
    assert receipts_in_log(m, 1) == []


def test_an_invalid_address_queues_nothing(messaging: Messaging) -> None:
    m = messaging
    invoice = paid_invoice(m)
    set_email(m, 0, "sam.lee@example")
    assert email_address_for_receipts(m.ctx, m.c.patients[0].id) == ""
    with pytest.raises(
        InvalidInput, match=re.escape("“sam.lee@example” is not a valid email address")
    ):
        queue_receipt_email(m.ctx, invoice.id)
    assert receipts_in_log(m) == []


def test_an_address_broken_after_queueing_fails_and_retries_once_fixed(
    messaging: Messaging,
) -> None:
    m = messaging
    invoice = paid_invoice(m)
    queue_receipt_email(m.ctx, invoice.id)
    set_email(m, 0, "")
    m.send_due()
    [failed] = receipts_in_log(m)
    assert failed.status is MessageStatus.FAILED and m.smtp.received == []
    set_email(m, 0, "sam@example.com")
    retry_message(m.ctx, failed.id)
    m.send_due()
    [mail] = m.smtp.received
    assert mail.rcpt_tos == ["sam@example.com"]
