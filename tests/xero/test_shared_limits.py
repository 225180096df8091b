"""Issue 13, defect 5: the desktop's Xero worker starts the moment Xero is connected;
one rate limiter per organisation in a process; the 5-at-once limit held across
processes sharing a database."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from datetime import timedelta

import pytest

from desktop.domain.outbox import JobState
from desktop.services.context import ServiceContext
from desktop.xero.call_slots import SLOT_LEASE, SharedCallSlots
from desktop.xero.tokens import KeyringVault
from desktop.xero.worker import start_background_worker
from tests.fakes.xero import XeroFake
from tests.helpers.clinic import make_clinic
from tests.xero.conftest import ConnectedClinic, MemoryKeyring, channel_for, connect_with_token
from tests.xero.helpers import invoiced, paid


def test_the_worker_starts_when_xero_is_connected_mid_session(
    ctx: ServiceContext, fake: XeroFake, memory_keyring: MemoryKeyring
) -> None:
    vault = KeyringVault()
    clinic = make_clinic(ctx)
    worker = start_background_worker(
        ctx.database, build=lambda database: channel_for(database, fake, vault)
    )
    try:
        assert worker.running is None  # nothing to send on yet
        connect_with_token(ctx, fake, vault)
        xero = ConnectedClinic(ctx, clinic, fake, vault, channel_for(ctx.database, fake, vault))
        invoice = paid(xero, invoiced(xero))

        worker.wake()  # what the window does after any change that queued Xero work

        assert worker.running is not None
        sent = threading.Event()
        for _ in range(4000):  # until the worker's thread is done, never a fixed sleep
            if xero.jobs() and not xero.jobs(JobState.PENDING, JobState.IN_FLIGHT):
                sent.set()
                break
            threading.Event().wait(0.01)
        assert sent.is_set()
        in_xero = fake.invoice_by_number(invoice.number)
        assert in_xero is not None and in_xero.status == "PAID"
    finally:
        worker.stop()


def test_every_channel_of_the_process_counts_calls_on_one_limiter(xero: ConnectedClinic) -> None:
    other = channel_for(xero.database, xero.fake, xero.vault)  # e.g. Sync now, Compare
    assert other.api.limiter is xero.channel.api.limiter


def test_five_calls_at_once_across_processes(xero: ConnectedClinic) -> None:
    tenant = xero.fake.tenant_id
    waits: list[float] = []

    def full(_seconds: float) -> None:
        waits.append(_seconds)
        raise _AllTaken

    desk = SharedCallSlots(xero.database, xero.now, full)  # the desktop app
    cron = SharedCallSlots(xero.database, xero.now, full)  # `frontdesk xero sync` beside it
    with ExitStack() as held:
        for _ in range(3):
            held.enter_context(desk.slot(tenant))
        for _ in range(2):
            held.enter_context(cron.slot(tenant))
        assert desk.held(tenant) == 5
        with pytest.raises(_AllTaken), cron.slot(tenant):
            pass
        assert waits  # the sixth call waited for a place
    with cron.slot(tenant):  # all given back
        assert cron.held(tenant) == 1


def test_a_killed_process_frees_its_places_when_the_lease_runs_out(xero: ConnectedClinic) -> None:
    tenant = xero.fake.tenant_id

    def wait(seconds: float) -> None:
        xero.fake.clock.advance(seconds)

    killed = SharedCallSlots(xero.database, xero.now, wait)
    stack = ExitStack()  # never closed: the process died holding its places
    for _ in range(5):
        stack.enter_context(killed.slot(tenant))
    survivor = SharedCallSlots(xero.database, xero.now, wait)
    started = xero.now()
    with survivor.slot(tenant):
        waited = xero.now() - started
    assert SLOT_LEASE <= waited < SLOT_LEASE + timedelta(seconds=1)


class _AllTaken(Exception):
    pass
