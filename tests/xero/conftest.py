"""A clinic connected to the Xero test double, with everything on the fake's clock.

`XeroFake` (tests/fakes/xero) is a double of *Xero*; our connector runs for real
against it, through the real xero-python SDK. Nothing sleeps: the connector's
clock is the fake's clock, and its `sleep` moves that clock forward.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import keyring
import pytest
from keyring.backend import KeyringBackend

from desktop.domain.outbox import Channel, JobState, OutboxJob
from desktop.services import xero_settings
from desktop.services.context import ServiceContext
from desktop.services.outbox_dispatch import DrainReport, drain
from desktop.store.database import Database
from desktop.store.outbox import OutboxQueue
from desktop.xero.channel import XeroChannel
from desktop.xero.endpoints import XeroEndpoints
from desktop.xero.tokens import KeyringVault, TokenSet
from desktop.xero.worker import build_channel
from tests.fakes.xero import XeroFake
from tests.fakes.xero.openapi_check import warm_up
from tests.helpers.clinic import ClinicFixture, make_clinic


class MemoryKeyring(KeyringBackend):
    """An OS keyring that lives in memory (the test machine has none)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def _openapi_loaded() -> None:
    warm_up()


@pytest.fixture
def fake(_openapi_loaded: None) -> Iterator[XeroFake]:
    # Ahead of the wall clock, so jobs queued "now" are already due on the fake clock.
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    xero = XeroFake(start=start)
    xero.start()
    try:
        yield xero
    finally:
        xero.stop()
    assert not xero.server_errors, f"the Xero fake crashed: {xero.server_errors[0]!r}"
    xero.assert_no_schema_violations()
    # Xero has it but the fake does not: the test would pass on a made-up answer.
    unhandled = [f"{r.method} {r.path}" for r in xero.unhandled_requests]
    assert not unhandled, f"calls the Xero fake does not implement: {unhandled}"


def endpoints_for(fake: XeroFake) -> XeroEndpoints:
    return XeroEndpoints(fake.base_url, fake.base_url, fake.base_url)


@dataclass
class ConnectedClinic:
    ctx: ServiceContext
    clinic: ClinicFixture
    fake: XeroFake
    vault: KeyringVault
    channel: XeroChannel
    # The backoff's jitter; a seeded one makes a run with random faults reproducible.
    rng: random.Random | None = None

    @property
    def database(self) -> Database:
        return self.ctx.database

    @property
    def queue(self) -> OutboxQueue:
        return self.channel.queue

    def now(self) -> datetime:
        return self.fake.clock.now()

    def sync(self) -> DrainReport:
        """What the worker does when woken: send everything due now."""
        return drain(self.queue, self.channel, self.now, rng=self.rng)

    def sync_until_quiet(self, rounds: int = 20) -> DrainReport:
        """Keep draining, moving the clock past each backoff, until nothing is due."""
        total = DrainReport()
        for _ in range(rounds):
            report = self.sync()
            total.delivered += report.delivered
            total.parked += report.parked
            total.errors += report.errors
            if report.attempted:
                continue
            # Nothing was due: move the clock to the next backoff, if any.
            later = [j.next_attempt_at for j in self.jobs(JobState.PENDING)]
            later = [when for when in later if when > self.now()]
            if not later:
                break
            self.fake.clock.set(min(later))
        return total

    def rebuild_channel(self, read_timeout: float = 5.0) -> XeroChannel:
        """A fresh channel (as another worker process would build), e.g. with a
        short read timeout for tests that make Xero hold its answer."""
        self.channel = channel_for(self.ctx.database, self.fake, self.vault, read_timeout)
        return self.channel

    def jobs(self, *states: JobState) -> list[OutboxJob]:
        return self.queue.jobs(Channel.XERO, list(states) if states else None)


def connect_with_token(ctx: ServiceContext, fake: XeroFake, vault: KeyringVault) -> None:
    """What `frontdesk xero connect` leaves behind, without the browser dance."""
    tokens = TokenSet.from_response(fake.issue_token(), fake.clock.now())
    vault.save("test-connection", tokens)
    xero_settings.save_connection(
        ctx.database,
        client_id=fake.client_id,
        connection_key="test-connection",
        tenant_id=fake.tenant_id,
        tenant_name="Frontdesk Test Clinic",
        token_expires_at=tokens.expires_at,
    )


@pytest.fixture
def xero(ctx: ServiceContext, fake: XeroFake, memory_keyring: MemoryKeyring) -> ConnectedClinic:
    vault = KeyringVault()
    connect_with_token(ctx, fake, vault)
    clinic = make_clinic(ctx)
    return ConnectedClinic(ctx, clinic, fake, vault, channel_for(ctx.database, fake, vault))


def channel_for(
    database: Database, fake: XeroFake, vault: KeyringVault, read_timeout: float = 5.0
) -> XeroChannel:
    return build_channel(
        database,
        endpoints=endpoints_for(fake),
        vault=vault,
        clock=fake.clock.now,
        sleep=lambda seconds: fake.clock.advance(seconds),
        timeout=(2.0, read_timeout),
    )
