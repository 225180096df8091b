"""A receipt emailed from a desk that follows a server: the server's sender delivers it,
once, and every desk shows it sent; the server re-checks what the desk pushed."""

from __future__ import annotations

import uuid

import pytest

from desktop.domain.billing import Invoice, PaymentMethod, Tender
from desktop.domain.errors import InvalidInput
from desktop.domain.outbox import Channel
from desktop.services import billing
from desktop.services.messaging.message_log import MessageStatus, message_log
from desktop.services.messaging.receipt_emails import queue_receipt_email
from desktop.sync import conflicts
from tests.helpers.clinic import ClinicFixture
from tests.messaging.conftest import (  # noqa: F401 - the mail and SMS servers
    Messaging,
    clock,
    secrets,
    sms_gateway,
    smtp_server,
)
from tests.sync.harness import Desk, ServerSide
from tests.sync.test_convergence import converged
from tests.sync.test_message_sync import book, desk_send_due, messaging_on_server

__all__ = ["messaging_on_server"]

pytestmark = pytest.mark.postgres


def paid_at(desk: Desk, c: ClinicFixture, hour: int, patient: int = 0) -> Invoice:
    appointment = book(desk, c, hour, patient)
    invoice, _ = billing.invoice_appointment(desk.ctx, appointment.id)
    paid, _ = billing.take_payment(
        desk.ctx, invoice.id, [Tender(invoice.amount_due, PaymentMethod.CARD)]
    )
    return paid


def receipt_statuses(desk: Desk, patient_id: uuid.UUID) -> list[MessageStatus]:
    return [
        e.status
        for e in message_log(desk.ctx, patient_id)
        if e.channel is Channel.EMAIL and e.purpose.value == "invoice_receipt"
    ]


def test_a_receipt_queued_at_a_desk_is_sent_once_by_the_server(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    m = messaging_on_server
    c = m.c
    sam = c.patients[0].id
    front, back = desks
    invoice = paid_at(front, c, 9)
    address, _ = queue_receipt_email(front.ctx, invoice.id)
    assert address == "sam.lee@example.com"
    assert desk_send_due(front, m).server_sends == server.url  # the desk sends nothing
    assert m.smtp.received == []
    for desk in (front, back):
        desk.sync()
    assert conflicts.open_conflicts(front.database) == []
    assert receipt_statuses(back, sam) == [MessageStatus.SCHEDULED]

    m.clock.advance(days=9)  # to the server's day (its reminders still wait)
    assert m.send_due().emails_sent == 1  # the clinic's one sender
    assert m.send_due().emails_sent == 0
    [mail] = m.smtp.received
    assert mail.rcpt_tos == ["sam.lee@example.com"]
    assert mail.subject == f"Your receipt {invoice.number} from Test Clinic"
    [pdf] = list(mail.message.iter_attachments())
    assert pdf.get_filename() == f"Receipt {invoice.number}.pdf"
    for desk in (front, back):
        desk.sync()
        assert receipt_statuses(desk, sam) == [MessageStatus.SENT]
    # The other desk asking again for the same receipt is told it went.
    with pytest.raises(InvalidInput, match="already emailed"):
        queue_receipt_email(back.ctx, invoice.id)
    converged(server, front, back)


def test_a_receipt_queued_for_an_invoice_voided_meanwhile_is_refused(
    server: ServerSide, messaging_on_server: Messaging, desks: list[Desk]
) -> None:
    m = messaging_on_server
    front, _ = desks
    appointment = book(front, m.c, 10)
    invoice, _ = billing.invoice_appointment(front.ctx, appointment.id)
    front.sync()
    billing.void_invoice(server.ctx, invoice.id, "Raised in error")  # at another desk
    queue_receipt_email(front.ctx, invoice.id)  # before this desk hears of it
    front.sync()
    [refused] = conflicts.open_conflicts(front.database)
    assert (refused.entity, refused.code) == ("outgoing_messages", "not_found")
    m.clock.advance(days=9)
    assert m.send_due().emails_sent == 0 and m.smtp.received == []
