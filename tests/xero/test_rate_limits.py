"""Xero's limits: 60 calls a minute (here smaller, to keep tests short), a daily cap,
and 429 storms with Retry-After. Nothing is lost or sent twice, and nothing really
sleeps: waiting moves the fake clock."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from desktop.domain.outbox import JobState
from desktop.xero.limiter import XeroLimiter
from desktop.xero.worker import build_channel
from tests.fakes.xero.sdk import make_sdk_client
from tests.xero.conftest import ConnectedClinic, endpoints_for
from tests.xero.helpers import invoiced, paid


@pytest.fixture(autouse=True)
def _no_real_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"something really slept for {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


def _small_limit_channel(xero: ConnectedClinic, per_minute: int) -> None:
    xero.fake.limits.minute = per_minute
    xero.channel = build_channel(
        xero.database,
        endpoints=endpoints_for(xero.fake),
        vault=xero.vault,
        clock=xero.fake.clock.now,
        sleep=lambda seconds: xero.fake.clock.advance(seconds),
        limiter=XeroLimiter(xero.fake.clock.now, per_minute=per_minute),
        timeout=(2.0, 5.0),
    )
    xero.channel.api.max_inline_wait = timedelta(minutes=2)


def _throttled(xero: ConnectedClinic) -> list[str]:
    return [r.outcome for r in xero.fake.requests if r.status == 429]


def test_a_busy_day_stays_inside_the_minute_limit(xero: ConnectedClinic) -> None:
    _small_limit_channel(xero, per_minute=4)
    invoices = [
        paid(xero, invoiced(xero, patient=i % 4, hour=8 + i % 10, minute=i // 10 * 5))
        for i in range(20)
    ]
    report = xero.sync_until_quiet()
    assert report.parked == 0, report.errors
    assert {job.state for job in xero.jobs()} <= {JobState.DONE, JobState.SUPERSEDED}
    assert _throttled(xero) == []
    calls = sorted(r.at for r in xero.fake.requests if "/api.xro/" in r.path)
    for i in range(len(calls) - 4):
        assert calls[i + 4] - calls[i] >= timedelta(minutes=1), "5 calls inside one minute"
    assert len(xero.fake.state.invoices) == 20
    assert all(xero.fake.invoice_by_number(i.number).status == "PAID" for i in invoices)


def test_calls_made_by_another_app_are_counted_from_xeros_headers(xero: ConnectedClinic) -> None:
    other = make_sdk_client(xero.fake)  # e.g. the clinic's bookkeeping add-on
    for _ in range(58):
        other.accounting.get_organisations(other.tenant_id, _request_timeout=other.timeout)
    invoices = [paid(xero, invoiced(xero, patient=i, hour=9 + i)) for i in range(3)]
    xero.sync_until_quiet()
    assert _throttled(xero) == []  # our limiter believed X-MinLimit-Remaining
    assert all(xero.fake.invoice_by_number(i.number).status == "PAID" for i in invoices)


def test_a_429_storm_waits_as_told_and_loses_nothing(xero: ConnectedClinic) -> None:
    invoices = [paid(xero, invoiced(xero, patient=i, hour=9 + i)) for i in range(3)]
    xero.fake.throttle_next(3, retry_after=45, problem="minute")
    first = xero.sync()
    assert first.retrying > 0 and first.delivered == 0
    waiting = xero.jobs(JobState.PENDING)
    assert any("rate limit" in job.last_error for job in waiting)
    xero.sync_until_quiet()
    assert {job.state for job in xero.jobs()} == {JobState.DONE}
    assert len(xero.fake.state.invoices) == 3
    for invoice in invoices:
        assert len(xero.fake.payments_for_invoice(xero.fake.invoice_by_number(invoice.number))) == 1
    throttled = [r for r in xero.fake.requests if r.status == 429]
    later = [r for r in xero.fake.requests if r.at > throttled[0].at and "/api.xro/" in r.path]
    # After Xero said "wait 45 s" we never called before the 45 s were up.
    assert min(r.at for r in later) - throttled[0].at >= timedelta(seconds=45)


def test_the_daily_cap_stops_calls_before_xero_refuses_them(xero: ConnectedClinic) -> None:
    invoices = [paid(xero, invoiced(xero, patient=i, hour=9 + i)) for i in range(2)]
    xero.fake.limits.day = 2  # as if the day's budget were nearly spent
    report = xero.sync()
    assert report.parked == 0 and report.retrying > 0
    assert _throttled(xero) == []  # X-DayLimit-Remaining: 0 stopped us first
    retried = [job for job in xero.jobs(JobState.PENDING) if job.attempts]
    assert retried and all(
        job.next_attempt_at - xero.now() >= timedelta(hours=1) for job in retried
    )
    xero.fake.limits.day = 5000  # a new day
    xero.sync_until_quiet()
    assert {job.state for job in xero.jobs()} == {JobState.DONE}
    for invoice in invoices:
        assert xero.fake.invoice_by_number(invoice.number).status == "PAID"


def test_a_daily_limit_429_waits_hours_without_freezing_the_worker(xero: ConnectedClinic) -> None:
    invoice = paid(xero, invoiced(xero))
    xero.fake.throttle_next(1, retry_after=5 * 3600, problem="day")
    started = xero.now()
    report = xero.sync()
    assert report.retrying > 0
    assert xero.now() - started < timedelta(minutes=2)  # did not wait out five hours inline
    retried = [job for job in xero.jobs(JobState.PENDING) if job.attempts]
    assert retried  # else the checks below would hold of nothing
    assert all(job.next_attempt_at - started >= timedelta(hours=5) for job in retried)
    assert any("daily" in job.last_error or "day" in job.last_error for job in retried)
    xero.sync_until_quiet()
    assert xero.fake.invoice_by_number(invoice.number).status == "PAID"
