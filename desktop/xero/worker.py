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
from desktop.xero.channel import XeroChannel
from desktop.xero.client import DEFAULT_TIMEOUT, XeroApi
from desktop.xero.endpoints import XeroEndpoints
from desktop.xero.identity import IdentityClient
from desktop.xero.limiter import XeroLimiter
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
        daily = xero_settings.read_connection(database).daily_call_limit
        limiter = XeroLimiter(clock, per_day=daily)
    api = XeroApi(keeper, limiter, endpoints.accounting_url, sleep, timeout=timeout)
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
) -> OutboxWorker | None:
    """For the desktop app: a daemon thread sending to Xero whenever work is due.

    None while Xero has never been connected. Call `wake()` on the worker after a
    change that queued Xero jobs (`Changes.outbox`), and `stop()` on exit.
    """
    if xero_settings.read_connection(database).state is xero_settings.ConnectionState.DISCONNECTED:
        return None
    channel = build_channel(database)
    worker = OutboxWorker(channel.queue, channel, system_clock, timedelta(seconds=30), on_report)
    worker.start()
    return worker
