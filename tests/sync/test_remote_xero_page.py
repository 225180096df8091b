"""A desk's Xero page shows the server's queue and presses Retry there, through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.domain.outbox import Channel, JobState, Refused
from desktop.services import booking, xero_settings
from desktop.services.billing import invoice_appointment
from desktop.store.outbox import OutboxQueue
from desktop.sync.remote_xero import ServerXeroQueue
from desktop.ui.change_bus import ChangeBus
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.xero_page import XeroPage
from tests.helpers.background import settle
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import ServerSide, make_desk

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
        queue.settle(job, Refused(reason), now)
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
        assert page.connect_button.isHidden() and page.sync_button.isHidden()
        reasons = [page.table.item(row, 2).text() for row in range(page.table.rowCount())]
        assert set(REFUSALS) <= set(reasons)
        assert page.refused.number.text() == str(len(reasons))
        page.grab().save(str(tmp_path / "remote_xero_page.png"))

        # Retry the second row only: that job goes again on the server, the others wait.
        target = page.status.attention[1] if page.status else None
        assert target is not None and target.state is JobState.PARKED
        before = _server_states(server)
        button = page.table.cellWidget(1, 3).findChild(QPushButton)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        settle(qtbot)
        after = _server_states(server)
        assert after[target.id] is JobState.PENDING
        assert {k: v for k, v in after.items() if k != target.id} == {
            k: v for k, v in before.items() if k != target.id
        }
        assert page.table.rowCount() == len(reasons) - 1  # the page re-read the server
    finally:
        desk.close()
