"""The shared store's whole day: two desks offline take money and queue messages; the
server, the clinic's one sender, gets everything once to Xero and to patients."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from desktop.domain.billing import PaymentMethod
from desktop.domain.money import Money
from desktop.domain.outbox import Channel, JobState
from desktop.services import billing, booking, credit
from desktop.services.messaging.receipt_emails import queue_receipt_email
from desktop.services.outbox_dispatch import drain
from desktop.store.billing_models import InvoiceRow, PaymentRow, RefundRow
from desktop.store.credit_models import CreditApplicationRow, CreditLotRow
from desktop.store.outbox import OutboxQueue
from desktop.sync import conflicts
from desktop.xero.tokens import KeyringVault
from tests.fakes.xero import XeroFake
from tests.helpers.clinic import ClinicFixture
from tests.messaging.conftest import (  # noqa: F401 - the mail and SMS servers
    Messaging,
    SmtpEndpoint,
    clock,
    configure,
    secrets,
    sms_gateway,
    smtp_server,
)
from tests.sync.harness import Desk, ServerSide
from tests.sync.test_convergence import converged
from tests.sync.test_message_sync import (  # noqa: F401 - the messaging fixture
    NEXT_WEEK,
    desk_send_due,
    messaging_on_server,
)
from tests.sync.test_money_sync import cash, numbers, pass_of
from tests.xero.conftest import (  # noqa: F401 - the Xero double's fixtures
    MemoryKeyring,
    _openapi_loaded,
    channel_for,
    connect_with_token,
    fake,
    memory_keyring,
)

pytestmark = pytest.mark.postgres


def invoiced(desk: Desk, c: ClinicFixture, hour: int, patient: int, bob: bool = False):  # type: ignore[no-untyped-def]
    """A consult next week (its reminders are queued at the desk), invoiced there."""
    booked = booking.book_appointment(
        desk.ctx,
        booking.BookingRequest(
            c.clinic.id,
            (c.bob if bob else c.alice).id,
            c.consult.id,
            c.at(hour, day=NEXT_WEEK),
            patient_id=c.patients[patient].id,
        ),
    ).appointment
    invoice, _ = billing.invoice_appointment(desk.ctx, booked.id)
    return booked, invoice


def test_two_offline_desks_converge_and_the_server_sends_everything_once(
    server: ServerSide,
    messaging_on_server: Messaging,  # noqa: F811
    desks: list[Desk],
    fake: XeroFake,  # noqa: F811
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    m = messaging_on_server
    c = m.c
    front, back = desks
    for index, email in ((1, "second.sam@example.com"), (3, "ana@example.com")):
        m.set_patient(index, email=email)
    vault = KeyringVault()
    connect_with_token(server.ctx, fake, vault)  # the clinic's one Xero connection
    package = pass_of(front, c, 5)
    single = pass_of(front, c, 1)
    lot, _ = credit.sell_package(front.ctx, c.patients[0].id, single.id, PaymentMethod.CASH)
    for desk in (front, back, front):
        desk.sync()

    # Offline all day. Both desks use the one session of the first patient's pass.
    _, first = invoiced(front, c, 9, 0)
    _, second = invoiced(back, c, 14, 0, bob=True)
    assert first.credits and second.credits
    _, paid = invoiced(front, c, 10, 1)
    billing.take_payment(front.ctx, paid.id, cash(9000))
    _, part = invoiced(back, c, 11, 3, bob=True)
    billing.take_payment(back.ctx, part.id, cash(4000))
    billing.refund(back.ctx, part.id, Money(1000), PaymentMethod.CASH, "Overcharged")
    credit.sell_package(front.ctx, c.patients[2].id, package.id, PaymentMethod.CARD)
    credit.sell_package(back.ctx, c.patients[3].id, package.id, PaymentMethod.CASH)
    # Each desk emails a receipt while offline (part paid: still a tax invoice); it goes
    # up with the sync and the server sends it once.
    paid_to, _ = queue_receipt_email(front.ctx, paid.id)
    part_to, _ = queue_receipt_email(back.ctx, part.id)
    receipts = {
        paid_to: f"Your receipt {paid.number} from Test Clinic",
        part_to: f"Your tax invoice {part.number} from Test Clinic",
    }
    assert not OutboxQueue(front.database).jobs(Channel.XERO)  # desks queue nothing for Xero
    m.clock.now = c.at(14, day=NEXT_WEEK) - timedelta(hours=24)  # every reminder is due
    for desk in (front, back):
        assert desk_send_due(desk, m).server_sends  # and send no message themselves
    assert not m.smtp.received and not m.gateway.sent

    for desk in (front, back, front):  # back online
        desk.sync()
    converged(server, front, back)
    made = numbers(server)
    assert len(made) == len(set(made))  # every number unique
    assert {n[:5] for n in made} == {"FD-A-", "FD-B-", "FDC-A", "FDC-B"}
    assert not conflicts.open_conflicts(front.database)
    [refused] = conflicts.open_conflicts(back.database)  # the pass's one session went first
    assert refused.entity == "credit_applications" and "no sessions left" in refused.reason
    assert refused.meaning == (
        f"{second.number} is owing $90.00 again. {lot.number} has 0 of 1 sessions left."
    )
    for lot_id in _lot_ids(server):
        held = credit.get_lot(server.ctx, lot_id)
        assert held.remaining >= Money(0) and held.sessions_left in (None, *range(6))

    # The one sender: Xero until nothing is due, then the messages, twice.
    queue = OutboxQueue(server.database)
    channel = channel_for(server.database, fake, vault)
    while drain(queue, channel, fake.clock.now).attempted:
        pass
    assert {job.state for job in queue.jobs(Channel.XERO)} == {JobState.DONE}
    with server.database.reading() as session:
        invoices = list(session.execute(select(InvoiceRow.number)).scalars())
        payments = list(session.execute(select(PaymentRow.number)).scalars())
    assert Counter(i.invoice_number for i in fake.state.invoices.values()) == Counter(invoices)
    assert Counter(
        p.reference for p in fake.state.payments.values() if p.target_kind == "invoice"
    ) == Counter(payments)
    # Every pass sold is one prepayment, every refund one credit note, every use of
    # credit that stood one allocation: each exactly once.
    with server.database.reading() as session:
        lots = list(session.execute(select(CreditLotRow.number)).scalars())
        refunds = list(session.execute(select(RefundRow.number)).scalars())
        uses = list(
            session.execute(
                select(CreditApplicationRow.xero_allocation_id).where(
                    CreditApplicationRow.status == "applied"
                )
            ).scalars()
        )
    assert len(lots) == 3 and len(refunds) == 1 and len(uses) == 1
    assert Counter(
        t.reference for t in fake.state.bank_transactions.values() if t.type == "RECEIVE-PREPAYMENT"
    ) == Counter(lots)
    assert Counter(n.number for n in fake.state.credit_notes.values()) == Counter(refunds)
    live = [a.allocation_id for a in fake.state.allocations.values() if not a.is_deleted]
    assert live == uses
    sent = m.send_due()
    assert m.send_due().emails_sent == 0  # nothing twice
    # Every booked consult reminded once by each way the patient can be reached.
    emails = Counter((tuple(mail.rcpt_tos), mail.subject) for mail in m.smtp.received)
    texts = Counter((sms.to, sms.text) for sms in m.gateway.sent)
    assert set(emails.values()) == set(texts.values()) == {1}
    assert {(to, subject) for (to,), subject in emails} >= set(receipts.items())
    assert (sent.emails_sent, sent.sms_sent) == (len(emails), len(texts)) == (6, 4)
    for desk in (front, back):
        desk.sync()
    converged(server, front, back)


def _lot_ids(server: ServerSide) -> list[uuid.UUID]:
    with server.database.reading() as session:
        return list(session.execute(select(CreditLotRow.id)).scalars())
