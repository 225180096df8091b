"""Patients to Xero contacts: created in batches, updated in batches.

A contact is found again by its ContactNumber (FDP-000123), so a create whose
answer was lost is never made twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from xero_python.accounting import Contacts

from desktop.domain import xero_sync
from desktop.domain.outbox import Delivered, OutboxJob, Outcome
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, batch_key, chunks, sends
from desktop.xero.jobs.common import item_errors, refusal


def find_contacts(delivery: XeroDelivery, numbers: list[str]) -> dict[str, str]:
    """ContactNumber -> ContactID for those already in Xero."""
    found: dict[str, str] = {}
    for part in chunks(numbers, 20):
        answer = delivery.api.call(
            "get_contacts",
            where=documents.quoted_or("ContactNumber", list(part)),
            include_archived=True,
        )
        for contact in answer.contacts or []:
            if contact.contact_number:
                found[str(contact.contact_number)] = str(contact.contact_id)
    return found


def contact_id_for(delivery: XeroDelivery, patient_id: uuid.UUID, number: str) -> str | None:
    """Our link, or Xero's answer to "who has this ContactNumber?"."""
    known = delivery.links.contact_id(patient_id)
    if known:
        return known
    found = find_contacts(delivery, [number]).get(number)
    if found:
        delivery.links.set_contact_id(patient_id, found)
    return found


@sends(xero_sync.CONTACT)
def send_contacts(
    delivery: XeroDelivery, jobs: list[OutboxJob]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    known: dict[uuid.UUID, str] = {}
    for job in jobs:
        xero_id = job.result.get("xero_contact_id") or delivery.links.contact_id(job.subject_id)
        if xero_id:
            known[job.id] = str(xero_id)
    unsure = [j for j in jobs if j.id not in known and delivery.links.may_exist(j)]
    if unsure:
        found = find_contacts(delivery, [j.payload["contact_number"] for j in unsure])
        for job in unsure:
            xero_id = found.get(job.payload["contact_number"])
            if xero_id:
                known[job.id] = xero_id
                delivery.remember(job, xero_contact_id=xero_id)
                delivery.links.set_contact_id(job.subject_id, xero_id)
    new = [j for j in jobs if j.id not in known]
    for batch in chunks(new, delivery.batch_size):
        delivery.links.mark_sending(batch)
        body = Contacts(contacts=[documents.contact(j.payload) for j in batch])
        answer = delivery.api.call(
            "create_contacts",
            contacts=body,
            summarize_errors=False,
            idempotency_key=batch_key(batch, "", body),
        )
        yield from _settle_items(delivery, batch, answer.contacts or [])
    existing = [j for j in jobs if j.id in known]
    for batch in chunks(existing, delivery.batch_size):
        body = Contacts(contacts=[documents.contact(j.payload, known[j.id]) for j in batch])
        answer = delivery.api.call(
            "update_or_create_contacts",
            contacts=body,
            summarize_errors=False,
            idempotency_key=batch_key(batch, "update", body),
        )
        yield from _settle_items(delivery, batch, answer.contacts or [])


def _settle_items(
    delivery: XeroDelivery, batch: Sequence[OutboxJob], items: Sequence[Any]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    # Xero answers a batch element for element, in the order sent.
    for job, item in zip(batch, items, strict=True):
        errors = item_errors(item)
        if errors:
            yield job, refusal(errors)
            continue
        xero_id = str(getattr(item, "contact_id", ""))
        delivery.remember(job, xero_contact_id=xero_id)
        delivery.links.set_contact_id(job.subject_id, xero_id)
        yield job, Delivered({"xero_contact_id": xero_id})
