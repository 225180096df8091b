"""Draining the outbox: claim due jobs, hand them to their channel, record the outcome.

The same loop serves every channel; a channel handler (Xero, SMS, email) only
knows how to deliver a batch of its jobs and says how each attempt ended.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from desktop.domain.outbox import Channel, JobState, OutboxJob, Outcome
from desktop.store.outbox import HEARTBEAT, OutboxQueue

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class ChannelHandler(Protocol):
    channel: Channel

    def deliver(self, jobs: list[OutboxJob]) -> Iterable[tuple[OutboxJob, Outcome]]:
        """Try to deliver the jobs (in order); yield each job with how it ended.

        A handler that must stop early (rate limit) yields TryAgain for the rest.
        """
        ...


@dataclass
class DrainReport:
    delivered: int = 0
    retrying: int = 0
    parked: int = 0
    held: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.parked + self.held


def drain(
    queue: OutboxQueue,
    handler: ChannelHandler,
    clock: Clock = system_clock,
    *,
    batch: int = 50,
    max_batches: int = 1000,
    rng: random.Random | None = None,
) -> DrainReport:
    """Deliver everything due now; stops when nothing is due or a batch made no progress."""
    report = DrainReport()
    with LeaseHeartbeat(queue, clock) as heartbeat:
        for _ in range(max_batches):
            jobs = queue.claim_due(handler.channel, clock(), batch)
            if not jobs:
                break
            heartbeat.hold(jobs)
            if not _deliver(queue, handler, jobs, clock, rng, report):
                break
    return report


def _deliver(
    queue: OutboxQueue,
    handler: ChannelHandler,
    jobs: list[OutboxJob],
    clock: Clock,
    rng: random.Random | None,
    report: DrainReport,
) -> bool:
    """One claimed batch through its channel; whether anything moved on."""
    progressed = False
    for job, outcome in handler.deliver(jobs):
        state = queue.settle(job, outcome, clock(), rng)
        if state is JobState.DONE:
            report.delivered += 1
            progressed = True
        elif state is JobState.PENDING:
            report.retrying += 1
        elif state is JobState.PARKED:
            report.parked += 1
            report.errors.append(f"{job.kind}: {getattr(outcome, 'reason', '')}")
            progressed = True
        elif state is JobState.HELD:
            report.held += 1
    return progressed


class LeaseHeartbeat:
    """Renews the leases of the jobs a drain holds, every `HEARTBEAT`, while it lives.

    A thread, because one call to the other side can outlast a lease (a slow answer,
    a rate-limit wait); when the process dies the renewals stop and the jobs are
    claimed again as soon as their short lease runs out.
    """

    def __init__(self, queue: OutboxQueue, clock: Clock, interval: timedelta = HEARTBEAT) -> None:
        self.queue = queue
        self.clock = clock
        self.interval = interval
        self._held: list[OutboxJob] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-lease", daemon=True)

    def hold(self, jobs: list[OutboxJob]) -> None:
        self._held = list(jobs)

    def __enter__(self) -> LeaseHeartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval.total_seconds()):
            with contextlib.suppress(Exception):  # a missed beat only shortens the lease
                self.queue.renew([job.id for job in self._held], self.clock())


class OutboxWorker:
    """A background thread that drains one channel whenever work is due.

    `wake()` makes it look at once (called after a change wrote a job); otherwise it
    looks again when the next job is due, or every `idle_poll`.
    """

    def __init__(
        self,
        queue: OutboxQueue,
        handler: ChannelHandler,
        clock: Clock = system_clock,
        idle_poll: timedelta = timedelta(seconds=30),
        on_report: Callable[[DrainReport], None] | None = None,
    ) -> None:
        self.queue = queue
        self.handler = handler
        self.clock = clock
        self.idle_poll = idle_poll
        self.on_report = on_report
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"outbox-{self.handler.channel}", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = drain(self.queue, self.handler, self.clock)
                if self.on_report is not None:
                    self.on_report(report)
            except Exception as exc:
                if self.on_report is not None:
                    self.on_report(DrainReport(errors=[f"worker error: {exc}"]))
            self._wake.wait(self._seconds_until_next())
            self._wake.clear()

    def _seconds_until_next(self) -> float:
        next_due = self.queue.next_due_at(self.handler.channel)
        wait = self.idle_poll.total_seconds()
        if next_due is not None:
            wait = min(wait, max(0.5, (next_due - self.clock()).total_seconds()))
        return wait
