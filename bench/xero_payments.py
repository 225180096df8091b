"""How many payments a clinic can push to Xero per minute, under Xero's real limits.

Runs the real connector (xero-python SDK, our limiter, the outbox) against the
local Xero test double with Xero's limits (60 calls a minute, 5 at once, 5,000 a
day) on the double's fake clock: waiting for the limit moves that clock instead
of sleeping, so "per minute" is per minute of Xero time, and the figures do not
depend on how fast this machine is. Wall-clock time is printed too.

The ceiling those limits allow is 60 calls/min x the batch size (payments per
call). Contacts and invoices are sent first and not counted.

    python bench/xero_payments.py [--payments 1500] [--batch 50]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keyring
from keyring.backend import KeyringBackend

from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.outbox import Channel, JobState
from desktop.services import billing, booking, xero_settings
from desktop.services.context import ServiceContext
from desktop.services.outbox_dispatch import drain
from desktop.store import migrate
from desktop.store.database import Database
from desktop.xero.channel import XeroChannel
from desktop.xero.endpoints import XeroEndpoints
from desktop.xero.tokens import KeyringVault, TokenSet
from desktop.xero.worker import build_channel
from tests.fakes.xero import XeroFake
from tests.helpers.clinic import make_clinic


class _MemoryKeyring(KeyringBackend):
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


def _invoices(ctx: ServiceContext, count: int) -> list:
    clinic = make_clinic(ctx)
    invoices = []
    for i in range(count):
        appointment = booking.book_appointment(
            ctx,
            booking.BookingRequest(
                clinic.clinic.id,
                clinic.alice.id,
                clinic.consult.id,
                clinic.at(7 + (i % 11), 5 * ((i // 11) % 12)),
                patient_id=clinic.patients[i % 4].id,
                override_double_booking=True,
            ),
        ).appointment
        invoices.append(billing.invoice_appointment(ctx, appointment.id)[0])
    return invoices


def connect(database: Database, fake: XeroFake) -> None:
    """What `frontdesk xero connect` leaves behind, with the token in a memory keyring."""
    keyring.set_keyring(_MemoryKeyring())
    tokens = TokenSet.from_response(fake.issue_token(), fake.clock.now())
    KeyringVault().save("bench", tokens)
    xero_settings.save_connection(
        database,
        client_id=fake.client_id,
        connection_key="bench",
        tenant_id=fake.tenant_id,
        tenant_name="Bench",
        token_expires_at=tokens.expires_at,
    )


def channel_for_bench(database: Database, fake: XeroFake) -> XeroChannel:
    """The real connector on the double's clock: waiting moves that clock."""
    return build_channel(
        database,
        endpoints=XeroEndpoints(fake.base_url, fake.base_url, fake.base_url),
        vault=KeyringVault(),
        clock=fake.clock.now,
        sleep=lambda seconds: fake.clock.advance(seconds),
    )


def run(payments: int, batch: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-bench-"))
    database = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
    migrate.upgrade(database)
    ctx = ServiceContext.for_system(database)
    fake = XeroFake(start=datetime.now(UTC) + timedelta(days=1), validate_requests=False)
    fake.start()
    try:
        connect(database, fake)
        invoices = _invoices(ctx, payments)
        channel = channel_for_bench(database, fake)
        channel.batch_size = batch
        channel.api.max_inline_wait = timedelta(hours=1)
        drain(channel.queue, channel, fake.clock.now, batch=batch)  # contacts and invoices
        for invoice in invoices:
            billing.take_payment(ctx, invoice.id, [Tender(invoice.total, PaymentMethod.EFTPOS)])
        calls_before = channel.api.calls
        throttled_before = sum(1 for r in fake.requests if r.status == 429)
        started_fake, started_wall = fake.clock.now(), time.perf_counter()
        report = drain(channel.queue, channel, fake.clock.now, batch=batch, max_batches=100_000)
        wall = time.perf_counter() - started_wall
        # Xero time used: until the limiter would let the next call go. (The last call
        # of a minute goes early in it; the minute is spent all the same.)
        wait, _ = channel.api.limiter.wait_needed()
        xero_minutes = (fake.clock.now() + wait - started_fake).total_seconds() / 60
        calls = channel.api.calls - calls_before
        done = channel.queue.counts(Channel.XERO).get(JobState.DONE, 0)
        paid = sum(1 for i in invoices if fake.invoice_by_number(i.number).status == "PAID")
        return {
            "payments": payments,
            "batch": batch,
            "delivered": report.delivered,
            "calls": calls,
            "throttled": sum(1 for r in fake.requests if r.status == 429) - throttled_before,
            "xero_minutes": xero_minutes,
            "per_minute": payments / xero_minutes,
            "ceiling": 60 * batch,
            "wall_seconds": wall,
            "paid_in_xero": paid,
            "jobs_done": done,
        }
    finally:
        fake.stop()
        database.dispose()
        shutil.rmtree(folder, ignore_errors=True)  # a bench leaves nothing behind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes", type=int, default=1, help="Xero minutes of work per batch size (default 1)"
    )
    parser.add_argument("--batch", type=int, default=50, help="largest batch (default 50)")
    args = parser.parse_args()
    print(
        f"{'payments':>9} {'batch':>5} {'calls':>6} {'429s':>5} {'Xero min':>9} "
        f"{'per min':>8} {'ceiling':>8} {'of ceiling':>10} {'wall s':>7}"
    )
    for batch in sorted({1, 10, args.batch}):
        # Enough payments to fill the limit for the given minutes at this batch size.
        count = 60 * batch * args.minutes
        result = run(count, batch)
        assert result["paid_in_xero"] == count, result  # nothing lost, nothing doubled
        share = result["per_minute"] / result["ceiling"]
        print(
            f"{count:>9} {batch:>5} {result['calls']:>6.0f} {result['throttled']:>5.0f} "
            f"{result['xero_minutes']:>9.2f} {result['per_minute']:>8.0f} "
            f"{result['ceiling']:>8.0f} {share:>10.0%} {result['wall_seconds']:>7.1f}"
        )


if __name__ == "__main__":
    main()
