"""Patient credit to Xero: prepayments, overpayments, credit notes and their allocations.

* `xero.credit`: a package sold is `PUT /BankTransactions` RECEIVE-PREPAYMENT for the
  patient's contact (-> PrepaymentID); money on account is RECEIVE-OVERPAYMENT
  (-> OverpaymentID); both coded to the income-in-advance account (a current
  liability), so income is earned session by session as credit is allocated; a credit note is `PUT /CreditNotes` ACCRECCREDIT, AUTHORISED.
  Reference (and CreditNoteNumber) is the lot's number, FDC-000012, so a retry looks
  it up before creating it again.
* `xero.allocation`: one application of credit to one session's invoice,
  `PUT /{Prepayments|Overpayments|CreditNotes}/{id}/Allocations`; the uses of one
  credit due together go in one call. Its AllocationID is
  kept the moment Xero answers; a retry that may have landed reads the credit's
  allocations and adopts the one for this invoice. `live: false` removes it
  (`DELETE .../Allocations/{AllocationID}`), e.g. before the invoice is voided.
* `xero.credit_refund`: unused credit handed back, a payment on the credit (Reference
  FDC-000012-R1, looked up before it is made).

Xero's refusals (e.g. an allocation above what the invoice still owes in Xero) park
the job with Xero's words. Rate limits and outages end the round (the channel
retries later); nothing here sleeps.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from xero_python.accounting import (
    Account,
    Allocation,
    Allocations,
    BankTransaction,
    BankTransactions,
    Contact,
    CreditNote,
    CreditNotes,
    Invoice,
    LineAmountTypes,
    LineItem,
    Overpayment,
    Payment,
    Payments,
    Prepayment,
)

from desktop.domain.credit import XERO_ALLOCATION, XERO_CREDIT, XERO_CREDIT_REFUND
from desktop.domain.outbox import Delivered, OutboxJob, Outcome, Refused, TryAgain
from desktop.services.xero_settings import XeroConnection
from desktop.store.credit_models import CreditApplicationRow, CreditLotRow, CreditRefundRow
from desktop.store.database import Database
from desktop.xero import documents
from desktop.xero.delivery import XeroDelivery, chunks, sends, sends_each
from desktop.xero.errors import XeroNotFound, XeroRefused, XeroReplyUnreadable
from desktop.xero.jobs.contacts import contact_id_for
from desktop.xero.jobs.in_xero import RememberedId, SentDocument, XeroLookup, where_any
from desktop.xero.jobs.invoices import invoice_id_for
from desktop.xero.jobs.payments import PAYMENTS_BY_REFERENCE, payment_mismatch
from desktop.xero.jobs.refunds import CREDIT_NOTES_BY_NUMBER

# Xero's name for each kind of credit document, in the SDK's method names and fields.
_GET = {"prepayment": "get_prepayment", "overpayment": "get_overpayment",
        "creditnote": "get_credit_note"}  # fmt: skip
_LIST = {"prepayment": "prepayments", "overpayment": "overpayments", "creditnote": "credit_notes"}
_ID_ARG = {"prepayment": "prepayment_id", "overpayment": "overpayment_id",
           "creditnote": "credit_note_id"}  # fmt: skip
_ALLOCATE = {
    "prepayment": "create_prepayment_allocations",
    "overpayment": "create_overpayment_allocations",
    "creditnote": "create_credit_note_allocation",
}
_CREDIT_FIELD = {"prepayment": "prepayment", "overpayment": "overpayment",
                 "creditnote": "credit_note"}  # fmt: skip
_UNALLOCATE = {
    "prepayment": "delete_prepayment_allocations",
    "overpayment": "delete_overpayment_allocations",
    "creditnote": "delete_credit_note_allocations",
}


class CreditLinks:
    """Xero IDs on the credit rows, written without moving their `version`."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def _scalar(self, query: Any) -> str | None:
        with self.database.reading() as session:
            value = session.execute(query).scalar_one_or_none()
            return str(value) if value else None

    def _execute(self, statement: Any) -> None:
        with self.database.write_session() as session:
            session.execute(statement.execution_options(synchronize_session=False))
            session.commit()

    def credit_id(self, lot_id: uuid.UUID) -> str | None:
        return self._scalar(select(CreditLotRow.xero_credit_id).where(CreditLotRow.id == lot_id))

    def set_credit_id(self, lot_id: uuid.UUID, xero_id: str) -> None:
        self._execute(
            update(CreditLotRow).where(CreditLotRow.id == lot_id).values(xero_credit_id=xero_id)
        )

    def allocation_id(self, application_id: uuid.UUID) -> str | None:
        return self._scalar(
            select(CreditApplicationRow.xero_allocation_id).where(
                CreditApplicationRow.id == application_id
            )
        )

    def allocation_ids(self) -> set[str]:
        with self.database.reading() as session:
            rows = session.execute(
                select(CreditApplicationRow.xero_allocation_id).where(
                    CreditApplicationRow.xero_allocation_id.is_not(None)
                )
            ).scalars()
            return {str(v) for v in rows}

    def set_allocation_id(self, application_id: uuid.UUID, xero_id: str | None) -> None:
        self._execute(
            update(CreditApplicationRow)
            .where(CreditApplicationRow.id == application_id)
            .values(xero_allocation_id=xero_id)
        )

    def refund_payment_id(self, refund_id: uuid.UUID) -> str | None:
        return self._scalar(
            select(CreditRefundRow.xero_payment_id).where(CreditRefundRow.id == refund_id)
        )

    def set_refund_payment_id(self, refund_id: uuid.UUID, xero_id: str) -> None:
        self._execute(
            update(CreditRefundRow)
            .where(CreditRefundRow.id == refund_id)
            .values(xero_payment_id=xero_id)
        )


def _links(delivery: XeroDelivery) -> CreditLinks:
    return CreditLinks(delivery.links.database)


# --------------------------------------------------------------------------- credit documents


def _line(payload: dict[str, Any], connection: XeroConnection, account_code: str) -> LineItem:
    return LineItem(
        description=payload["description"],
        quantity=Decimal(1),
        unit_amount=documents.amount(payload["amount_cents"]),
        account_code=account_code,
        tax_type=connection.tax_type,
    )


BANK_CREDITS_BY_REFERENCE = XeroLookup(
    "get_bank_transactions",
    "bank_transactions",
    query=where_any("Reference", authorised_only=True),
    reference_of=lambda transaction: transaction.reference,
)


def _lot_id(job: OutboxJob) -> uuid.UUID:
    return uuid.UUID(job.payload["lot_id"])


# A prepayment or overpayment: the bank transaction that made it, found by Reference.
BANK_CREDIT = SentDocument(
    lookup=BANK_CREDITS_BY_REFERENCE,
    reference=lambda job: str(job.payload["number"]),
    id_of=lambda transaction: transaction.prepayment_id or transaction.overpayment_id,
    result_key="xero_credit_id",
    linked=lambda delivery, job: _links(delivery).credit_id(_lot_id(job)),
    link=lambda delivery, job, xero_id: _links(delivery).set_credit_id(_lot_id(job), xero_id),
)
# A credit note, found by its number (the lot's number).
NOTE_CREDIT = replace(
    BANK_CREDIT, lookup=CREDIT_NOTES_BY_NUMBER, id_of=lambda note: note.credit_note_id
)


def _credit_sent_as(job: OutboxJob) -> SentDocument:
    return NOTE_CREDIT if job.payload["xero_kind"] == "creditnote" else BANK_CREDIT


@sends(XERO_CREDIT)
def send_credits(
    delivery: XeroDelivery, jobs: list[OutboxJob]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    """Prepayments and overpayments go many to one `PUT /BankTransactions`, credit
    notes many to one `PUT /CreditNotes`, like invoices."""
    bank: list[tuple[OutboxJob, str]] = []
    notes: list[tuple[OutboxJob, str]] = []
    for job in jobs:
        try:
            prepared = _prepare_credit(delivery, job)
        except XeroRefused as exc:
            yield job, exc.refusal()
            continue
        if isinstance(prepared, str):
            (notes if job.payload["xero_kind"] == "creditnote" else bank).append((job, prepared))
        else:
            yield job, prepared
    for part in chunks(bank, delivery.batch_size):
        yield from _make_bank_credits(delivery, list(part))
    for part in chunks(notes, delivery.batch_size):
        yield from _make_credit_notes(delivery, list(part))


def _prepare_credit(delivery: XeroDelivery, job: OutboxJob) -> Outcome | str:
    """The outcome when there is nothing to create, else the contact to create it for."""
    payload = job.payload
    sent_as = _credit_sent_as(job)
    known = sent_as.find_one(delivery, job)
    if isinstance(known, Refused):
        return known
    if known:
        return sent_as.adopt(delivery, job, known)
    contact_id = contact_id_for(
        delivery, uuid.UUID(payload["patient_id"]), payload["contact_number"]
    )
    if contact_id is None:
        return TryAgain("The patient is not in Xero yet.")
    return contact_id


def _make_bank_credits(
    delivery: XeroDelivery, new: list[tuple[OutboxJob, str]]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    connection = delivery.connection
    jobs = [job for job, _contact in new]
    body = BankTransactions(
        bank_transactions=[
            BankTransaction(
                type="RECEIVE-PREPAYMENT"
                if job.payload["xero_kind"] == "prepayment"
                else "RECEIVE-OVERPAYMENT",
                contact=Contact(contact_id=contact_id),
                bank_account=Account(code=connection.account_for(job.payload["method"])),
                date=documents.day(job.payload["date"]),
                reference=job.payload["number"],
                status="AUTHORISED",
                line_amount_types=LineAmountTypes.INCLUSIVE,
                # Money for sessions not given yet is owed to the patient: a
                # liability until each session's allocation turns it into income.
                line_items=[_line(job.payload, connection, connection.advance_account_code)],
            )
            for job, contact_id in new
        ]
    )
    answer = delivery.create(jobs, "create_bank_transactions", "bank_transactions", body)
    yield from BANK_CREDIT.settle(delivery, jobs, answer.bank_transactions)


def _make_credit_notes(
    delivery: XeroDelivery, new: list[tuple[OutboxJob, str]]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    connection = delivery.connection
    jobs = [job for job, _contact in new]
    body = CreditNotes(
        credit_notes=[
            CreditNote(
                type="ACCRECCREDIT",
                contact=Contact(contact_id=contact_id),
                date=documents.day(job.payload["date"]),
                status="AUTHORISED",
                line_amount_types=LineAmountTypes.INCLUSIVE,
                # A credit note gives back income already earned: it reduces income.
                line_items=[_line(job.payload, connection, connection.income_account_code)],
                credit_note_number=job.payload["number"],
                reference=job.payload["number"],
            )
            for job, contact_id in new
        ]
    )
    answer = delivery.create(jobs, "create_credit_notes", "credit_notes", body)
    yield from NOTE_CREDIT.settle(delivery, jobs, answer.credit_notes)


# --------------------------------------------------------------------------- allocations


def credit_document(delivery: XeroDelivery, kind: str, xero_id: str) -> Any:
    answer = delivery.api.call(_GET[kind], **{_ID_ARG[kind]: xero_id})
    return getattr(answer, _LIST[kind])[0]


def _find_allocation(
    delivery: XeroDelivery, kind: str, credit_id: str, invoice_xero_id: str, taken: set[str]
) -> str | None:
    """An allocation of this credit to this invoice that no other use of ours claims."""
    document = credit_document(delivery, kind, credit_id)
    for allocation in document.allocations or []:
        if getattr(allocation, "is_deleted", False):
            continue
        invoice = allocation.invoice
        xero_id = str(allocation.allocation_id or "")
        if (
            invoice is not None
            and str(invoice.invoice_id) == invoice_xero_id
            and xero_id
            and xero_id not in taken
        ):
            return xero_id
    return None


def _application_id(job: OutboxJob) -> uuid.UUID:
    return uuid.UUID(job.payload["application_id"])


# An allocation has no reference of its own: it is found in its credit's list of
# allocations by invoice (`_find_allocation`).
ALLOCATION = RememberedId(
    id_of=lambda allocation: allocation.allocation_id,
    result_key="xero_allocation_id",
    linked=lambda delivery, job: _links(delivery).allocation_id(_application_id(job)),
    link=lambda delivery, job, xero_id: _links(delivery).set_allocation_id(
        _application_id(job), xero_id
    ),
)


@dataclass(frozen=True)
class _NewAllocation:
    """An allocation ready to be made: its credit and invoice are in Xero."""

    job: OutboxJob
    kind: str
    credit_id: str
    invoice_xero_id: str


@sends(XERO_ALLOCATION)
def send_allocations(
    delivery: XeroDelivery, jobs: list[OutboxJob]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    """Several uses of one credit go in one `PUT .../Allocations` (Xero takes a list)."""
    new: dict[tuple[str, str], list[_NewAllocation]] = {}
    for job in jobs:
        try:
            prepared = _prepare_allocation(delivery, job)
        except XeroRefused as exc:
            yield job, exc.refusal()
            continue
        if isinstance(prepared, _NewAllocation):
            new.setdefault((prepared.kind, prepared.credit_id), []).append(prepared)
        else:
            yield job, prepared
    for (kind, credit_id), group in new.items():
        for part in chunks(group, delivery.batch_size):
            yield from _make_allocations(delivery, kind, credit_id, list(part))


def _prepare_allocation(delivery: XeroDelivery, job: OutboxJob) -> Outcome | _NewAllocation:
    payload = job.payload
    links = _links(delivery)
    kind = payload["xero_kind"]
    credit_id = links.credit_id(_lot_id(job))
    known = ALLOCATION.known_id(delivery, job)
    if not payload["live"]:
        return _remove_allocation(delivery, job, credit_id, known)
    if known:
        return Delivered({"xero_allocation_id": str(known)})
    if not credit_id:
        return TryAgain(f"Credit {payload['lot_number']} is not in Xero yet.")
    invoice_xero_id = invoice_id_for(
        delivery, uuid.UUID(payload["invoice_id"]), payload["invoice_number"]
    )
    if invoice_xero_id is None:
        return TryAgain(f"Invoice {payload['invoice_number']} is not in Xero yet.")
    if delivery.links.may_exist(job):
        found = _find_allocation(delivery, kind, credit_id, invoice_xero_id, links.allocation_ids())
        if found:
            return ALLOCATION.adopt(delivery, job, found)
    return _NewAllocation(job, kind, credit_id, invoice_xero_id)


def _make_allocations(
    delivery: XeroDelivery, kind: str, credit_id: str, new: list[_NewAllocation]
) -> Iterator[tuple[OutboxJob, Outcome]]:
    jobs = [entry.job for entry in new]
    body = Allocations(
        allocations=[
            Allocation(
                invoice=Invoice(invoice_id=entry.invoice_xero_id),
                amount=documents.amount(entry.job.payload["amount_cents"]),
                date=documents.day(entry.job.payload["date"]),
            )
            for entry in new
        ]
    )
    answer = delivery.create(
        jobs, _ALLOCATE[kind], "allocations", body, **{_ID_ARG[kind]: credit_id}
    )
    yield from ALLOCATION.settle(delivery, jobs, answer.allocations)


def _remove_allocation(
    delivery: XeroDelivery, job: OutboxJob, credit_id: str | None, known: Any
) -> Outcome:
    payload = job.payload
    links = _links(delivery)
    application_id = uuid.UUID(payload["application_id"])
    if not credit_id:
        return Delivered({"removed": "the credit never reached Xero"})
    xero_id = str(known) if known else None
    if xero_id is None and (delivery.links.may_exist(job) or _earlier_attempts(delivery, job)):
        invoice_xero_id = delivery.links.invoice_id(uuid.UUID(payload["invoice_id"]))
        if invoice_xero_id:
            xero_id = _find_allocation(
                delivery, payload["xero_kind"], credit_id, invoice_xero_id, links.allocation_ids()
            )
    if xero_id is None:
        return Delivered({"removed": "never allocated in Xero"})
    kind = payload["xero_kind"]
    try:
        delivery.api.call(_UNALLOCATE[kind], **{_ID_ARG[kind]: credit_id}, allocation_id=xero_id)
    except XeroNotFound:
        pass  # already gone
    except XeroReplyUnreadable:
        # Xero deletes the allocation, then the SDK fails to read its answer
        # (xero-python issue 159): believe Xero's books, not the SDK.
        if _allocation_is_live(delivery, kind, credit_id, xero_id):
            raise
    links.set_allocation_id(application_id, None)
    return Delivered({"removed_allocation_id": xero_id})


def _allocation_is_live(delivery: XeroDelivery, kind: str, credit_id: str, xero_id: str) -> bool:
    document = credit_document(delivery, kind, credit_id)
    return any(
        str(allocation.allocation_id) == xero_id and not getattr(allocation, "is_deleted", False)
        for allocation in document.allocations or []
    )


def _earlier_attempts(delivery: XeroDelivery, job: OutboxJob) -> bool:
    """Whether an allocation job this one replaced was sent (its answer maybe lost)."""
    return bool(delivery.links.sent_payloads(job))


# --------------------------------------------------------------------------- refunds


def _not_this_refund(delivery: XeroDelivery, job: OutboxJob, found: Any) -> str | None:
    payload = job.payload
    kind = payload["xero_kind"]
    credit = getattr(found, _CREDIT_FIELD[kind], None)
    found_id = str(getattr(credit, _ID_ARG[kind], None) or "")
    same = bool(found_id) and found_id == _links(delivery).credit_id(_lot_id(job))
    return payment_mismatch(
        found,
        reference=payload["number"],
        cents=int(payload["amount_cents"]),
        target=f"credit {payload['lot_number']}",
        found_on=f"credit {payload['lot_number']}" if same else "another document",
        same_target=same,
    )


def _refund_id(job: OutboxJob) -> uuid.UUID:
    return uuid.UUID(job.payload["refund_id"])


CREDIT_REFUND = SentDocument(
    lookup=PAYMENTS_BY_REFERENCE,
    reference=lambda job: str(job.payload["number"]),
    id_of=lambda payment: payment.payment_id,
    result_key="xero_payment_id",
    linked=lambda delivery, job: _links(delivery).refund_payment_id(_refund_id(job)),
    link=lambda delivery, job, xero_id: _links(delivery).set_refund_payment_id(
        _refund_id(job), xero_id
    ),
    mismatch=_not_this_refund,
)


@sends_each(XERO_CREDIT_REFUND)
def send_credit_refund(delivery: XeroDelivery, job: OutboxJob) -> Outcome:
    payload = job.payload
    known = CREDIT_REFUND.find_one(delivery, job)
    if isinstance(known, Refused):
        return known
    if known:
        return CREDIT_REFUND.adopt(delivery, job, known)
    credit_id = _links(delivery).credit_id(_lot_id(job))
    if not credit_id:
        return TryAgain(f"Credit {payload['lot_number']} is not in Xero yet.")
    kind = payload["xero_kind"]
    target: dict[str, Any] = {
        "prepayment": {"prepayment": Prepayment(prepayment_id=credit_id)},
        "overpayment": {"overpayment": Overpayment(overpayment_id=credit_id)},
        "creditnote": {"credit_note": CreditNote(credit_note_id=credit_id)},
    }[kind]
    body = Payments(
        payments=[
            Payment(
                **target,
                account=Account(code=delivery.connection.account_for(payload["method"])),
                date=documents.day(payload["date"]),
                amount=documents.amount(payload["amount_cents"]),
                reference=payload["number"],
            )
        ]
    )
    answer = delivery.create([job], "create_payments", "payments", body)
    return CREDIT_REFUND.settle_one(delivery, job, answer.payments[0])
