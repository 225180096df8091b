"""A desk's Xero page shows the server's queue and presses Retry there, through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.domain.outbox import Channel, JobState, Refused
from desktop.services import booking, xero_settings
from desktop.services.billing import invoice_appointment
from desktop.services.outbox_dispatch import drain
from desktop.services.xero_settings import ConnectionState
from desktop.store.outbox import OutboxQueue
from desktop.sync.client import ServerProtocolError
from desktop.sync.remote_xero import ServerXeroQueue
from desktop.ui.change_bus import ChangeBus
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.xero_page import XeroPage
from desktop.xero.connect import authorize
from desktop.xero.identity import Tenant
from desktop.xero.tokens import KeyringVault, TokenSet
from tests.fakes.xero import XeroFake
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import ServerSide, make_desk
from tests.xero.conftest import (  # noqa: F401 - the Xero double's fixtures
    MemoryKeyring,
    _openapi_loaded,
    channel_for,
    endpoints_for,
    fake,
    memory_keyring,
)

pytestmark = pytest.mark.postgres

REFUSALS = ("Account code '200' has been archived", "The contact is archived")


def _refused_invoices_on_server(server: ServerSide, c: ClinicFixture) -> None:
    """Two patients invoiced on the server; Xero refused both contacts."""
    xero_settings.save_connection(
        server.database,
        client_id="client",
        connection_key="server-connection",
        tenant_id="tenant",
        tenant_name="Harbour Physio Pty Ltd",
    )
    for patient in (0, 1):
        booked = booking.book_appointment(
            server.ctx,
            booking.BookingRequest(
                c.clinic.id,
                c.alice.id,
                c.consult.id,
                c.at(9 + patient),
                patient_id=c.patients[patient].id,
            ),
        )
        invoice_appointment(server.ctx, booked.appointment.id)
    queue = OutboxQueue(server.database)
    now = server.clock.now()
    claimed = queue.claim_due(Channel.XERO, now)
    contacts = [job for job in claimed if job.stage == min(j.stage for j in claimed)]
    assert len(contacts) == 2
    for job, reason in zip(contacts, REFUSALS, strict=True):
        queue.settle(job, Refused(reason, theirs=True), now)  # as Xero says it
    for job in claimed:
        if job not in contacts:
            queue.settle(job, Refused("waits for its contact"), now)


def _server_states(server: ServerSide) -> dict[object, JobState]:
    return {job.id: job.state for job in OutboxQueue(server.database).jobs(Channel.XERO)}


def test_a_desk_shows_the_servers_xero_queue_and_retries_there(
    qtbot, tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    _refused_invoices_on_server(server, clinic_on_server)
    desk = make_desk(tmp_path, "front", server)
    try:
        desk.sync()
        assert not OutboxQueue(desk.database).jobs()  # nothing of Xero's on the desk
        page = XeroPage(
            ServiceCaller(desk.ctx, ChangeBus(), None), source=lambda: ServerXeroQueue(desk.api)
        )
        qtbot.addWidget(page)
        page.resize(1000, 640)
        settle(qtbot)
        assert page.state.text() == (
            "Connected to Harbour Physio Pty Ltd (sent from the clinic's server)"
        )
        assert page.sync_button.isHidden() and page.accounts_button.isHidden()
        assert page.connect_button.text() == "Reconnect…"  # hands new tokens to the server
        rows = [
            tuple(page.table.item(row, column).text() for column in range(1, 4))
            for row in range(page.table.rowCount())
        ]
        # Xero's words under "Xero said"; the invoices waiting on a refused contact carry
        # our note instead.
        assert {said for status, said, _note in rows if status == "Refused"} == set(REFUSALS)
        waiting = [note for status, said, note in rows if status == "Waiting" and not said]
        assert len(waiting) == 2 and all(n.startswith("Waits for Contact") for n in waiting)
        assert page.refused.number.text() == "2"
        page.grab().save(str(tmp_path / "remote_xero_page.png"))

        # Retry the second row only: that job goes again on the server, the others wait.
        target = page.status.attention[1] if page.status else None
        assert target is not None and target.state is JobState.PARKED
        before = _server_states(server)
        button = page.table.cellWidget(1, 4).findChild(QPushButton)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        settle(qtbot)
        after = _server_states(server)
        assert after[target.id] is JobState.PENDING
        assert {k: v for k, v in after.items() if k != target.id} == {
            k: v for k, v in before.items() if k != target.id
        }
        # The page re-read the server: that contact and the invoice waiting on it are off.
        assert page.table.rowCount() == len(rows) - 2
    finally:
        desk.close()


def test_connecting_xero_at_a_desk_hands_the_tokens_to_the_server(
    tmp_path: Path,
    server: ServerSide,
    clinic_on_server: ClinicFixture,
    fake: XeroFake,  # noqa: F811
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    server.add_user("clerk")  # a receptionist
    desk = make_desk(tmp_path, "front", server)
    clerk_desk = make_desk(tmp_path, "back", server, username="clerk")
    try:

        def sign_in_at_xero(client_id: str) -> tuple[TokenSet, Tenant]:
            return authorize(
                client_id,
                endpoints=endpoints_for(fake),
                open_browser=fake.open_in_browser,
                port=0,
                timeout=10,
                clock=fake.clock.now,
            )

        with pytest.raises(ServerProtocolError, match="Only an administrator can connect Xero"):
            ServerXeroQueue(clerk_desk.api).connect(fake.client_id, sign_in_at_xero)
        assert not memory_keyring.entries
        name = ServerXeroQueue(desk.api).connect(fake.client_id, sign_in_at_xero)

        assert name == "Frontdesk Test Clinic"  # the Xero double's one organisation
        connection = xero_settings.read_connection(server.database)
        assert connection.state is ConnectionState.CONNECTED
        assert connection.tenant_id == fake.tenant_id
        # The tokens are kept on the server machine only: the desk has no connection.
        assert xero_settings.read_connection(desk.database).state is ConnectionState.DISCONNECTED
        stored = KeyringVault().load(connection.connection_key)
        assert stored is not None and stored.refresh_token
        # ... and the server's sender sends with them.
        c = clinic_on_server
        booked = booking.book_appointment(
            server.ctx,
            booking.BookingRequest(
                c.clinic.id, c.alice.id, c.consult.id, c.at(9), patient_id=c.patients[0].id
            ),
        )
        invoice, _ = invoice_appointment(server.ctx, booked.appointment.id)
        channel = channel_for(server.database, fake, KeyringVault())
        while drain(channel.queue, channel, fake.clock.now).attempted:
            pass
        assert fake.invoice_by_number(invoice.number) is not None
        assert ServerXeroQueue(desk.api).status().connection.client_id == fake.client_id
    finally:
        desk.close()
        clerk_desk.close()
