"""The shared outbox on SQLite and PostgreSQL: ordering, leases, retries, supersession."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.outbox import (
    Channel,
    Delivered,
    Held,
    JobState,
    OutboxJob,
    Outcome,
    Refused,
    TryAgain,
)
from desktop.domain.retry import backoff_delay
from desktop.services.outbox_dispatch import drain
from desktop.store import outbox
from desktop.store.database import Database
from desktop.store.outbox import OutboxQueue
from desktop.store.unit_of_work import UnitOfWork

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def add(database: Database, kind: str = "xero.invoice", **kw: object) -> uuid.UUID:
    with UnitOfWork(database) as uow:
        row = outbox.enqueue(
            uow.session,
            channel=kw.pop("channel", Channel.XERO),  # type: ignore[arg-type]
            kind=kind,
            subject_id=kw.pop("subject_id", uuid.uuid4()),  # type: ignore[arg-type]
            not_before=kw.pop("not_before", NOW),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )
        uow.commit()
        return row.id


class ScriptedChannel:
    """Stands in for the far side of a channel: answers each job as scripted."""

    channel = Channel.XERO

    def __init__(self, answers: dict[str, Outcome] | None = None) -> None:
        self.answers = answers or {}
        self.seen: list[str] = []

    def deliver(self, jobs: list[OutboxJob]) -> Iterable[tuple[OutboxJob, Outcome]]:
        for job in jobs:
            self.seen.append(job.kind)
            yield job, self.answers.get(job.kind, Delivered({"remote_id": str(job.subject_id)}))


def test_jobs_go_in_stage_order_and_wait_for_what_they_depend_on(database) -> None:
    queue = OutboxQueue(database)
    contact = add(database, "xero.contact", stage=10)
    invoice = add(database, "xero.invoice", stage=20, depends_on=contact)
    add(database, "xero.payment", stage=30, depends_on=invoice)
    channel = ScriptedChannel({"xero.contact": TryAgain("503 from Xero")})
    report = drain(queue, channel, lambda: NOW)
    # The contact failed, so nothing that depends on it was attempted.
    assert channel.seen == ["xero.contact"]
    assert report.retrying == 1
    channel.answers.clear()
    later = NOW + timedelta(hours=2)
    report = drain(queue, channel, lambda: later)
    assert channel.seen == ["xero.contact", "xero.contact", "xero.invoice", "xero.payment"]
    assert report.delivered == 3
    assert queue.counts(Channel.XERO) == {JobState.DONE: 3}


def test_a_crashed_worker_leaves_the_job_to_be_claimed_again(database) -> None:
    queue = OutboxQueue(database, lease=timedelta(minutes=5))
    job_id = add(database)
    [claimed] = queue.claim_due(Channel.XERO, NOW)
    queue.remember(claimed.id, {"xero_invoice_id": "abc"})
    # The worker dies here: no settle. Within the lease nobody else takes it...
    assert queue.claim_due(Channel.XERO, NOW + timedelta(minutes=1)) == []
    # ...after it, the job is due again and remembers what the first attempt learned.
    [again] = queue.claim_due(Channel.XERO, NOW + timedelta(minutes=6))
    assert again.id == job_id
    assert again.result == {"xero_invoice_id": "abc"}
    assert again.idempotency_key == claimed.idempotency_key


def test_temporary_failures_back_off_and_refusals_park(database) -> None:
    queue = OutboxQueue(database)
    add(database, "xero.invoice")
    add(database, "xero.payment")
    channel = ScriptedChannel(
        {"xero.invoice": TryAgain("timeout"), "xero.payment": Refused("Payment exceeds due")}
    )
    report = drain(queue, channel, lambda: NOW, rng=random.Random(1))
    assert (report.retrying, report.parked) == (1, 1)
    [waiting] = queue.jobs(Channel.XERO, [JobState.PENDING])
    assert waiting.attempts == 1 and waiting.last_error == "timeout"
    assert NOW + timedelta(seconds=7) <= waiting.next_attempt_at <= NOW + timedelta(seconds=15)
    [parked] = queue.jobs(Channel.XERO, [JobState.PARKED])
    assert parked.last_error == "Payment exceeds due"
    # Parked jobs are not retried by themselves...
    assert drain(queue, ScriptedChannel(), lambda: NOW + timedelta(days=1)).delivered == 1
    assert queue.jobs(Channel.XERO, [JobState.PARKED])
    # ...but a person can retry them.
    assert queue.retry_now(parked.id, NOW + timedelta(days=1))
    assert drain(queue, ScriptedChannel(), lambda: NOW + timedelta(days=1)).delivered == 1


def test_a_newer_job_for_the_same_record_supersedes_a_parked_one(database) -> None:
    queue = OutboxQueue(database)
    payment = uuid.uuid4()
    add(database, "xero.payment", subject_id=payment, subject_version=1)
    drain(queue, ScriptedChannel({"xero.payment": Refused("closed period")}), lambda: NOW)
    edited = add(database, "xero.payment", subject_id=payment, subject_version=2)
    jobs = {job.state: job for job in queue.jobs(Channel.XERO)}
    assert set(jobs) == {JobState.SUPERSEDED, JobState.PENDING}
    assert jobs[JobState.PENDING].id == edited
    report = drain(queue, ScriptedChannel(), lambda: NOW)
    assert report.delivered == 1


def test_held_jobs_wait_for_a_person_then_go(database) -> None:
    queue = OutboxQueue(database)
    add(database, "sms.reminder", channel=Channel.SMS)

    class NoCredit(ScriptedChannel):
        channel = Channel.SMS

    drain(queue, NoCredit({"sms.reminder": Held("No SMS credit left")}), lambda: NOW)
    [held] = queue.jobs(Channel.SMS, [JobState.HELD])
    assert held.last_error == "No SMS credit left" and held.attempts == 0
    assert queue.release_held(Channel.SMS, "sms.reminder", NOW) == 1
    assert drain(queue, NoCredit(), lambda: NOW).delivered == 1


def test_two_workers_never_claim_the_same_job(database) -> None:
    for _ in range(40):
        add(database)
    queue = OutboxQueue(database)
    claimed: list[uuid.UUID] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        while jobs := queue.claim_due(Channel.XERO, NOW, limit=3):
            with lock:
                claimed.extend(job.id for job in jobs)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 40
    assert len(set(claimed)) == 40


@pytest.mark.parametrize("attempts", [1, 2, 5, 30])
def test_backoff_grows_and_is_capped(attempts: int) -> None:
    rng = random.Random(attempts)
    delay = backoff_delay(attempts, rng)
    ceiling = min(timedelta(hours=1), timedelta(seconds=15) * 2 ** (attempts - 1))
    assert ceiling / 2 <= delay <= ceiling


def test_jobs_waiting_on_a_superseded_job_wait_on_its_replacement(database) -> None:
    queue = OutboxQueue(database)
    invoice = uuid.uuid4()
    first = add(database, "xero.invoice", subject_id=invoice, stage=20)
    payment = add(database, "xero.payment", stage=30, depends_on=first)
    replacement = add(database, "xero.invoice", subject_id=invoice, stage=20)
    [waiting] = [job for job in queue.jobs(Channel.XERO) if job.id == payment]
    assert waiting.depends_on_id == replacement
    assert drain(queue, ScriptedChannel(), lambda: NOW).delivered == 2


def test_next_due_ignores_jobs_that_wait_on_another(database) -> None:
    queue = OutboxQueue(database)
    contact = add(database, "xero.contact", stage=10, not_before=NOW + timedelta(minutes=10))
    add(database, "xero.invoice", stage=20, depends_on=contact, not_before=NOW)
    # The invoice is "due" now, but cannot go before the contact: nothing is due before 09:10.
    assert queue.next_due_at(Channel.XERO) == NOW + timedelta(minutes=10)
