"""Issue 13, "Done means": a bad day at Xero and a killed sender still end with the
right books.

A `frontdesk xero sync` (a real subprocess) is killed with SIGKILL while Xero holds
its answer. Then, with Xero failing at random as on a bad day (5% server errors, 5%
answers lost after Xero applied the call, 5% 429s with Retry-After 2 s, access
tokens that live 20 s), the queue drains within two minutes of Xero time and the
books are right: every live session invoice PAID, the cancelled one voided with no
allocation left, credit equal on both sides, nothing twice, and
`frontdesk xero reconcile` exits 0.

The faults and the backoff's jitter come from seeded generators, so a run is the
same every time; a second seed runs the same day with other faults. Everything
after the kill runs in this process on the Xero double's clock (its waits move
that clock; nothing sleeps).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.domain.appointments import CancellationReason
from desktop.domain.outbox import JobState
from desktop.services import booking, credit
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.credit.test_credit_xero import _prepayment_credit
from tests.xero.conftest import ConnectedClinic
from tests.xero.helpers import invoiced, paid
from tests.xero.test_cli import cli_clinic, database, frontdesk

__all__ = ["cli_clinic", "database"]

# Two bad days. Seeds 1-24 were all tried locally: each drained within the two
# minutes (the slowest in 37 s of Xero time) with the right books. These two meet
# every kind of fault; the second meets the most.
SEEDS = [15, 12]


def _killed_mid_send(xero: ConnectedClinic, tokens: Path) -> None:
    """`frontdesk xero sync` sends the first invoices; Xero takes them, and the
    process is killed before it reads the answer."""
    fake = xero.fake
    fake.delay_response_next(1, seconds=60, after_commit=True, path="/Invoices", method="PUT")
    env = {
        **os.environ,
        "FRONTDESK_XERO_API_URL": fake.base_url,
        "FRONTDESK_XERO_IDENTITY_URL": fake.base_url,
        "FRONTDESK_XERO_TOKEN_FILE": str(tokens),
        "QT_QPA_PLATFORM": "offscreen",
    }
    command = [sys.executable, "-m", "desktop", "--database-url", xero.database.url, "xero", "sync"]
    sender = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert fake.wait_until_response_held(timeout=60), "the sender never reached Xero"
        sender.send_signal(signal.SIGKILL)
        assert sender.wait(timeout=30) == -signal.SIGKILL
    finally:
        if sender.poll() is None:
            sender.kill()
        fake.release_delayed_responses()
    assert xero.jobs(JobState.IN_FLIGHT)  # what it held, leased and never settled


@pytest.mark.parametrize("seed", SEEDS)
def test_random_faults_and_a_killed_sender_still_end_with_the_right_books(
    cli_clinic: ConnectedClinic, tmp_path: Path, seed: int
) -> None:
    xero, fake = cli_clinic, cli_clinic.fake
    clinic, ctx = xero.clinic, xero.ctx
    tokens = tmp_path / "xero-tokens.json"
    fake.identity.access_lifetime = 20  # every token dies within a few calls

    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=10))
    sessions = [book_class(ctx, clinic, week) for week in range(6)]
    class_invoices = [invoice_class(ctx, clinic, session) for session in sessions]
    lot2 = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=4), patient=3)
    for week in range(4):
        invoice_class(ctx, clinic, book_class(ctx, clinic, week, patient=3), patient=3)
    consults = [
        paid(xero, invoiced(xero, patient=p, hour=8 + 2 * p + half, minute=0))
        for p in (1, 2, 3)
        for half in (0, 1)
    ]

    _killed_mid_send(xero, tokens)

    # The kill happened on a quiet line, so the sender surely reached Xero; the bad
    # day starts now, for everything that follows.
    started = xero.now()
    xero.rng = random.Random(seed)
    faults = fake.fail_at_random(
        seed=seed, server_errors=0.05, lost_responses=0.05, throttles=0.05, retry_after=2
    )
    xero.sync_until_quiet(rounds=200)

    # The patient cancels a class paid from the pass: its allocation comes off in
    # Xero (a reply the SDK cannot read) and the invoice is voided.
    cancelled = class_invoices.pop(2)
    booking.cancel_attendance(ctx, sessions[2], clinic.patients[0].id, CancellationReason.SICK)
    xero.sync_until_quiet(rounds=200)
    fake.clear_faults()

    assert xero.now() - started <= timedelta(minutes=2), xero.now() - started
    assert not xero.jobs(JobState.PENDING, JobState.IN_FLIGHT, JobState.PARKED, JobState.HELD)

    for invoice in [*class_invoices, *consults]:
        in_xero = fake.invoice_by_number(invoice.number)
        assert in_xero is not None and in_xero.status == "PAID", invoice.number
    voided = fake.invoice_by_number(cancelled.number)
    assert voided is not None and voided.status == "VOIDED"
    assert not fake.state.live_allocations_to_invoice(voided.invoice_id)
    left = credit.patient_credit(ctx, clinic.patients[0].id).balance
    assert left.cents == 45000 - 5 * 4500
    assert _prepayment_credit(xero, lot.id) == Decimal(left.cents) / 100
    assert credit.patient_credit(ctx, clinic.patients[3].id).balance.cents == 0
    assert _prepayment_credit(xero, lot2.id) == 0

    # Nothing twice: one contact per patient, one invoice per number, one credit per
    # lot, one payment per consult, one allocation per class.
    contacts = Counter(c.contact_number for c in fake.state.contacts.values())
    assert all(count == 1 for count in contacts.values()), contacts
    numbers = Counter(i.invoice_number for i in fake.state.invoices.values())
    assert all(count == 1 for count in numbers.values()), numbers
    references = Counter(b.reference for b in fake.state.bank_transactions.values())
    assert references == Counter({"FDC-000001": 1, "FDC-000002": 1})
    for consult in consults:
        in_xero = fake.invoice_by_number(consult.number)
        assert in_xero is not None and len(fake.payments_for_invoice(in_xero)) == 1
    for invoice in class_invoices:
        in_xero = fake.invoice_by_number(invoice.number)
        assert in_xero is not None
        assert len(fake.state.live_allocations_to_invoice(in_xero.invoice_id)) == 1

    # The accountant's check, run once the bad day is over.
    result = frontdesk(xero.database, fake, tokens, "reconcile")
    assert result.returncode == 0, result.stdout + result.stderr

    # The day was as bad as promised: every kind of fault was met.
    met = {"5xx" if kind[0] == "5" else kind for kind in faults.injected}
    assert met == {"5xx", "429", "lost response"}, faults.injected
