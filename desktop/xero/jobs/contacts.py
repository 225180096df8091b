"""Patients to Xero contacts: created in batches, updated in batches.

A contact is found again by its ContactNumber (FDP-000123), so a create whose
answer was lost is never made twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from xero_python.accounting import Contacts

from desktop.domain import xero_sync
from desktop.domain.outbox import OutboxJob, Outcome
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, batch_key, chunks, sends
from desktop.xero.jobs.in_xero import SentDocument, XeroLookup, where_any

CONTACTS_BY_NUMBER = XeroLookup(
    "get_contacts",
    "contacts",
    query=where_any("ContactNumber", include_archived=True),
    reference_of=lambda contact: contact.contact_number,
)

CONTACT = SentDocument(
    lookup=CONTACTS_BY_NUMBER,
    reference=lambda job: str(job.payload["contact_number"]),
    id_of=lambda contact: contact.contact_id,
    result_key="xero_contact_id",
    linked=lambda delivery, job: delivery.links.contact_id(job.subject_id),
    link=lambda delivery, job, xero_id: delivery.links.set_contact_id(job.subject_id, xero_id),
)


def contact_id_for(delivery: XeroDelivery, patient_id: uuid.UUID, number: str) -> str | None:
    """Our link, or Xero's answer to "who has this ContactNumber?"."""
    known = delivery.links.contact_id(patient_id)
    if known:
        return known
    found = CONTACT.find_ids(delivery, [number]).get(number)
    if found:
        delivery.links.set_contact_id(patient_id, found)
    return found


@sends(xero_sync.CONTACT)
def send_contacts(
    delivery: XeroDelivery, jobs: list[OutboxJob]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    known, _never = CONTACT.already_in_xero(delivery, jobs)
    new = [j for j in jobs if j.id not in known]
    for batch in chunks(new, delivery.batch_size):
        body = Contacts(contacts=[documents.contact(j.payload) for j in batch])
        answer = delivery.create(batch, "create_contacts", "contacts", body)
        yield from CONTACT.settle(delivery, batch, answer.contacts or [])
    existing = [j for j in jobs if j.id in known]
    for batch in chunks(existing, delivery.batch_size):
        body = Contacts(contacts=[documents.contact(j.payload, known[j.id]) for j in batch])
        answer = delivery.api.call(
            "update_or_create_contacts",
            contacts=body,
            summarize_errors=False,
            idempotency_key=batch_key(batch, "update", body),
        )
        yield from CONTACT.settle(delivery, batch, answer.contacts or [])
