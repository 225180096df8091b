"""The Xero channel of the shared outbox: hands each kind of job to its sender.

Jobs arrive claimed and due (their dependencies done), lowest stage first. The
channel keeps Xero-wide trouble out of the senders: when Xero is unreachable or
rate limited the rest of the round goes back to the queue to try again later;
when the connection needs a person (revoked, disconnected, never connected)
every job is held, untouched, until someone reconnects.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from desktop.domain.outbox import Channel, Held, OutboxJob, Outcome, Refused, TryAgain
from desktop.store.outbox import OutboxQueue
from desktop.xero import jobs as _senders  # noqa: F401  (registers every sender)
from desktop.xero.client import XeroApi
from desktop.xero.delivery import BATCH_SIZE, XeroDelivery, sender_for
from desktop.xero.errors import (
    NoKeyring,
    XeroError,
    XeroNeedsReconnect,
    XeroNotConnected,
    XeroRefused,
    XeroUnavailable,
)
from desktop.xero.links import XeroLinks


class XeroChannel:
    channel = Channel.XERO

    def __init__(
        self, api: XeroApi, queue: OutboxQueue, links: XeroLinks, batch_size: int = BATCH_SIZE
    ) -> None:
        self.api = api
        self.queue = queue
        self.links = links
        self.batch_size = batch_size

    def deliver(self, jobs: list[OutboxJob]) -> Iterable[tuple[OutboxJob, Outcome]]:
        pending = sorted(jobs, key=lambda job: (job.stage, job.kind))
        answered: set[object] = set()
        try:
            connection = self.api.keeper.connection()
        except (XeroNotConnected, XeroNeedsReconnect) as exc:
            yield from ((job, Held(str(exc))) for job in pending)
            return
        delivery = XeroDelivery(self.api, self.links, self.queue, connection, self.batch_size)
        for kind, group in itertools.groupby(pending, key=lambda job: job.kind):
            batch = list(group)
            sender = sender_for(kind)
            if sender is None:
                for job in batch:
                    answered.add(job.id)
                    yield job, Refused(f"Frontdesk does not know how to send “{kind}” to Xero.")
                continue
            try:
                for job, outcome in sender(delivery, batch):
                    answered.add(job.id)
                    if isinstance(outcome, Refused):
                        self._count_refusal(job)
                    yield job, outcome
            except (XeroNeedsReconnect, XeroNotConnected, NoKeyring) as exc:
                yield from _rest(pending, answered, Held(str(exc)))
                return
            except XeroUnavailable as exc:
                # Xero is down or wants us to slow down: stop calling for this round.
                yield from _rest(pending, answered, TryAgain(str(exc), exc.after))
                return
            except XeroRefused as exc:
                # A whole request refused (senders refuse single items themselves).
                for job in batch:
                    if job.id not in answered:
                        self._count_refusal(job)
                yield from _rest(batch, answered, exc.refusal())
            except XeroError as exc:
                yield from _rest(batch, answered, TryAgain(str(exc)))

    def _count_refusal(self, job: OutboxJob) -> None:
        """Xero answered this one for sure: its next attempt needs a fresh
        Idempotency-Key, or Xero would replay the refusal (see delivery.batch_key)."""
        self.queue.remember(job.id, {"refusals": int(job.result.get("refusals", 0) or 0) + 1})


def _rest(
    jobs: list[OutboxJob], answered: set[object], outcome: Outcome
) -> Iterator[tuple[OutboxJob, Outcome]]:
    for job in jobs:
        if job.id not in answered:
            answered.add(job.id)
            yield job, outcome
