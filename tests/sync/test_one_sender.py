"""One Xero sender per clinic: desks' offline money reaches Xero once, from the server."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.outbox import Channel, JobState
from desktop.services import billing
from desktop.services.outbox_dispatch import drain
from desktop.store.billing_models import InvoiceRow, PaymentRow
from desktop.store.outbox import OutboxQueue
from desktop.sync import remote_xero
from desktop.sync.client import ServerProtocolError
from desktop.xero.tokens import KeyringVault
from tests.fakes.xero import XeroFake
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import ServerSide, make_desk
from tests.sync.test_convergence import converged
from tests.sync.test_money_sync import offline_day, pass_of
from tests.xero.conftest import (  # noqa: F401 - the Xero double's fixtures
    MemoryKeyring,
    _openapi_loaded,
    channel_for,
    connect_with_token,
    fake,
    memory_keyring,
)

pytestmark = pytest.mark.postgres


def test_desks_money_reaches_xero_exactly_once_from_the_server(
    tmp_path: Path,
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    fake: XeroFake,  # noqa: F811
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    vault = KeyringVault()
    connect_with_token(server.ctx, fake, vault)  # the clinic's one connection: on the server
    channel = channel_for(server.database, fake, vault)
    front, back = (make_desk(tmp_path, name, server) for name in ("front", "back"))
    try:
        c = clinic_on_server
        package = pass_of(front, c, 5)
        for desk in (front, back, front):
            desk.sync()
        _, part, _ = offline_day(front, back, c, package)
        assert not OutboxQueue(front.database).jobs()  # desks queue nothing for Xero
        assert not OutboxQueue(back.database).jobs()
        for desk in (front, back, front):
            desk.sync()
        queue = OutboxQueue(server.database)
        for _ in range(10):  # the server's one worker, until nothing is due
            if not drain(queue, channel, fake.clock.now).attempted:
                break
        states = Counter(job.state for job in queue.jobs(Channel.XERO))
        assert set(states) == {JobState.DONE}, queue.jobs(Channel.XERO)

        with server.database.reading() as session:
            invoices = list(session.execute(select(InvoiceRow.number)).scalars())
            payments = list(session.execute(select(PaymentRow.number)).scalars())
        in_xero = Counter(i.invoice_number for i in fake.state.invoices.values())
        assert in_xero == Counter(invoices)  # each invoice once
        references = Counter(
            p.reference for p in fake.state.payments.values() if p.target_kind == "invoice"
        )
        assert references == Counter(payments)  # each payment once
        assert len(fake.state.prepayments) == 2 and len(fake.state.credit_notes) == 1
        assert len(fake.state.allocations) == 1
        # A desk shows the server's queue, and can press Retry on it, through the API.
        shown = front.api.xero_queue()
        assert (shown["connection"], shown["badge"]) == ("connected", "Xero: up to date")
        assert shown["counts"] == {"done": sum(states.values())}
        assert remote_xero.badge(back.api) == "Xero: up to date"  # the desk's status bar
        with pytest.raises(ServerProtocolError, match="already been sent"):
            back.api.retry_xero_job(str(queue.jobs(Channel.XERO)[0].id))
        # The Xero ids the sender wrote come down to the desks with the next pull.
        front.sync()
        back.sync()
        assert billing.get_invoice(front.ctx, part.id).xero_invoice_id
        converged(server, front, back)
    finally:
        front.close()
        back.close()
