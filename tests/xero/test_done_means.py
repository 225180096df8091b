"""Issue 13, "Done means": with Xero's faults on (5xx, lost answers, 429s, tokens that
live 20 s) and a `frontdesk xero sync` killed with SIGKILL mid-send, the queue drains
within two minutes of Xero time and the books are right: every live session invoice
PAID, the cancelled one voided with no allocation left, credit equal on both sides,
nothing twice, and `frontdesk xero reconcile` exits 0.

The killed sender is a real subprocess; everything after it runs in this process on
the Xero double's clock (its waits move that clock; nothing sleeps).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from desktop.domain.appointments import CancellationReason
from desktop.domain.outbox import JobState
from desktop.services import booking, credit
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.credit.test_credit_xero import _prepayment_credit
from tests.xero.conftest import ConnectedClinic
from tests.xero.helpers import invoiced, paid
from tests.xero.test_cli import cli_clinic, database, frontdesk

__all__ = ["cli_clinic", "database"]


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


def test_faults_and_a_killed_sender_still_end_with_the_right_books(
    cli_clinic: ConnectedClinic, tmp_path: Path
) -> None:
    xero, fake = cli_clinic, cli_clinic.fake
    clinic, ctx = xero.clinic, xero.ctx
    tokens = tmp_path / "xero-tokens.json"
    fake.identity.access_lifetime = 20  # every token dies within a few calls

    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=10))
    sessions = [book_class(ctx, clinic, week) for week in range(6)]
    class_invoices = [invoice_class(ctx, clinic, session) for session in sessions]
    consults = [paid(xero, invoiced(xero, patient=p, hour=9 + p)) for p in (1, 2)]

    _killed_mid_send(xero, tokens)

    started = xero.now()
    fake.throttle_next(3, retry_after=2, problem="minute")
    fake.fail_next(2, status=503, path="/Allocations")
    fake.fail_next(1, status=500, path="/BankTransactions")
    fake.drop_connection_next(1, after_commit=True, path="/Payments", method="PUT")
    fake.drop_connection_next(1, after_commit=True, path="/Allocations", method="PUT")
    xero.sync_until_quiet(rounds=60)

    # The patient cancels a class paid from the pass: its allocation comes off in
    # Xero (a reply the SDK cannot read) and the invoice is voided.
    cancelled = class_invoices.pop(2)
    booking.cancel_attendance(ctx, sessions[2], clinic.patients[0].id, CancellationReason.SICK)
    fake.throttle_next(2, retry_after=2, problem="minute")
    fake.drop_connection_next(1, after_commit=True, path="/Allocations/", method="DELETE")
    xero.sync_until_quiet(rounds=60)

    assert xero.now() - started <= timedelta(minutes=2)
    assert not xero.jobs(JobState.PENDING, JobState.IN_FLIGHT, JobState.PARKED, JobState.HELD)
    assert sum(1 for r in fake.requests if r.status == 429) == 5
    for invoice in [*class_invoices, *consults]:
        in_xero = fake.invoice_by_number(invoice.number)
        assert in_xero is not None and in_xero.status == "PAID", invoice.number
    voided = fake.invoice_by_number(cancelled.number)
    assert voided is not None and voided.status == "VOIDED"
    assert not [
        a
        for a in fake.state.allocations.values()
        if a.invoice_id == voided.invoice_id and not a.is_deleted
    ]
    left = credit.patient_credit(ctx, clinic.patients[0].id).balance
    assert left.cents == 45000 - 5 * 4500
    assert _prepayment_credit(xero, lot.id) == Decimal(left.cents) / 100
    # Nothing twice: one invoice per number, one credit per lot, one payment per consult.
    numbers = Counter(i.invoice_number for i in fake.state.invoices.values())
    assert all(count == 1 for count in numbers.values()), numbers
    references = Counter(b.reference for b in fake.state.bank_transactions.values())
    assert references == Counter({"FDC-000001": 1})
    for consult in consults:
        in_xero = fake.invoice_by_number(consult.number)
        assert len(fake.payments_for_invoice(in_xero)) == 1

    result = frontdesk(xero.database, fake, tokens, "reconcile")
    assert result.returncode == 0, result.stdout + result.stderr
