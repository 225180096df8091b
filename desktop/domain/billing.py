"""Invoices, payments and refunds: what a clinic bills and the rules money must obey.

One invoice per service (an individual appointment, or one patient's place in a
class), because an Australian health fund claims each service on its own
receipt: full fee, date of service, item number, the practitioner's provider
number *for that location*, the patient, and whether it is paid.

Money is whole cents (`Money`). An invoice's balance is derived, never stored:
amount due = total - payments received. A refund hands money back against a
paid invoice (in Xero: a credit note refunded in cash); it never makes the
invoice "unpaid" again, it makes it "refunded".
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money

INVOICE_PREFIX = "FD-"


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    CARD = "card"  # credit card (card machine / HICAPS gap)
    EFTPOS = "eftpos"
    BANK_TRANSFER = "bank_transfer"

    @property
    def label(self) -> str:
        return {
            "cash": "Cash",
            "card": "Credit card",
            "eftpos": "EFTPOS",
            "bank_transfer": "Bank transfer",
        }[self.value]


class InvoiceStatus(enum.StrEnum):
    ISSUED = "issued"
    VOIDED = "voided"


class PaymentStatus(enum.StrEnum):
    RECEIVED = "received"
    DELETED = "deleted"  # entered in error and taken back out (not a refund)


class PaidStatus(enum.StrEnum):
    """What a receipt says about the money, for the patient and the health fund."""

    UNPAID = "unpaid"
    PART_PAID = "part_paid"
    PAID = "paid"
    PART_REFUNDED = "part_refunded"
    REFUNDED = "refunded"
    VOID = "void"

    @property
    def label(self) -> str:
        return {
            "unpaid": "Unpaid",
            "part_paid": "Part paid",
            "paid": "Paid",
            "part_refunded": "Paid, part refunded",
            "refunded": "Refunded",
            "void": "Void",
        }[self.value]


class PaymentTooLarge(InvalidInput):
    """A payment (or the payments taken together) would exceed the amount due."""


def invoice_number(sequence: int, series: str = "") -> str:
    """Invoice numbers are unique and sequential in their series: FD-000123 on a desk
    of its own, FD-B-000123 on desk B of a shared clinic (desktop.store.numbering)."""
    if series:
        return f"{INVOICE_PREFIX}{series}-{sequence:06d}"
    return f"{INVOICE_PREFIX}{sequence:06d}"


def payment_number(invoice_no: str, position: int, desk: str = "") -> str:
    """The n-th payment on an invoice: FD-000123-P1; taken at desk B: FD-000123-P1B."""
    return f"{invoice_no}-P{position}{desk}"


def refund_number(invoice_no: str, position: int, desk: str = "") -> str:
    return f"{invoice_no}-R{position}{desk}"


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    description: str
    unit_price: Money
    quantity: int = 1
    item_code: str = ""

    @property
    def amount(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class ServiceDetails:
    """The facts of the service a health fund claim needs, frozen at invoicing time."""

    appointment_id: uuid.UUID
    service_date: date  # in the clinic's time zone
    type_name: str
    item_code: str
    practitioner_id: uuid.UUID
    practitioner_name: str
    provider_number: str  # at the clinic where the service was given; "" when none recorded
    clinic_id: uuid.UUID
    clinic_name: str


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: uuid.UUID
    number: str
    amount: Money
    method: PaymentMethod
    received_on: date
    reference: str = ""
    status: PaymentStatus = PaymentStatus.RECEIVED
    version: int = 1
    xero_payment_id: str | None = None

    @property
    def live(self) -> bool:
        return self.status is PaymentStatus.RECEIVED


@dataclass(frozen=True, slots=True)
class RefundRecord:
    id: uuid.UUID
    number: str
    amount: Money
    method: PaymentMethod
    refunded_on: date
    reason: str = ""
    version: int = 1


@dataclass(frozen=True, slots=True)
class CreditPaid:
    """Part of a patient's credit (a package, money on account) paying this invoice,
    on a date: the receipt lists it like a payment (issue 7, desktop.domain.credit)."""

    number: str
    amount: Money
    applied_on: date
    description: str = ""


@dataclass(frozen=True, slots=True)
class Invoice:
    id: uuid.UUID
    number: str
    patient_id: uuid.UUID
    patient_name: str
    patient_number: int
    service: ServiceDetails
    issued_on: date
    due_on: date
    lines: tuple[InvoiceLine, ...]
    status: InvoiceStatus = InvoiceStatus.ISSUED
    void_reason: str = ""
    payments: tuple[PaymentRecord, ...] = ()
    refunds: tuple[RefundRecord, ...] = ()
    currency: str = "AUD"
    version: int = 1
    xero_invoice_id: str | None = None
    patient_health_fund: str = ""
    patient_health_fund_number: str = ""
    credits: tuple[CreditPaid, ...] = ()

    @property
    def total(self) -> Money:
        return sum((line.amount for line in self.lines), Money.zero(self.currency))

    @property
    def live_payments(self) -> tuple[PaymentRecord, ...]:
        return tuple(p for p in self.payments if p.live)

    @property
    def paid(self) -> Money:
        return sum((p.amount for p in self.live_payments), Money.zero(self.currency))

    @property
    def refunded(self) -> Money:
        return sum((r.amount for r in self.refunds), Money.zero(self.currency))

    @property
    def credited(self) -> Money:
        """Paid from the patient's credit (dated applications; see domain.credit)."""
        return sum((c.amount for c in self.credits), Money.zero(self.currency))

    @property
    def amount_due(self) -> Money:
        if self.status is InvoiceStatus.VOIDED:
            return Money.zero(self.currency)
        return self.total - self.paid - self.credited

    @property
    def refundable(self) -> Money:
        return self.paid - self.refunded

    @property
    def paid_status(self) -> PaidStatus:
        if self.status is InvoiceStatus.VOIDED:
            return PaidStatus.VOID
        if self.refunded.cents > 0:
            return PaidStatus.REFUNDED if self.refundable.is_zero() else PaidStatus.PART_REFUNDED
        if self.amount_due.cents <= 0:
            return PaidStatus.PAID
        paid_any = self.paid.cents > 0 or self.credited.cents > 0
        return PaidStatus.PART_PAID if paid_any else PaidStatus.UNPAID


@dataclass(frozen=True, slots=True)
class Tender:
    """One part of a payment as the receptionist takes it (split payments have several)."""

    amount: Money
    method: PaymentMethod
    reference: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceEdit:
    """What can change on an issued invoice: the fee, the wording, the invoice date, and
    the service facts a wrong invoice (one Xero refused, say) is corrected with: the
    appointment type, the date of service, the practitioner. None: unchanged."""

    unit_price: Money | None = None
    description: str | None = None
    issued_on: date | None = None
    type_id: uuid.UUID | None = None
    service_date: date | None = None
    practitioner_id: uuid.UUID | None = None

    @property
    def changes_service(self) -> bool:
        return any(x is not None for x in (self.type_id, self.service_date, self.practitioner_id))


# --------------------------------------------------------------------------- rules


def ensure_tenders(due: Money, tenders: Sequence[Tender]) -> None:
    """Each part positive; together no more than what is owed."""
    if not tenders:
        raise InvalidInput("Enter an amount to pay.")
    for tender in tenders:
        if tender.amount.currency != due.currency:
            raise InvalidInput(f"Payments must be in {due.currency}.")
        if tender.amount.cents <= 0:
            raise InvalidInput("A payment must be more than $0.00.")
    if due.cents <= 0:
        raise PaymentTooLarge("This invoice is already paid in full.")
    total = sum((t.amount for t in tenders), Money.zero(due.currency))
    if total > due:
        raise PaymentTooLarge(
            f"{total} is more than the {due} still owing on this invoice. "
            "Take the amount owing, or less."
        )


def ensure_payment_edit(due_without_it: Money, amount: Money) -> None:
    """An edited payment may be at most what is owing once the old amount is put back."""
    if amount.cents <= 0:
        raise InvalidInput("A payment must be more than $0.00.")
    if amount > due_without_it:
        raise PaymentTooLarge(
            f"{amount} is more than the {due_without_it} owing on this invoice "
            "(counting this payment as not yet made)."
        )


def ensure_refund(invoice: Invoice, amount: Money) -> None:
    if invoice.status is InvoiceStatus.VOIDED:
        raise InvalidInput(f"Invoice {invoice.number} is void; there is nothing to refund.")
    if amount.cents <= 0:
        raise InvalidInput("A refund must be more than $0.00.")
    if amount > invoice.refundable:
        raise InvalidInput(
            f"Only {invoice.refundable} has been paid on {invoice.number} and not yet "
            f"refunded; {amount} cannot be refunded."
        )


def ensure_voidable(invoice: Invoice) -> None:
    if invoice.status is InvoiceStatus.VOIDED:
        raise InvalidInput(f"Invoice {invoice.number} is already void.")
    if invoice.live_payments:
        raise InvalidInput(
            f"Invoice {invoice.number} has payments. Remove payments entered in error, "
            "or refund the patient, before voiding it."
        )


def ensure_editable(invoice: Invoice, new_total: Money) -> None:
    if invoice.status is InvoiceStatus.VOIDED:
        raise InvalidInput(f"Invoice {invoice.number} is void and cannot be changed.")
    if invoice.refunds:
        raise InvalidInput(f"Invoice {invoice.number} has refunds and cannot be changed.")
    if new_total.cents <= 0:
        raise InvalidInput("An invoice must be for more than $0.00.")
    settled = invoice.paid + invoice.credited
    if new_total < settled:
        raise InvalidInput(
            f"{invoice.number} has {settled} paid already; the fee cannot be less than that."
        )
