"""What a job kind's sender gets to work with, and the registry of senders by kind.

A sender takes the claimed jobs of its kind and yields each with how it ended.
New kinds (prepaid passes, credit allocations ...) register themselves with
`@sends("xero.prepayment")` in their own module under `desktop/xero/jobs/`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from xero_python.api_client.serializer import serialize

from desktop.domain.outbox import OutboxJob, Outcome
from desktop.services.xero_settings import XeroConnection
from desktop.store.outbox import OutboxQueue
from desktop.xero.client import XeroApi
from desktop.xero.errors import XeroRefused
from desktop.xero.links import XeroLinks

# Xero takes many documents per call; ~50 keeps each request small and quick.
BATCH_SIZE = 50

T = TypeVar("T")


@dataclass
class XeroDelivery:
    api: XeroApi
    links: XeroLinks
    queue: OutboxQueue
    connection: XeroConnection
    batch_size: int = BATCH_SIZE

    def create(
        self, jobs: Sequence[OutboxJob], operation: str, body_field: str, body: Any, **extra: Any
    ) -> Any:
        """The one shape of every create: the jobs are marked *sending* first (so a
        retry looks in Xero before it creates again), Xero answers per item
        (`summarizeErrors=false`), and the request has one Idempotency-Key."""
        self.links.mark_sending(jobs)
        return self.api.call(
            operation,
            **extra,
            **{body_field: body},
            summarize_errors=False,
            idempotency_key=batch_key(jobs, "", body),
        )

    def remember(self, job: OutboxJob, **result: Any) -> None:
        """Keep what Xero answered the moment it answers (see OutboxQueue.remember)."""
        self.queue.remember(job.id, result)


Sender = Callable[[XeroDelivery, list[OutboxJob]], Iterator[tuple[OutboxJob, Outcome]]]
SendOne = Callable[[XeroDelivery, OutboxJob], Outcome]

_SENDERS: dict[str, Sender] = {}


def sends(kind: str) -> Callable[[Sender], Sender]:
    def register(sender: Sender) -> Sender:
        _SENDERS[kind] = sender
        return sender

    return register


def sends_each(kind: str) -> Callable[[SendOne], SendOne]:
    """Register a sender that takes its jobs one at a time (documents Xero makes in
    more than one step); Xero refusing a step parks that job with Xero's words."""

    def register(send_one: SendOne) -> SendOne:
        def sender(
            delivery: XeroDelivery, jobs: list[OutboxJob]
        ) -> Iterator[tuple[OutboxJob, Outcome]]:
            for job in jobs:
                try:
                    yield job, send_one(delivery, job)
                except XeroRefused as exc:
                    yield job, exc.refusal()

        _SENDERS[kind] = sender
        return send_one

    return register


def sender_for(kind: str) -> Sender | None:
    return _SENDERS.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_SENDERS)


def batch_key(jobs: Sequence[OutboxJob], operation: str, body: Any = None) -> str:
    """The Idempotency-Key of a request made for these jobs.

    Built from the jobs' own keys (one job: its key; several: a digest of theirs),
    so the same request retried gets the same key and Xero answers it from memory.
    Two things make a new key. A digest of the body: Xero rejects a remembered key
    sent with a different body, and the body changes when the clinic fixes its
    account mapping and presses Retry. And each refusal Xero gave the job: Xero
    replays a remembered answer, refusals included, so a Retry pressed within six
    minutes of fixing the cause would otherwise be refused again from memory.
    Creating twice is still impossible: after any attempt a job looks in Xero first.
    """
    if len(jobs) == 1:
        base = jobs[0].idempotency_key + _refusals(jobs[0])
    else:
        keys = "|".join(sorted(job.idempotency_key + _refusals(job) for job in jobs))
        base = "frontdesk-batch-" + hashlib.sha256(keys.encode()).hexdigest()[:40]
    parts = [base]
    if operation:
        parts.append(operation)
    if body is not None:
        text = json.dumps(serialize(body), sort_keys=True, default=str)
        parts.append(hashlib.sha256(text.encode()).hexdigest()[:12])
    return "-".join(parts)[:128]


def _refusals(job: OutboxJob) -> str:
    count = int(job.result.get("refusals", 0) or 0)
    return f"-r{count}" if count else ""


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
