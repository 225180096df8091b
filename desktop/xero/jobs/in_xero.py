"""The one shape of every sender: look up by reference, else create, remember the Xero ID.

A job that may already have reached Xero (its answer lost, its sender killed) looks
for its document by the reference Frontdesk gave it. Found, it is adopted; not
found, it is created; either way Xero's ID is remembered on the job the moment it
is known, and linked to our row. What differs per document is small and lives in
two descriptions:

* `XeroLookup`, one per Xero list endpoint: how to ask for some references, how to
  read an item's reference, which items count (a deleted one does not).
* `SentDocument`, one per thing we send: how to read the Xero ID from Xero's item,
  the key the ID is remembered under and the row that links to it (`RememberedId`,
  all an allocation needs), plus its lookup, its reference in the job's payload,
  and what must match before a found document is taken as ours (a payment's
  amount and invoice, not only its Reference).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.domain.outbox import Delivered, OutboxJob, Outcome, Refused
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, chunks
from desktop.xero.jobs.common import item_errors, refusal


def _counts_always(_item: Any) -> bool:
    return True


@dataclass(frozen=True)
class XeroLookup:
    """A list endpoint that finds documents by the references Frontdesk gave them."""

    operation: str  # the SDK's method, e.g. "get_invoices"
    answer_field: str  # where the answer holds the list, e.g. "invoices"
    query: Callable[[list[str]], dict[str, Any]]  # references -> the call's arguments
    reference_of: Callable[[Any], Any]  # Xero's item -> the reference it carries
    counts: Callable[[Any], bool] = _counts_always  # e.g. not deleted
    per_call: int = 20  # references per request (a `where` clause must stay short)

    def find(self, delivery: XeroDelivery, references: Iterable[str]) -> dict[str, Any]:
        """Reference -> Xero's item, for the references Xero has a counting item for."""
        found: dict[str, Any] = {}
        for part in chunks(list(dict.fromkeys(references)), self.per_call):
            answer = delivery.api.call(self.operation, **self.query(list(part)))
            for item in getattr(answer, self.answer_field) or []:
                reference = self.reference_of(item)
                if reference and self.counts(item):
                    found.setdefault(str(reference), item)
        return found


def where_any(
    field: str, *, authorised_only: bool = False, **also: Any
) -> Callable[[list[str]], dict[str, Any]]:
    """A lookup's query: a `where` clause matching any of the references in `field`."""

    def query(references: list[str]) -> dict[str, Any]:
        clause = documents.quoted_or(field, references)
        if authorised_only:
            clause = f'({clause}) AND Status=="AUTHORISED"'
        return {"where": clause, **also}

    return query


def _no_mismatch(_delivery: XeroDelivery, _job: OutboxJob, _item: Any) -> str | None:
    return None


@dataclass(frozen=True)
class RememberedId:
    """Where a kind of job keeps the Xero ID of what it made."""

    id_of: Callable[[Any], Any]  # Xero's item (created or found) -> its ID
    result_key: str  # the job remembers the ID under this key
    linked: Callable[[XeroDelivery, OutboxJob], str | None]  # the ID on our row
    link: Callable[[XeroDelivery, OutboxJob, str], None]  # put the ID on our row

    def known_id(self, delivery: XeroDelivery, job: OutboxJob) -> str | None:
        """The Xero ID this job (or our row) already knows, without asking Xero."""
        value = job.result.get(self.result_key) or self.linked(delivery, job)
        return str(value) if value else None

    def adopt(self, delivery: XeroDelivery, job: OutboxJob, xero_id: str) -> Delivered:
        """Xero holds this job's document: remember its ID at once and link our row."""
        delivery.remember(job, **{self.result_key: xero_id})
        self.link(delivery, job, xero_id)
        return Delivered({self.result_key: xero_id})

    def settle_one(self, delivery: XeroDelivery, job: OutboxJob, item: Any) -> Outcome:
        """Xero's answer for one element of a create (or update)."""
        errors = item_errors(item)
        if errors:
            return refusal(errors)
        return self.adopt(delivery, job, str(self.id_of(item)))

    def settle(
        self, delivery: XeroDelivery, jobs: Sequence[OutboxJob], items: Sequence[Any]
    ) -> Iterator[tuple[OutboxJob, Outcome]]:
        """Xero answers a batch element for element, in the order sent."""
        for job, item in zip(jobs, items, strict=True):
            yield job, self.settle_one(delivery, job, item)


@dataclass(frozen=True)
class SentDocument(RememberedId):
    """A document found again in Xero by the reference Frontdesk gave it."""

    lookup: XeroLookup
    reference: Callable[[OutboxJob], str]  # the reference the job sends it under
    # Why a found document is not this job's (a message for the clinic), or None.
    mismatch: Callable[[XeroDelivery, OutboxJob, Any], str | None] = _no_mismatch

    def find_ids(self, delivery: XeroDelivery, references: Iterable[str]) -> dict[str, str]:
        """Reference -> Xero ID, for those Xero has."""
        found = self.lookup.find(delivery, references)
        return {ref: str(self.id_of(item)) for ref, item in found.items() if self.id_of(item)}

    def already_in_xero(
        self, delivery: XeroDelivery, jobs: Sequence[OutboxJob]
    ) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, Refused]]:
        """Job -> Xero ID for the jobs whose document Xero holds: known to us, or
        found by reference for the jobs that may have reached Xero before. A found
        document that does not match the job is a refusal, never adopted."""
        known: dict[uuid.UUID, str] = {}
        for job in jobs:
            xero_id = self.known_id(delivery, job)
            if xero_id:
                known[job.id] = xero_id
        unsure = [j for j in jobs if j.id not in known and delivery.links.may_exist(j)]
        refused: dict[uuid.UUID, Refused] = {}
        if not unsure:
            return known, refused
        found = self.lookup.find(delivery, [self.reference(j) for j in unsure])
        for job in unsure:
            item = found.get(self.reference(job))
            if item is None or not self.id_of(item):
                continue
            problem = self.mismatch(delivery, job, item)
            if problem:
                refused[job.id] = Refused(problem)
                continue
            known[job.id] = str(self.id_of(item))
            self.adopt(delivery, job, known[job.id])
        return known, refused

    def find_one(self, delivery: XeroDelivery, job: OutboxJob) -> str | Refused | None:
        """For a job sent on its own: the ID Xero already holds for it (known, or
        found if it may have reached Xero), a refusal on a mismatch, else None."""
        known, refused = self.already_in_xero(delivery, [job])
        return refused.get(job.id) or known.get(job.id)
