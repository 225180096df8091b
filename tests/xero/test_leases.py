"""Issue 13, defect 2: a sender that dies holding jobs stalls nothing for long.

Its jobs' leases are short and renewed only while it lives; once they run out the
next sync takes the jobs over, and meanwhile the status says why they wait.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from desktop.domain.outbox import Channel, JobState
from desktop.services import xero_settings
from desktop.services.outbox_dispatch import LeaseHeartbeat
from desktop.store.outbox import OutboxQueue
from desktop.store.outbox_models import OutboxJobRow
from tests.helpers.clinic import ZONE
from tests.xero.conftest import ConnectedClinic
from tests.xero.helpers import invoiced, paid


def test_jobs_of_a_sender_that_died_go_within_seconds(xero: ConnectedClinic) -> None:
    invoice = paid(xero, invoiced(xero))
    dead_sender = OutboxQueue(xero.database)
    claimed = dead_sender.claim_due(Channel.XERO, xero.now())
    assert claimed  # ... and then the process was killed: nothing settles them
    assert xero.sync().delivered == 0  # the lease still stands

    xero.fake.clock.advance(31)
    xero.sync_until_quiet()

    assert not xero.jobs(JobState.PENDING, JobState.IN_FLIGHT, JobState.PARKED)
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"
    assert len(xero.fake.requests_to("/Invoices", "PUT")) == 1


def test_a_living_sender_keeps_renewing_its_leases(xero: ConnectedClinic) -> None:
    invoiced(xero)
    queue = OutboxQueue(xero.database)
    jobs = queue.claim_due(Channel.XERO, xero.now())
    first_lease = xero.now() + queue.lease
    renewed = threading.Event()
    with LeaseHeartbeat(queue, xero.now, interval=timedelta(milliseconds=5)) as heartbeat:
        heartbeat.hold(jobs)
        xero.fake.clock.advance(20)  # a slow call to Xero
        for _ in range(2000):  # until a beat lands (a few ms), never a fixed sleep
            leases = {job.id: _lease(xero, job.id) for job in jobs}
            if all(until is not None and until > first_lease for until in leases.values()):
                renewed.set()
                break
            threading.Event().wait(0.005)
    assert renewed.is_set()
    assert jobs
    held = {job.id for job in jobs}
    states = {job.state for job in queue.jobs(Channel.XERO) if job.id in held}
    assert states == {JobState.IN_FLIGHT}


def _lease(xero: ConnectedClinic, job_id: object) -> datetime | None:
    with xero.database.reading() as session:
        row = session.get(OutboxJobRow, job_id)
        assert row is not None
        return row.claimed_until


def test_the_status_says_a_stopped_sender_holds_jobs_and_when_they_go(
    xero: ConnectedClinic,
) -> None:
    invoiced(xero)
    now = datetime.now(UTC)
    claimed = OutboxQueue(xero.database).claim_due(Channel.XERO, now)
    assert claimed
    # The sender last renewed its leases 20 s ago, then stopped.
    retry_at = now + timedelta(seconds=10)
    with xero.database.write_session() as session:
        session.execute(update(OutboxJobRow).values(claimed_until=retry_at))
        session.commit()

    status = xero_settings.queue_status(xero.ctx)

    local = retry_at.astimezone(ZONE)
    expected = f"{len(claimed)} held by a sender that stopped; retrying at {local:%H:%M}"
    assert status.stalled_note == expected
    assert expected in xero_settings.badge_text(status)
