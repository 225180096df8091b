"""The day's takings: what money came in and went out over a day (or a range of days).

What the desk checks at close (File ▸ Day's takings…, `frontdesk report takings`):

* **By method** (cash, credit card, EFTPOS, bank transfer): payments received on
  invoices, refunds handed back (on invoices and of unused credit), and credit
  sold (packages, money taken on account), and the net of the three.
* **By practitioner**: payments and refunds on the invoices of their services.
  Credit sold belongs to no practitioner yet (it is spent later, session by
  session), so it has its own row.
* **The drawer**: the cash it should hold from the day's business, cash in less
  cash handed back (the float is the desk's own business).
* **Still owing**: how many invoices for services in the range are not fully paid,
  and how much they owe now.

Days are the clinic's local days: every payment, refund and sale carries the
clinic-local date it happened on (stamped from the clinic's clock in its time
zone, or the date the desk typed for one recorded later), so a payment at 23:30
belongs to that evening, never to the next UTC day. Payments taken out as
entered in error and voided credit are left out; a voided invoice owes nothing.

A practitioner signed in sees only their own invoices' money; credit sales and
credit refunds (not tied to a practitioner) are the front desk's and not shown.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.billing import InvoiceStatus, PaymentMethod, PaymentStatus
from desktop.domain.credit import LotStatus
from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money
from desktop.domain.roles import Role
from desktop.services import calendar
from desktop.services.context import ServiceContext
from desktop.store.billing_models import InvoiceRow, PaymentRow, RefundRow
from desktop.store.billing_queries import to_invoice
from desktop.store.credit_models import CreditLotRow, CreditRefundRow
from desktop.store.models import PatientRow

MAX_TAKINGS_DAYS = 366
CREDIT_SALES = "Credit sales (no practitioner yet)"


@dataclass(frozen=True, slots=True)
class TakingsRow:
    """One line of the report: a payment method or a practitioner."""

    label: str
    received: Money
    refunded: Money
    credit_sold: Money

    @property
    def net(self) -> Money:
        return self.received + self.credit_sold - self.refunded


@dataclass(frozen=True, slots=True)
class Takings:
    clinic_name: str
    timezone: str
    first_day: date
    last_day: date
    by_method: tuple[TakingsRow, ...]
    by_practitioner: tuple[TakingsRow, ...]
    total: TakingsRow
    drawer_cash: Money
    owing_count: int
    owing_total: Money
    only_practitioner: str = ""  # set when a practitioner sees their own takings

    @property
    def period(self) -> str:
        if self.first_day == self.last_day:
            return f"{self.first_day:%A} {self.first_day.day} {self.first_day:%B %Y}"
        return (
            f"{self.first_day.day} {self.first_day:%B %Y} to "
            f"{self.last_day.day} {self.last_day:%B %Y}"
        )


@dataclass
class _Sums:
    received: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refunded: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    credit_sold: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def seen(self) -> set[str]:
        return set(self.received) | set(self.refunded) | set(self.credit_sold)

    def row(self, key: str, label: str, currency: str) -> TakingsRow:
        return TakingsRow(
            label,
            Money(self.received.get(key, 0), currency),
            Money(self.refunded.get(key, 0), currency),
            Money(self.credit_sold.get(key, 0), currency),
        )


def day_takings(ctx: ServiceContext, first_day: date, last_day: date | None = None) -> Takings:
    """The takings from `first_day` to `last_day` (inclusive; one day without it)."""
    actor = ctx.actor()
    last_day = last_day or first_day
    if last_day < first_day:
        raise InvalidInput("The end date is before the start date.")
    if (last_day - first_day).days >= MAX_TAKINGS_DAYS:
        raise InvalidInput("Show the takings for at most a year at a time.")
    clinic = calendar.main_clinic(ctx)
    own = actor.practitioner_id if actor.role is Role.PRACTITIONER else None
    if actor.role is Role.PRACTITIONER and own is None:
        raise InvalidInput("Your account is not linked to a practitioner; ask an administrator.")
    by_method, by_practitioner = _Sums(), _Sums()
    names: dict[str, str] = {}
    currency = "AUD"
    with ctx.database.reading() as session:
        for invoice, amount, method, refunded in _invoice_money(session, first_day, last_day, own):
            currency = invoice.currency
            key = str(invoice.practitioner_id)
            names[key] = invoice.practitioner_name
            (by_method.refunded if refunded else by_method.received)[method] += amount
            (by_practitioner.refunded if refunded else by_practitioner.received)[key] += amount
        if own is None:
            for amount, method in _credit_sold(session, first_day, last_day):
                by_method.credit_sold[method] += amount
                by_practitioner.credit_sold[CREDIT_SALES] += amount
            for amount, method in _credit_refunded(session, first_day, last_day):
                by_method.refunded[method] += amount
                by_practitioner.refunded[CREDIT_SALES] += amount
        owing = _owing(session, first_day, last_day, own)
    names[CREDIT_SALES] = CREDIT_SALES
    # Every method, even at $0: the desk checks each against its machine or drawer.
    methods = tuple(by_method.row(m.value, m.label, currency) for m in PaymentMethod)
    people = tuple(
        by_practitioner.row(key, names[key], currency)
        for key in sorted(by_practitioner.seen(), key=lambda k: (k == CREDIT_SALES, names[k]))
    )
    cash = by_method.row(PaymentMethod.CASH.value, "", currency)
    return Takings(
        clinic_name=clinic.name,
        timezone=clinic.timezone,
        first_day=first_day,
        last_day=last_day,
        by_method=methods,
        by_practitioner=people,
        total=_total(methods, currency),
        drawer_cash=cash.received + cash.credit_sold - cash.refunded,
        owing_count=len(owing),
        owing_total=Money(sum(owing), currency),
        only_practitioner=_own_name(ctx, own) if own else "",
    )


def _total(rows: Iterable[TakingsRow], currency: str) -> TakingsRow:
    zero = Money.zero(currency)
    received, refunded, sold = zero, zero, zero
    for row in rows:
        received, refunded, sold = (
            received + row.received,
            refunded + row.refunded,
            sold + row.credit_sold,
        )
    return TakingsRow("Total", received, refunded, sold)


def _own_name(ctx: ServiceContext, practitioner_id: uuid.UUID) -> str:
    everyone = calendar.practitioners(ctx, include_inactive=True)
    return next((p.name for p in everyone if p.id == practitioner_id), "")


def _invoice_money(
    session: Session, first: date, last: date, own: uuid.UUID | None
) -> Iterable[tuple[InvoiceRow, int, str, bool]]:
    """(invoice, cents, method, is_refund) for each payment and refund in the range."""
    payments = (
        select(InvoiceRow, PaymentRow.amount_cents, PaymentRow.method)
        .join(PaymentRow, PaymentRow.invoice_id == InvoiceRow.id)
        .where(
            PaymentRow.received_on.between(first, last),
            PaymentRow.status == PaymentStatus.RECEIVED.value,
        )
    )
    refunds = (
        select(InvoiceRow, RefundRow.amount_cents, RefundRow.method)
        .join(RefundRow, RefundRow.invoice_id == InvoiceRow.id)
        .where(RefundRow.refunded_on.between(first, last))
    )
    if own is not None:
        payments = payments.where(InvoiceRow.practitioner_id == own)
        refunds = refunds.where(InvoiceRow.practitioner_id == own)
    for invoice, amount, method in session.execute(payments).all():
        yield invoice, amount, method, False
    for invoice, amount, method in session.execute(refunds).all():
        yield invoice, amount, method, True


def _credit_sold(session: Session, first: date, last: date) -> list[tuple[int, str]]:
    """Credit paid for with money: packages sold, money on account (not credit notes)."""
    found = session.execute(
        select(CreditLotRow.amount_cents, CreditLotRow.method).where(
            CreditLotRow.received_on.between(first, last),
            CreditLotRow.status == LotStatus.ACTIVE.value,
            CreditLotRow.method != "",
        )
    ).all()
    return [(amount, method) for amount, method in found]


def _credit_refunded(session: Session, first: date, last: date) -> list[tuple[int, str]]:
    found = session.execute(
        select(CreditRefundRow.amount_cents, CreditRefundRow.method).where(
            CreditRefundRow.refunded_on.between(first, last)
        )
    ).all()
    return [(amount, method) for amount, method in found]


def _owing(session: Session, first: date, last: date, own: uuid.UUID | None) -> list[int]:
    """What each live invoice for a service in the range still owes (those owing only)."""
    query = select(InvoiceRow, PatientRow).join(PatientRow, PatientRow.id == InvoiceRow.patient_id)
    query = query.where(
        InvoiceRow.service_date.between(first, last),
        InvoiceRow.status == InvoiceStatus.ISSUED.value,
    )
    if own is not None:
        query = query.where(InvoiceRow.practitioner_id == own)
    dues = (to_invoice(row, patient).amount_due.cents for row, patient in session.execute(query))
    return [due for due in dues if due > 0]
