"""Frontdesk and Xero side by side, per patient: credit left and invoices paid or owing.

`frontdesk_books` reads what Frontdesk holds; the Xero connector
(`desktop.xero.reconcile`) reads the same documents from Xero; `compare` (pure)
lists every difference with a suggested fix. Differences on documents that still
have Xero jobs waiting are marked `pending`: they usually disappear after the next
sync, so the fix says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from desktop.domain.billing import InvoiceStatus
from desktop.domain.credit import CreditSource
from desktop.domain.money import Money
from desktop.domain.outbox import JobState
from desktop.services import credit as credit_service
from desktop.services.context import ServiceContext
from desktop.store import billing_queries
from desktop.store.billing_models import InvoiceRow
from desktop.store.credit_models import CreditApplicationRow, CreditLotRow
from desktop.store.models import PatientRow
from desktop.store.outbox_models import OutboxJobRow

_OPEN = [s.value for s in JobState if s.open]


@dataclass(frozen=True, slots=True)
class CreditBook:
    lot_id: uuid.UUID
    number: str
    xero_kind: str  # prepayment | overpayment | creditnote
    xero_id: str | None
    remaining: Money
    pending: bool = False


@dataclass(frozen=True, slots=True)
class InvoiceBook:
    invoice_id: uuid.UUID
    number: str
    xero_id: str | None
    amount_due: Money
    void: bool
    pending: bool = False


@dataclass(frozen=True, slots=True)
class PatientBook:
    patient_id: uuid.UUID
    name: str
    credits: tuple[CreditBook, ...] = ()
    invoices: tuple[InvoiceBook, ...] = ()


@dataclass(frozen=True, slots=True)
class XeroCredit:
    xero_id: str
    remaining: Money
    status: str


@dataclass(frozen=True, slots=True)
class XeroInvoice:
    number: str
    xero_id: str
    amount_due: Money
    status: str  # AUTHORISED | PAID | VOIDED | DELETED ...


@dataclass(frozen=True, slots=True)
class Difference:
    patient: str
    document: str
    frontdesk: str
    xero: str
    fix: str
    pending: bool = False

    @property
    def text(self) -> str:
        waiting = " (Xero jobs still waiting)" if self.pending else ""
        return (
            f"{self.patient} · {self.document}: Frontdesk {self.frontdesk}, Xero {self.xero}"
            f"{waiting}. Fix: {self.fix}"
        )


@dataclass
class Reconciliation:
    differences: list[Difference] = field(default_factory=list)
    patients: int = 0
    documents: int = 0

    @property
    def clean(self) -> bool:
        return not self.differences


def frontdesk_books(
    ctx: ServiceContext, patient_ids: Iterable[uuid.UUID] | None = None
) -> list[PatientBook]:
    """What Frontdesk holds for each patient with credit or invoices (or the ones given)."""
    ctx.actor()
    with ctx.database.reading() as session:
        open_subjects = set(
            session.execute(
                select(OutboxJobRow.subject_id).where(OutboxJobRow.state.in_(_OPEN))
            ).scalars()
        )
        wanted = set(patient_ids) if patient_ids is not None else None
        if wanted is None:
            wanted = set(session.execute(select(CreditLotRow.patient_id)).scalars())
            wanted |= set(session.execute(select(InvoiceRow.patient_id)).scalars())
        books: list[PatientBook] = []
        for patient in session.execute(
            select(PatientRow).where(PatientRow.id.in_(wanted)).order_by(PatientRow.number)
        ).scalars():
            credits = []
            for row in credit_service._lot_rows(session, patient.id):
                lot = credit_service.to_lot(session, row)
                children = {a.id for a in row.applications} | {r.id for r in row.refunds}
                credits.append(
                    CreditBook(
                        lot.id,
                        lot.number,
                        CreditSource(row.source).xero_kind,
                        row.xero_credit_id,
                        lot.remaining,
                        pending=bool(({row.id} | children) & open_subjects),
                    )
                )
            invoices = []
            for inv_row in session.execute(
                select(InvoiceRow)
                .where(InvoiceRow.patient_id == patient.id)
                .order_by(InvoiceRow.sequence)
            ).scalars():
                invoice = billing_queries.to_invoice(inv_row, patient)
                children = {p.id for p in inv_row.payments} | {r.id for r in inv_row.refunds}
                children |= set(
                    session.execute(
                        select(CreditApplicationRow.id).where(
                            CreditApplicationRow.invoice_id == inv_row.id
                        )
                    ).scalars()
                )
                invoices.append(
                    InvoiceBook(
                        inv_row.id,
                        inv_row.number,
                        inv_row.xero_invoice_id,
                        invoice.amount_due,
                        invoice.status is InvoiceStatus.VOIDED,
                        pending=bool(({inv_row.id} | children) & open_subjects),
                    )
                )
            name = f"{patient.first_name} {patient.last_name} (#{patient.number})"
            books.append(PatientBook(patient.id, name, tuple(credits), tuple(invoices)))
        return books


def compare(
    books: Iterable[PatientBook],
    xero_credits: Mapping[str, XeroCredit],
    xero_invoices: Mapping[str, XeroInvoice],
) -> Reconciliation:
    """Every difference between Frontdesk's books and Xero's, with a suggested fix.

    `xero_credits` is keyed by Xero ID, `xero_invoices` by invoice number; a document
    missing from them is one Xero does not have."""
    result = Reconciliation()
    for book in books:
        result.patients += 1
        for lot in book.credits:
            result.documents += 1
            found = xero_credits.get(lot.xero_id or "")
            _credit_difference(result, book.name, lot, found)
        for invoice in book.invoices:
            result.documents += 1
            _invoice_difference(result, book.name, invoice, xero_invoices.get(invoice.number))
    return result


def _credit_difference(
    result: Reconciliation, patient: str, lot: CreditBook, found: XeroCredit | None
) -> None:
    label = f"credit {lot.number} ({lot.xero_kind})"
    if found is None:
        if lot.remaining.is_zero() and lot.xero_id is None and not lot.pending:
            return
        result.differences.append(
            Difference(
                patient,
                label,
                f"{lot.remaining} left",
                "has no such document",
                "Run the Xero sync; if its job is parked, fix the cause shown in the Xero "
                "sync panel and press Retry."
                if lot.pending or lot.xero_id is None
                else "It was deleted or voided in Xero: restore it there, or void the credit "
                "in Frontdesk.",
                lot.pending,
            )
        )
        return
    if found.remaining == lot.remaining:
        return
    if found.remaining > lot.remaining:
        fix = (
            f"Xero has {found.remaining - lot.remaining} more credit left: an allocation or "
            "refund recorded in Frontdesk has not reached Xero (or was removed there). Run the "
            "Xero sync and Retry any parked allocation for this credit."
        )
    else:
        fix = (
            f"Xero has {lot.remaining - found.remaining} less credit left: it was allocated or "
            "refunded in Xero outside Frontdesk. Remove that allocation or refund in Xero, or "
            "record the same use in Frontdesk."
        )
    result.differences.append(
        Difference(
            patient, label, f"{lot.remaining} left", f"{found.remaining} left", fix, lot.pending
        )
    )


def _invoice_difference(
    result: Reconciliation, patient: str, invoice: InvoiceBook, found: XeroInvoice | None
) -> None:
    label = f"invoice {invoice.number}"
    ours = "void" if invoice.void else ("paid" if invoice.amount_due.cents <= 0 else
                                         f"{invoice.amount_due} owing")  # fmt: skip
    if found is None or found.status == "DELETED":
        if invoice.void and invoice.xero_id is None:
            return
        result.differences.append(
            Difference(
                patient,
                label,
                ours,
                "has no such invoice",
                "Run the Xero sync; if its job is parked, fix the cause and press Retry.",
                invoice.pending,
            )
        )
        return
    theirs = "void" if found.status == "VOIDED" else ("paid" if found.status == "PAID" else
                                                        f"{found.amount_due} owing")  # fmt: skip
    if invoice.void:
        if found.status != "VOIDED":
            result.differences.append(
                Difference(
                    patient,
                    label,
                    ours,
                    theirs,
                    "Void it in Xero: run the Xero sync (its credit allocations are removed "
                    "first), or void it there by hand.",
                    invoice.pending,
                )
            )
        return
    if found.status == "VOIDED":
        result.differences.append(
            Difference(
                patient,
                label,
                ours,
                theirs,
                "It was voided in Xero only: void it in Frontdesk too (its credit goes back), "
                "or raise it again in Xero.",
                invoice.pending,
            )
        )
        return
    if found.amount_due == invoice.amount_due:
        return
    if found.amount_due > invoice.amount_due:
        fix = (
            f"Xero is owed {found.amount_due - invoice.amount_due} more: a payment or credit "
            "allocation from Frontdesk is missing in Xero. Run the Xero sync and Retry parked "
            "jobs for this invoice."
        )
    else:
        fix = (
            f"Xero has {invoice.amount_due - found.amount_due} more paid: money was recorded in "
            "Xero outside Frontdesk. Record it in Frontdesk, or remove it in Xero."
        )
    result.differences.append(Difference(patient, label, ours, theirs, fix, invoice.pending))
