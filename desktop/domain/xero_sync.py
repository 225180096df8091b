"""What Frontdesk sends Xero, named once: job kinds, their order, document references,
and how a record's Xero jobs add up to one sync state a receptionist can read.

Every reference we put on a Xero document is unique and stable, so after a crash
or a long outage the worker can ask Xero "do you already have FD-000123?" instead
of creating it twice (Xero forgets idempotency keys after about six minutes).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from desktop.domain.outbox import JobState, OutboxJob

CONTACT = "xero.contact"
INVOICE = "xero.invoice"
PAYMENT = "xero.payment"
REFUND = "xero.refund"

# Lower stages go first: a contact before its invoice, an invoice before its money.
STAGE_CONTACT = 10
STAGE_INVOICE = 20
STAGE_PAYMENT = 30
STAGE_REFUND = 40


def contact_number(patient_number: int) -> str:
    """The patient's ContactNumber in Xero (FDP-000123): unique, never reused."""
    return f"FDP-{patient_number:06d}"


def contact_name(first_name: str, last_name: str, patient_number: int) -> str:
    """Xero wants unique contact names; two "Sam Lee"s differ by patient number."""
    return f"{first_name} {last_name} (#{patient_number})".strip()


def payment_reference(payment_no: str, revision: int) -> str:
    """Xero cannot edit a payment, so each edit is a new payment with a new Reference:
    FD-000123-P1, then FD-000123-P1.2, FD-000123-P1.3 ..."""
    return payment_no if revision <= 1 else f"{payment_no}.{revision}"


class SyncState(enum.StrEnum):
    OFF = "off"  # Xero is not connected; nothing is queued
    WAITING = "waiting"
    RETRYING = "retrying"
    PARKED = "parked"
    HELD = "held"  # Xero needs reconnecting; the jobs wait
    SYNCED = "synced"

    @property
    def label(self) -> str:
        return {
            "off": "Not sent to Xero (Xero is not connected)",
            "waiting": "Waiting to go to Xero",
            "retrying": "Xero did not answer; trying again",
            "parked": "Xero refused it",
            "held": "Waiting for Xero to be reconnected",
            "synced": "In Xero",
        }[self.value]


@dataclass(frozen=True, slots=True)
class SyncStatus:
    state: SyncState
    message: str = ""

    @property
    def text(self) -> str:
        return f"{self.state.label}: {self.message}" if self.message else self.state.label


_WORST_FIRST = (
    SyncState.PARKED,
    SyncState.HELD,
    SyncState.RETRYING,
    SyncState.WAITING,
    SyncState.SYNCED,
)


def job_sync_state(job: OutboxJob) -> SyncState:
    if job.state is JobState.DONE:
        return SyncState.SYNCED
    if job.state is JobState.PARKED:
        return SyncState.PARKED
    if job.state is JobState.HELD:
        return SyncState.HELD
    if job.attempts > 0 and job.last_error:
        return SyncState.RETRYING
    return SyncState.WAITING


def sync_status(jobs: Iterable[OutboxJob]) -> SyncStatus:
    """The state of a record (e.g. an invoice and its payments) from its live jobs.

    Superseded jobs are history; the worst live state wins, with its message.
    """
    live = [job for job in jobs if job.state is not JobState.SUPERSEDED]
    if not live:
        return SyncStatus(SyncState.OFF)
    states = {job_sync_state(job): job for job in live}
    for state in _WORST_FIRST:
        if state in states:
            message = states[state].last_error if state is not SyncState.SYNCED else ""
            return SyncStatus(state, message)
    return SyncStatus(SyncState.OFF)  # pragma: no cover - every state is listed
