"""The fake's data: one ``TenantState`` per Xero organisation.

Plain dataclasses with ``Decimal`` money and ``date`` dates. Derived figures
(AmountPaid, AmountCredited, AmountDue, RemainingCredit) are computed from the
payments and allocations on demand, so deleting a payment or an allocation
restores them automatically; ``settle_*`` then moves statuses between
AUTHORISED and PAID the way Xero does.

Business rules live in ``rules.py``; JSON shapes in ``render.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from .wire import ZERO


@dataclass(frozen=True)
class CreditKind:
    """One of Xero's three kinds of credit, as its API names it everywhere."""

    kind: str  # our key: prepayment | overpayment | creditnote
    entity: str  # "Prepayment": the element's name in JSON
    collection: str  # "Prepayments": the URL segment and the envelope's key
    id_field: str  # "PrepaymentID"
    label: str  # "prepayment", in validation messages


CREDIT_KINDS: dict[str, CreditKind] = {
    ck.kind: ck
    for ck in (
        CreditKind("prepayment", "Prepayment", "Prepayments", "PrepaymentID", "prepayment"),
        CreditKind("overpayment", "Overpayment", "Overpayments", "OverpaymentID", "overpayment"),
        CreditKind("creditnote", "CreditNote", "CreditNotes", "CreditNoteID", "credit note"),
    )
}


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Account:
    account_id: str
    code: str
    name: str
    type: str  # BANK, REVENUE, CURRENT, ...
    status: str = "ACTIVE"
    tax_type: str = "NONE"
    enable_payments_to_account: bool = False
    bank_account_number: str | None = None
    system_account: str | None = None
    description: str | None = None
    updated: datetime | None = None

    @property
    def account_class(self) -> str:
        return {
            "BANK": "ASSET",
            "CURRENT": "ASSET",
            "FIXED": "ASSET",
            "INVENTORY": "ASSET",
            "NONCURRENT": "ASSET",
            "PREPAYMENT": "ASSET",
            "CURRLIAB": "LIABILITY",
            "LIABILITY": "LIABILITY",
            "TERMLIAB": "LIABILITY",
            "EQUITY": "EQUITY",
            "REVENUE": "REVENUE",
            "SALES": "REVENUE",
            "OTHERINCOME": "REVENUE",
        }.get(self.type, "EXPENSE")


@dataclass
class TaxRate:
    tax_type: str
    name: str
    rate: Decimal  # percent, e.g. Decimal("10")
    status: str = "ACTIVE"
    report_tax_type: str = "OUTPUT"


@dataclass
class Contact:
    contact_id: str
    name: str
    contact_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email_address: str | None = None
    account_number: str | None = None
    status: str = "ACTIVE"
    is_customer: bool = False
    is_supplier: bool = False
    updated: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # echoed fields (Addresses, Phones, ...)


@dataclass
class LineItem:
    line_item_id: str
    description: str | None
    quantity: Decimal
    unit_amount: Decimal
    line_amount: Decimal
    tax_amount: Decimal
    account_code: str | None = None
    account_id: str | None = None
    tax_type: str | None = None
    item_code: str | None = None
    discount_rate: Decimal | None = None
    tracking: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Totals:
    sub_total: Decimal = ZERO
    total_tax: Decimal = ZERO
    total: Decimal = ZERO


@dataclass
class Invoice:
    invoice_id: str
    type: str  # ACCREC / ACCPAY
    contact_id: str
    invoice_number: str | None
    date: dt.date
    due_date: dt.date | None
    status: str
    line_amount_types: str
    line_items: list[LineItem]
    totals: Totals
    reference: str | None = None
    currency_code: str = "AUD"
    currency_rate: Decimal = Decimal("1")
    sent_to_contact: bool = False
    url: str | None = None
    branding_theme_id: str | None = None
    expected_payment_date: dt.date | None = None
    fully_paid_on_date: dt.date | None = None
    updated: datetime | None = None
    created_seq: int = 0


@dataclass
class Payment:
    payment_id: str
    target_kind: str  # invoice | creditnote | prepayment | overpayment
    target_id: str
    account_id: str
    date: dt.date
    amount: Decimal
    payment_type: str
    status: str = "AUTHORISED"
    reference: str | None = None
    is_reconciled: bool = False
    currency_rate: Decimal = Decimal("1")
    updated: datetime | None = None


@dataclass
class Allocation:
    allocation_id: str
    source_kind: str  # prepayment | overpayment | creditnote
    source_id: str
    invoice_id: str
    amount: Decimal
    date: dt.date
    is_deleted: bool = False
    updated: datetime | None = None


@dataclass
class CreditDoc:
    """A prepayment, overpayment or credit note: something that carries credit."""

    kind: str  # prepayment | overpayment | creditnote
    doc_id: str
    type: str  # RECEIVE-PREPAYMENT, RECEIVE-OVERPAYMENT, ACCRECCREDIT, ...
    contact_id: str
    date: dt.date
    status: str
    line_amount_types: str
    line_items: list[LineItem]
    totals: Totals
    reference: str | None = None
    number: str | None = None  # CreditNoteNumber
    due_date: dt.date | None = None
    currency_code: str = "AUD"
    currency_rate: Decimal = Decimal("1")
    bank_transaction_id: str | None = None
    fully_paid_on_date: dt.date | None = None
    updated: datetime | None = None
    created_seq: int = 0


@dataclass
class BankTransaction:
    bank_transaction_id: str
    type: str
    contact_id: str
    bank_account_id: str
    date: dt.date
    status: str
    line_amount_types: str
    line_items: list[LineItem]
    totals: Totals
    reference: str | None = None
    is_reconciled: bool = False
    currency_code: str = "AUD"
    currency_rate: Decimal = Decimal("1")
    url: str | None = None
    prepayment_id: str | None = None
    overpayment_id: str | None = None
    updated: datetime | None = None
    created_seq: int = 0


@dataclass
class Organisation:
    organisation_id: str
    name: str
    short_code: str
    base_currency: str = "AUD"
    country_code: str = "AU"
    timezone: str = "AUSEASTERNSTANDARDTIME"
    version: str = "AU"
    period_lock_date: dt.date | None = None
    end_of_year_lock_date: dt.date | None = None
    created: datetime | None = None


@dataclass
class TenantState:
    """Everything one Xero organisation holds. Dict order = creation order."""

    tenant_id: str
    organisation: Organisation
    accounts: dict[str, Account] = field(default_factory=dict)  # by AccountID
    tax_rates: dict[str, TaxRate] = field(default_factory=dict)  # by TaxType
    contacts: dict[str, Contact] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    bank_transactions: dict[str, BankTransaction] = field(default_factory=dict)
    prepayments: dict[str, CreditDoc] = field(default_factory=dict)
    overpayments: dict[str, CreditDoc] = field(default_factory=dict)
    credit_notes: dict[str, CreditDoc] = field(default_factory=dict)
    allocations: dict[str, Allocation] = field(default_factory=dict)
    invoice_seq: int = 0
    credit_note_seq: int = 0
    created_seq: int = 0

    # ------------------------------------------------------------ lookups

    def next_seq(self) -> int:
        self.created_seq += 1
        return self.created_seq

    def account_by_code(self, code: str) -> Account | None:
        for acc in self.accounts.values():
            if acc.code == code:
                return acc
        return None

    def contact_by_name(self, name: str) -> Contact | None:
        key = name.strip().casefold()
        for c in self.contacts.values():
            if c.status == "ACTIVE" and c.name.strip().casefold() == key:
                return c
        return None

    def contact_by_number(self, number: str) -> Contact | None:
        for c in self.contacts.values():
            if c.contact_number == number:
                return c
        return None

    def invoice_by_number(self, number: str) -> Invoice | None:
        """Latest non-deleted invoice with this number (then any, deleted too)."""
        found = [i for i in self.invoices.values() if i.invoice_number == number]
        live = [i for i in found if i.status != "DELETED"]
        pick = live or found
        return pick[-1] if pick else None

    def credit_doc(self, kind: str, doc_id: str) -> CreditDoc | None:
        return self.credit_docs(kind).get(doc_id)

    def credit_docs(self, kind: str) -> dict[str, CreditDoc]:
        return {
            "prepayment": self.prepayments,
            "overpayment": self.overpayments,
            "creditnote": self.credit_notes,
        }[kind]

    def credit_note_by_number(self, number: str) -> CreditDoc | None:
        for cn in self.credit_notes.values():
            if cn.number == number:
                return cn
        return None

    # ------------------------------------------------------------ derived money

    def live_payments(self, kind: str, target_id: str) -> list[Payment]:
        return [
            p
            for p in self.payments.values()
            if p.target_kind == kind and p.target_id == target_id and p.status == "AUTHORISED"
        ]

    def live_allocations_to_invoice(self, invoice_id: str) -> list[Allocation]:
        return [
            a for a in self.allocations.values() if a.invoice_id == invoice_id and not a.is_deleted
        ]

    def live_allocations_from(self, kind: str, doc_id: str) -> list[Allocation]:
        return [
            a
            for a in self.allocations.values()
            if a.source_kind == kind and a.source_id == doc_id and not a.is_deleted
        ]

    def amount_paid(self, inv: Invoice) -> Decimal:
        return _sum(p.amount for p in self.live_payments("invoice", inv.invoice_id))

    def amount_credited(self, inv: Invoice) -> Decimal:
        return _sum(a.amount for a in self.live_allocations_to_invoice(inv.invoice_id))

    def amount_due(self, inv: Invoice) -> Decimal:
        if inv.status in ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID"):
            return inv.totals.total - self.amount_paid(inv) - self.amount_credited(inv)
        return ZERO

    def applied_amount(self, doc: CreditDoc) -> Decimal:
        return _sum(a.amount for a in self.live_allocations_from(doc.kind, doc.doc_id))

    def refunded_amount(self, doc: CreditDoc) -> Decimal:
        return _sum(p.amount for p in self.live_payments(doc.kind, doc.doc_id))

    def remaining_credit(self, doc: CreditDoc) -> Decimal:
        if doc.status in ("VOIDED", "DELETED"):
            return ZERO
        return doc.totals.total - self.applied_amount(doc) - self.refunded_amount(doc)

    # ------------------------------------------------------------ status upkeep

    def settle_invoice(self, inv: Invoice, now: datetime) -> None:
        """AUTHORISED <-> PAID as money comes and goes."""
        if inv.status not in ("AUTHORISED", "PAID"):
            return
        due = self.amount_due(inv)
        old = inv.status
        if due <= ZERO:
            inv.status = "PAID"
            dates = [p.date for p in self.live_payments("invoice", inv.invoice_id)]
            dates += [a.date for a in self.live_allocations_to_invoice(inv.invoice_id)]
            inv.fully_paid_on_date = max(dates) if dates else inv.date
        else:
            inv.status = "AUTHORISED"
            inv.fully_paid_on_date = None
        if inv.status != old:
            inv.updated = now

    def settle_credit_doc(self, doc: CreditDoc, now: datetime) -> None:
        if doc.status not in ("AUTHORISED", "PAID"):
            return
        old = doc.status
        if self.remaining_credit(doc) <= ZERO:
            doc.status = "PAID"
            dates = [p.date for p in self.live_payments(doc.kind, doc.doc_id)]
            dates += [a.date for a in self.live_allocations_from(doc.kind, doc.doc_id)]
            doc.fully_paid_on_date = max(dates) if dates else doc.date
        else:
            doc.status = "AUTHORISED"
            doc.fully_paid_on_date = None
        if doc.status != old:
            doc.updated = now

    def lock_date(self) -> tuple[dt.date | None, str]:
        """The effective lock date and which lock it is ('period'/'end of year')."""
        org = self.organisation
        candidates = [
            (d, k)
            for d, k in (
                (org.period_lock_date, "period"),
                (org.end_of_year_lock_date, "end of year"),
            )
            if d
        ]
        if not candidates:
            return None, ""
        return max(candidates, key=lambda pair: pair[0])


def _sum(values: Iterable[Decimal]) -> Decimal:
    total = ZERO
    for v in values:
        total += v
    return total


def seed_tenant(tenant_id: str, name: str, now: datetime) -> TenantState:
    """A small AU-style chart of accounts and tax rates, like a new Xero org."""
    org = Organisation(
        organisation_id=new_id(),
        name=name,
        short_code="!" + tenant_id.replace("-", "")[:5],
        created=now,
    )
    st = TenantState(tenant_id=tenant_id, organisation=org)
    for tr in (
        TaxRate("OUTPUT", "GST on Income", Decimal("10"), report_tax_type="OUTPUT"),
        TaxRate("INPUT", "GST on Expenses", Decimal("10"), report_tax_type="INPUT"),
        TaxRate("EXEMPTOUTPUT", "GST Free Income", Decimal("0"), report_tax_type="EXEMPTOUTPUT"),
        TaxRate(
            "EXEMPTEXPENSES", "GST Free Expenses", Decimal("0"), report_tax_type="EXEMPTEXPENSES"
        ),
        TaxRate("BASEXCLUDED", "BAS Excluded", Decimal("0"), report_tax_type="BASEXCLUDED"),
    ):
        st.tax_rates[tr.tax_type] = tr
    for code, acc_name, acc_type, tax, extra in (
        (
            "090",
            "Business Bank Account",
            "BANK",
            "BASEXCLUDED",
            {"enable_payments_to_account": True, "bank_account_number": "062000123456"},
        ),
        (
            "091",
            "Business Savings Account",
            "BANK",
            "BASEXCLUDED",
            {"enable_payments_to_account": True, "bank_account_number": "062000654321"},
        ),
        ("200", "Sales", "REVENUE", "OUTPUT", {}),
        ("260", "Other Revenue", "REVENUE", "OUTPUT", {}),
        ("270", "Interest Income", "REVENUE", "EXEMPTOUTPUT", {}),
        ("400", "Advertising", "EXPENSE", "INPUT", {}),
        ("404", "Bank Fees", "EXPENSE", "EXEMPTEXPENSES", {}),
        ("610", "Accounts Receivable", "CURRENT", "BASEXCLUDED", {"system_account": "DEBTORS"}),
        ("800", "Accounts Payable", "CURRLIAB", "BASEXCLUDED", {"system_account": "CREDITORS"}),
        ("820", "GST", "CURRLIAB", "BASEXCLUDED", {"system_account": "GST"}),
        ("835", "Income in Advance", "CURRLIAB", "BASEXCLUDED", {}),
    ):
        acc = Account(
            account_id=new_id(),
            code=code,
            name=acc_name,
            type=acc_type,
            tax_type=tax,
            updated=now,
            **extra,
        )
        st.accounts[acc.account_id] = acc
    return st
