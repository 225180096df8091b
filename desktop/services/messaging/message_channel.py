"""What the email and SMS channels share: one connection per clinic for a batch, and
composing each job (still wanted? to whom? which words?) before it is handed over.

A subclass says which result key marks a job its server or provider already took
(`sent_key`) and how one composed message is sent (`send`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import ClassVar, Generic

from desktop.domain.outbox import Channel, Delivered, OutboxJob, Outcome, Refused
from desktop.services.messaging.compose import Outgoing, Skip, Undeliverable, compose
from desktop.services.messaging.connections import ConnectionPerClinic, ConnectionT
from desktop.services.messaging.settings import MessagingSettings
from desktop.services.outbox_dispatch import Clock, system_clock
from desktop.store.database import Database
from desktop.store.outbox import OutboxQueue


class MessageChannel(Generic[ConnectionT]):
    channel: Channel
    # The job result key set once the server or provider has taken the message.
    sent_key: ClassVar[str]

    def __init__(
        self,
        database: Database,
        queue: OutboxQueue,
        connections: Callable[[MessagingSettings], ConnectionT],
        clock: Clock = system_clock,
    ) -> None:
        self.database = database
        self.queue = queue
        self.connections = connections
        self.clock = clock
        # What this handler did, as the drain report cannot tell a send from a skip.
        self.sent = 0
        self.skipped = 0

    def deliver(self, jobs: list[OutboxJob]) -> Iterable[tuple[OutboxJob, Outcome]]:
        return self._deliver(jobs)

    def _deliver(self, jobs: list[OutboxJob]) -> Iterator[tuple[OutboxJob, Outcome]]:
        batch = ConnectionPerClinic(self.connections)
        try:
            for job in jobs:
                yield job, self._one(job, batch)
        finally:
            batch.close()

    def _one(self, job: OutboxJob, batch: ConnectionPerClinic[ConnectionT]) -> Outcome:
        if job.result.get(self.sent_key):
            return Delivered()  # taken before a crash: never send it again
        now = self.clock()
        composed = compose(self.database, job, now)
        if isinstance(composed, Skip):
            self.skipped += 1
            return Delivered({"skipped": composed.reason})
        if isinstance(composed, Undeliverable):
            return Refused(composed.reason)
        return self.send(job, composed, batch, now)

    def send(
        self,
        job: OutboxJob,
        composed: Outgoing,
        batch: ConnectionPerClinic[ConnectionT],
        now: datetime,
    ) -> Outcome:
        raise NotImplementedError
