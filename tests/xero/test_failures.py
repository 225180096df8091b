"""Xero on a bad day: 5xx, timeouts, dropped connections, a worker that dies mid-call.
Every job gets through in the end, and nothing is created twice in Xero."""

from __future__ import annotations

import random
from datetime import timedelta

from desktop.domain.outbox import Channel, JobState
from desktop.services.outbox_dispatch import drain
from tests.xero.conftest import ConnectedClinic
from tests.xero.helpers import invoiced, paid


def test_5xx_is_retried_with_backoff_then_delivered(xero: ConnectedClinic) -> None:
    invoice = paid(xero, invoiced(xero))
    xero.fake.fail_next(3, status=503, path="/Contacts")  # the call and both second tries
    report = drain(xero.queue, xero.channel, xero.now, rng=random.Random(3))
    # One batched call carried the clinic's four new contacts; it failed as a whole.
    assert report.retrying == 4 and report.delivered == 0
    retried = [job for job in xero.jobs(JobState.PENDING) if job.attempts]
    assert {job.kind for job in retried} == {"xero.contact"} and len(retried) == 4
    for job in retried:
        assert "503" in job.last_error
        wait = job.next_attempt_at - xero.now()
        assert timedelta(seconds=7) <= wait <= timedelta(seconds=15)  # first backoff, jittered
    # The invoice and the payment were not tried: they wait on the contact.
    assert {j.kind for j in xero.jobs(JobState.PENDING) if not j.attempts} == {
        "xero.invoice",
        "xero.payment",
    }
    xero.sync_until_quiet()
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"
    assert len(xero.fake.state.contacts) == 4


def test_a_hiccup_is_tried_again_within_the_call_with_the_same_key(
    xero: ConnectedClinic,
) -> None:
    """A 503, then an answer lost after Xero saved the invoice: both are over within
    the round, and the second try is answered from Xero's memory of the key."""
    invoice = invoiced(xero)
    xero.fake.fail_next(1, status=503, path="/Contacts", method="PUT")
    xero.fake.drop_connection_next(1, after_commit=True, path="/Invoices", method="PUT")
    started = xero.now()
    report = xero.sync()
    assert report.retrying == 0 and not xero.jobs(JobState.PENDING)  # 4 contacts, 1 invoice
    assert report.delivered == 5
    assert xero.now() - started == timedelta(seconds=2)  # a 1 s pause before each try
    puts = xero.fake.requests_to("/Invoices", "PUT")
    assert [r.outcome for r in puts] == ["fault:drop-after-commit", "replayed"]
    assert len({r.idempotency_key for r in puts}) == 1
    assert not xero.fake.requests_to("/Invoices", "GET")  # nothing to look up
    assert len(xero.fake.state.invoices) == 1
    assert xero.fake.invoice_by_number(invoice.number) is not None


def test_a_timeout_after_xero_applied_the_call_does_not_duplicate(xero: ConnectedClinic) -> None:
    invoice = paid(xero, invoiced(xero))
    xero.rebuild_channel(read_timeout=0.3)
    # Xero saves the payment but holds its answer longer than we wait for it.
    xero.fake.delay_response_next(1, seconds=5, path="/Payments", method="PUT")
    report = xero.sync()
    assert report.retrying == 1
    [waiting] = xero.jobs(JobState.PENDING)
    assert "did not answer" in waiting.last_error
    xero.fake.release_delayed_responses()
    xero.sync_until_quiet()
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"
    references = [p.reference for p in xero.fake.payments_for_invoice(in_xero)]
    assert references == [f"{invoice.number}-P1"]


def test_a_dropped_connection_after_commit_is_found_not_recreated(xero: ConnectedClinic) -> None:
    invoices = [invoiced(xero, patient=i % 3, hour=9 + i) for i in range(3)]
    xero.channel.api.hiccup_pauses = ()  # the round ends at the drop: the next one looks
    xero.fake.drop_connection_next(1, after_commit=True, path="/Invoices", method="PUT")
    xero.sync_until_quiet()
    for invoice in invoices:
        assert xero.fake.invoice_by_number(invoice.number) is not None
    assert len(xero.fake.state.invoices) == 3
    lookups = xero.fake.requests_to("/Invoices", "GET")
    assert lookups, "the retry asked Xero before creating again"


def test_a_worker_that_dies_before_recording_the_outcome_duplicates_nothing(
    xero: ConnectedClinic,
) -> None:
    invoice = invoiced(xero)
    xero.sync()  # the contact and the invoice are in Xero
    paid(xero, invoice, 3000, 6000)
    # A worker claims the payments, Xero takes them, then the worker dies: no settle.
    claimed = xero.queue.claim_due(Channel.XERO, xero.now())
    assert {job.kind for job in claimed} == {"xero.payment"}
    outcomes = list(xero.channel.deliver(claimed))
    assert len(outcomes) == 2
    assert xero.sync().attempted == 0  # still leased to the dead worker
    xero.fake.clock.advance(minutes=6)  # the lease runs out; another worker takes over
    report = xero.sync()
    assert report.delivered == 2
    payments = xero.fake.payments_for_invoice(xero.fake.invoice_by_number(invoice.number))
    assert sorted(p.reference for p in payments) == [f"{invoice.number}-P1", f"{invoice.number}-P2"]


def test_a_worker_that_dies_before_xero_answers_duplicates_nothing(
    xero: ConnectedClinic,
) -> None:
    invoice = invoiced(xero)
    xero.sync()
    paid(xero, invoice)
    claimed = xero.queue.claim_due(Channel.XERO, xero.now())
    # The request reaches Xero and is saved, but the answer never comes back to
    # this worker (it died): nothing is remembered.
    xero.channel.api.hiccup_pauses = ()
    xero.fake.drop_connection_next(1, after_commit=True, path="/Payments", method="PUT")
    list(xero.channel.deliver(claimed))
    xero.fake.clock.advance(minutes=10)  # past the lease and Xero's idempotency memory
    xero.sync_until_quiet()
    payments = xero.fake.payments_for_invoice(xero.fake.invoice_by_number(invoice.number))
    assert len(payments) == 1
