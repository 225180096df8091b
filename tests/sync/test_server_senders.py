"""`frontdesk server` runs the clinic's senders: two instances still send each thing once."""

from __future__ import annotations

import queue
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest

from desktop.server.senders import ClinicSenders
from desktop.services.messaging.email_channel import smtp_senders
from desktop.services.messaging.secrets import MessagingSecrets
from desktop.services.messaging.send_due import SendDueLoop, SendDueReport
from desktop.services.messaging.sms_channel import sms_providers
from desktop.services.outbox_dispatch import DrainReport
from desktop.xero.tokens import KeyringVault
from tests.fakes.sms_gateway import FakeSmsGateway
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
from tests.messaging.helpers import Clock
from tests.sync.harness import ServerSide
from tests.test_cli import frontdesk
from tests.xero.conftest import (  # noqa: F401 - the Xero double's fixtures
    ConnectedClinic,
    MemoryKeyring,
    _openapi_loaded,
    channel_for,
    connect_with_token,
    fake,
    memory_keyring,
)
from tests.xero.helpers import invoiced

Report = TypeVar("Report")
WAIT = 30.0  # seconds a sender may take before the test gives up (never reached when well)


def test_server_help_offers_to_leave_sending_to_another_instance() -> None:
    assert "--no-senders" in frontdesk("server", "--help").stdout


@pytest.mark.postgres
def test_two_server_instances_send_each_document_and_message_once(
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    fake: XeroFake,  # noqa: F811
    memory_keyring: MemoryKeyring,  # noqa: F811
    smtp_server: SmtpEndpoint,  # noqa: F811
    sms_gateway: FakeSmsGateway,  # noqa: F811
    clock: Clock,  # noqa: F811
    secrets: MessagingSecrets,  # noqa: F811
) -> None:
    m = Messaging(
        server.ctx,
        clinic_on_server,
        clock,
        secrets,
        smtp_server.handler,
        sms_gateway,
        smtp_server.port,
    )
    m.set_patient(0, email="sam.lee@example.com")
    configure(m)
    m.reminder_time(m.book(9, 30))  # a reminder by email and by SMS, due now
    vault = KeyringVault()
    xero_reports: queue.Queue[tuple[str, DrainReport]] = queue.Queue()
    message_reports: queue.Queue[SendDueReport] = queue.Queue()

    def instance(name: str) -> ClinicSenders:
        loop = SendDueLoop(
            m.ctx,
            senders=smtp_senders(secrets),
            gateways=sms_providers(secrets, clock),
            clock=clock,
            on_report=message_reports.put,
        )
        return ClinicSenders(
            server.database,
            xero_channel=lambda database: channel_for(database, fake, vault),
            messages=loop,
            on_xero_report=lambda report: xero_reports.put((name, report)),
            look_for_xero_every=timedelta(milliseconds=10),
        )

    first, second = instance("first"), instance("second")
    with first, second:
        # Xero is connected after the servers started (a desk handed its tokens over).
        connect_with_token(server.ctx, fake, vault)
        xero = ConnectedClinic(
            server.ctx, clinic_on_server, fake, vault, channel_for(server.database, fake, vault)
        )
        invoice = invoiced(xero)
        _until(  # contact and invoice sent, and both instances' Xero senders running
            xero_reports,
            lambda reports: (
                sum(r.delivered for _, r in reports) >= 2 and len({n for n, _ in reports}) == 2
            ),
        )
        _until(
            message_reports,
            lambda reports: (
                sum(r.emails_sent for r in reports) >= 2 and sum(r.sms_sent for r in reports) >= 2
            ),
        )
        for senders in (first, second):  # another pass each: nothing goes twice
            senders.messages.wake()
        _until(message_reports, lambda reports: len(reports) >= 2)
    assert Counter(i.invoice_number for i in fake.state.invoices.values()) == {invoice.number: 1}
    # Two appointments (the reminder's and the invoiced one), each reminded once per channel.
    emails = Counter((tuple(mail.rcpt_tos), mail.subject) for mail in m.smtp.received)
    assert len(emails) == 2 and set(emails.values()) == {1}, emails
    texts = Counter((sms.to, sms.text) for sms in sms_gateway.sent)
    assert len(texts) == 2 and set(texts.values()) == {1}, texts


def _until(reports: queue.Queue[Report], done: Callable[[list[Report]], bool]) -> None:
    """Collect reports until `done` holds; a sender that never gets there fails the test."""
    seen: list[Report] = []
    while not done(seen):
        try:
            seen.append(reports.get(timeout=WAIT))
        except queue.Empty:
            pytest.fail(f"the senders stopped short: {seen}")
