"""Putting the connector together: the Xero channel for the outbox, a one-shot sync,
and the long-running worker that sits next to the server.

Everything time-related (clock, sleep) is injectable, so tests and the benchmark
run against the Xero fake on its own clock without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from desktop.services import xero_settings
from desktop.services.outbox_dispatch import DrainReport, OutboxWorker, drain
from desktop.store.database import Database
from desktop.store.outbox import OutboxQueue
from desktop.xero.call_slots import SharedCallSlots
from desktop.xero.channel import XeroChannel
from desktop.xero.client import DEFAULT_TIMEOUT, XeroApi
from desktop.xero.endpoints import XeroEndpoints
from desktop.xero.identity import IdentityClient
from desktop.xero.limiter import XeroLimiter, limiter_for
from desktop.xero.links import XeroLinks
from desktop.xero.token_keeper import TokenKeeper
from desktop.xero.tokens import TokenVault, default_vault

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


def system_clock() -> datetime:
    return datetime.now(UTC)


def build_channel(
    database: Database,
    *,
    endpoints: XeroEndpoints | None = None,
    vault: TokenVault | None = None,
    clock: Clock = system_clock,
    sleep: Sleep = time.sleep,
    http: httpx.Client | None = None,
    limiter: XeroLimiter | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    queue: OutboxQueue | None = None,
) -> XeroChannel:
    endpoints = endpoints or XeroEndpoints.from_environment()
    keeper = TokenKeeper(
        database, vault or default_vault(), IdentityClient(endpoints, http), clock, sleep
    )
    if limiter is None:
        connection = xero_settings.read_connection(database)
        limiter = limiter_for(connection.tenant_id, clock, per_day=connection.daily_call_limit)
    slots = SharedCallSlots(database, clock, sleep)
    api = XeroApi(keeper, limiter, endpoints.accounting_url, sleep, timeout=timeout, slots=slots)
    return XeroChannel(api, queue or OutboxQueue(database), XeroLinks(database))


def sync_once(channel: XeroChannel, clock: Clock = system_clock) -> DrainReport:
    """Send everything due now, then return (`frontdesk xero sync --once`)."""
    return drain(channel.queue, channel, clock)


def run_worker(
    channel: XeroChannel,
    stop: threading.Event,
    *,
    clock: Clock = system_clock,
    on_report: Callable[[DrainReport], None] | None = None,
    idle_poll: timedelta = timedelta(seconds=30),
) -> None:
    """Drain whenever work is due until `stop` is set (`frontdesk xero worker`)."""
    worker = OutboxWorker(channel.queue, channel, clock, idle_poll, on_report)
    worker.start()
    try:
        stop.wait()
    finally:
        worker.stop()


def start_background_worker(
    database: Database,
    on_report: Callable[[DrainReport], None] | None = None,
    *,
    build: Callable[[Database], XeroChannel] = build_channel,
) -> XeroBackgroundWorker:
    """For the desktop app: sends to Xero whenever work is due, from the moment Xero
    is connected — at launch, or later in the session (the first `wake()` after
    connecting starts it). Call `wake()` after a change that queued Xero jobs
    (`Changes.outbox`), and `stop()` on exit."""
    worker = XeroBackgroundWorker(database, on_report, build)
    worker.wake()
    return worker


class XeroBackgroundWorker:
    """An `OutboxWorker` for Xero that starts once there is a connection to send on."""

    def __init__(
        self,
        database: Database,
        on_report: Callable[[DrainReport], None] | None,
        build: Callable[[Database], XeroChannel],
    ) -> None:
        self.database = database
        self.on_report = on_report
        self.build = build
        self.running: OutboxWorker | None = None
        self._lock = threading.Lock()

    def wake(self) -> None:
        with self._lock:
            if self.running is None:
                state = xero_settings.read_connection(self.database).state
                if state is xero_settings.ConnectionState.DISCONNECTED:
                    return
                channel = self.build(self.database)
                self.running = OutboxWorker(
                    channel.queue, channel, system_clock, timedelta(seconds=30), self.on_report
                )
                self.running.start()
                return
        self.running.wake()

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            if self.running is not None:
                self.running.stop(timeout)
