"""Prepaid packages and patient credit: what a patient holds, and how it pays for sessions.

A *package* is a product the clinic sells ("10 x Pilates Reformer", $450, ten
sessions, Reformer classes only, valid 6 months). Selling one gives the patient a
*credit lot*. Lots also come from money received on account (an overpayment) and
from credit notes (a goodwill credit, a cancelled class).

Every session is still invoiced at full fee, one invoice per service (health funds
claim each service on its own receipt). Credit pays that invoice through a dated
*application* of part of a lot, never a lump sum and never a $0 receipt. In Xero a
lot is a prepayment (RECEIVE-PREPAYMENT), an overpayment (RECEIVE-OVERPAYMENT) or
an ACCRECCREDIT credit note, and each application is an allocation of it.

How a session is paid from credit (decisions written down here):

* Only lots that are live, not expired on the date of service, eligible for the
  session's appointment type and with money left are used.
* Oldest-expiring first (lots that never expire last), then oldest first — with
  one exception: a usable pass pays its whole session before any money credit,
  so a session never uses up a pass for the few dollars money credit left over.
* A *session* lot (a package of N sessions) pays one session per invoice, at its
  per-session value: the price split evenly, any odd cents going to the first
  sessions, so ten sessions add up to exactly the price. If the session fee is
  above that value, the rest stays owing (the patient pays the gap); a pass never
  pays more than its per-session value.
* A *money* lot (credit amount, overpayment, credit note) pays as much of what is
  owing as it holds; several lots can pay one invoice.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money

# Xero job kinds (the Xero connector registers a sender for each) and their stages.
# A lot reaches Xero beside invoices (after the contact); allocations go after both;
# refunds of unused credit last.
XERO_CREDIT = "xero.credit"
XERO_ALLOCATION = "xero.allocation"
XERO_CREDIT_REFUND = "xero.credit_refund"
STAGE_CREDIT = 20
STAGE_ALLOCATION = 35
STAGE_CREDIT_REFUND = 45

LOT_PREFIX = "FDC-"


class CreditSource(enum.StrEnum):
    PACKAGE = "package"  # sold: a Xero prepayment
    OVERPAYMENT = "overpayment"  # money received on account: a Xero overpayment
    CREDIT_NOTE = "credit_note"  # goodwill, a cancelled class: a Xero credit note

    @property
    def label(self) -> str:
        return {
            "package": "Package",
            "overpayment": "Money on account",
            "credit_note": "Credit note",
        }[self.value]

    @property
    def xero_kind(self) -> str:
        """The Xero document the lot becomes."""
        return {
            "package": "prepayment",
            "overpayment": "overpayment",
            "credit_note": "creditnote",
        }[self.value]


class LotStatus(enum.StrEnum):
    ACTIVE = "active"
    VOIDED = "voided"


class ApplicationStatus(enum.StrEnum):
    APPLIED = "applied"
    RETURNED = "returned"  # the session was voided or cancelled: the credit came back


def lot_number(sequence: int, series: str = "") -> str:
    """Credit lots are numbered like invoices: FDC-000012, on desk B FDC-B-000012
    (also their Xero Reference)."""
    if series:
        return f"{LOT_PREFIX}{series}-{sequence:06d}"
    return f"{LOT_PREFIX}{sequence:06d}"


def application_number(lot_no: str, position: int, desk: str = "") -> str:
    return f"{lot_no}-A{position}{desk}"


def refund_number(lot_no: str, position: int, desk: str = "") -> str:
    return f"{lot_no}-R{position}{desk}"


@dataclass(frozen=True, slots=True)
class Package:
    """A sellable product: either a number of sessions or an amount of credit."""

    id: uuid.UUID
    name: str
    price: Money
    sessions: int | None = None  # None: a credit amount (the price) rather than sessions
    eligible_type_ids: frozenset[uuid.UUID] = frozenset()  # empty: any appointment type
    valid_days: int | None = None  # None: never expires
    active: bool = True
    version: int = 1

    def expires_on(self, sold_on: date) -> date | None:
        return sold_on + timedelta(days=self.valid_days) if self.valid_days else None

    @property
    def describe(self) -> str:
        what = f"{self.sessions} sessions" if self.sessions else f"{self.price} of credit"
        return f"{self.name} ({what}, {self.price})"


def ensure_package(name: str, price: Money, sessions: int | None, valid_days: int | None) -> None:
    if not name.strip():
        raise InvalidInput("Give the package a name.")
    if price.cents <= 0:
        raise InvalidInput("A package must cost more than $0.00.")
    if sessions is not None and not 1 <= sessions <= 500:
        raise InvalidInput("A package holds between 1 and 500 sessions.")
    if valid_days is not None and valid_days <= 0:
        raise InvalidInput("A package's validity must be at least one day.")


@dataclass(frozen=True, slots=True)
class Application:
    """Part of a lot paying one session's invoice, on a date."""

    id: uuid.UUID
    lot_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    number: str
    amount: Money
    applied_on: date
    status: ApplicationStatus = ApplicationStatus.APPLIED
    service_date: date | None = None
    type_name: str = ""
    xero_allocation_id: str | None = None

    @property
    def live(self) -> bool:
        return self.status is ApplicationStatus.APPLIED


@dataclass(frozen=True, slots=True)
class CreditRefund:
    id: uuid.UUID
    lot_id: uuid.UUID
    number: str
    amount: Money
    method: str
    refunded_on: date
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CreditLot:
    id: uuid.UUID
    patient_id: uuid.UUID
    number: str
    source: CreditSource
    description: str
    amount: Money  # what the patient paid (or was credited)
    received_on: date
    sessions: int | None = None  # a pass of N sessions; None: money credit
    expires_on: date | None = None
    eligible_type_ids: frozenset[uuid.UUID] = frozenset()
    status: LotStatus = LotStatus.ACTIVE
    package_id: uuid.UUID | None = None
    applications: tuple[Application, ...] = ()
    refunds: tuple[CreditRefund, ...] = ()
    xero_credit_id: str | None = None
    version: int = 1

    @property
    def live_applications(self) -> tuple[Application, ...]:
        return tuple(a for a in self.applications if a.live)

    @property
    def used(self) -> Money:
        return sum((a.amount for a in self.live_applications), Money.zero(self.amount.currency))

    @property
    def refunded(self) -> Money:
        return sum((r.amount for r in self.refunds), Money.zero(self.amount.currency))

    @property
    def remaining(self) -> Money:
        if self.status is LotStatus.VOIDED:
            return Money.zero(self.amount.currency)
        return self.amount - self.used - self.refunded

    @property
    def sessions_used(self) -> int:
        return len(self.live_applications)

    @property
    def sessions_left(self) -> int | None:
        if self.sessions is None:
            return None
        if self.remaining.cents <= 0:
            return 0
        return max(self.sessions - self.sessions_used, 0)

    def expired(self, on: date) -> bool:
        return self.expires_on is not None and on > self.expires_on

    def eligible(self, type_id: uuid.UUID) -> bool:
        return not self.eligible_type_ids or type_id in self.eligible_type_ids

    def usable(self, type_id: uuid.UUID, on: date) -> bool:
        return (
            self.status is LotStatus.ACTIVE
            and self.remaining.cents > 0
            and not self.expired(on)
            and self.eligible(type_id)
            and (self.sessions is None or (self.sessions_left or 0) > 0)
        )

    def next_session_value(self) -> Money:
        """What the next session on a pass is worth (money lots: what is left)."""
        if self.sessions is None:
            return self.remaining
        return min(session_share(self.amount, self.sessions, self.sessions_used), self.remaining)


def session_share(price: Money, sessions: int, index: int) -> Money:
    """The value of session `index` (0-based) of a pass: the price split evenly, odd
    cents to the first sessions, so the shares add up to the price exactly."""
    base, odd = divmod(price.cents, sessions)
    return Money(base + (1 if index < odd else 0), price.currency)


def _order(lot: CreditLot) -> tuple[bool, date, date, str]:
    return (
        lot.expires_on is None,
        lot.expires_on or date.max,
        lot.received_on,
        lot.number,
    )


def usable_lots(lots: Iterable[CreditLot], type_id: uuid.UUID, on: date) -> list[CreditLot]:
    """Lots that can pay a session of this type on this date, in the order they are used."""
    return sorted((lot for lot in lots if lot.usable(type_id, on)), key=_order)


@dataclass(frozen=True, slots=True)
class Share:
    lot_id: uuid.UUID
    amount: Money


def plan_application(
    lots: Sequence[CreditLot], due: Money, type_id: uuid.UUID, on: date
) -> list[Share]:
    """Which lots pay how much of `due` for a session of `type_id` on `on`.

    Oldest-expiring first; a pass pays at most one session's value; money lots
    pay what they hold. Returns nothing when nothing usable is left."""
    shares: list[Share] = []
    left = due
    usable = usable_lots(lots, type_id, on)
    # A pass pays a whole session first (oldest-expiring pass), so a session never burns
    # a pass for a few dollars; money credit, oldest-expiring first, pays what is left.
    passes = [lot for lot in usable if lot.sessions is not None][:1]
    money = [lot for lot in usable if lot.sessions is None]
    for lot in [*passes, *money]:
        if left.cents <= 0:
            break
        take = min(lot.next_session_value(), left)
        if take.cents <= 0:
            continue
        shares.append(Share(lot.id, take))
        left = left - take
    return shares


def ensure_manual_application(
    lot: CreditLot, due: Money, amount: Money, type_id: uuid.UUID, on: date
) -> None:
    """A receptionist applying credit by hand (auto-apply off, or a second try)."""
    if amount.cents <= 0:
        raise InvalidInput("Apply more than $0.00 of credit.")
    if lot.status is not LotStatus.ACTIVE:
        raise InvalidInput(f"Credit {lot.number} is void.")
    if lot.expired(on):
        raise InvalidInput(f"Credit {lot.number} expired on {lot.expires_on:%d/%m/%Y}.")
    if not lot.eligible(type_id):
        raise InvalidInput(f"Credit {lot.number} cannot be used for this kind of appointment.")
    if amount > lot.remaining:
        raise InvalidInput(f"Only {lot.remaining} is left on {lot.number}.")
    if amount > due:
        raise InvalidInput(f"Only {due} is owing on this invoice.")


def ensure_added_credit(
    source: CreditSource, amount: Money, description: str, *, method_given: bool
) -> None:
    """Credit given by hand: money received on account (how it was paid), or a credit
    note (goodwill, a cancelled class). Either says what it is for."""
    if source is CreditSource.PACKAGE:
        raise InvalidInput("A package's credit comes from selling the package.")
    if amount.cents <= 0:
        raise InvalidInput("Credit must be more than $0.00.")
    if source is CreditSource.OVERPAYMENT and not method_given:
        raise InvalidInput("Say how the money was paid.")
    if not description.strip():
        raise InvalidInput("Describe the credit (e.g. “Goodwill: class cancelled”).")


def ensure_credit_refund(lot: CreditLot, amount: Money) -> None:
    if lot.status is not LotStatus.ACTIVE:
        raise InvalidInput(f"Credit {lot.number} is void; there is nothing to refund.")
    if amount.cents <= 0:
        raise InvalidInput("A refund must be more than $0.00.")
    if amount > lot.remaining:
        raise InvalidInput(
            f"Only {lot.remaining} of {lot.number} is unused; {amount} cannot be refunded."
        )


@dataclass(frozen=True, slots=True)
class LotSummary:
    """One line of the patient's card: a package or credit and what is left of it."""

    lot: CreditLot
    expired: bool

    @property
    def text(self) -> str:
        lot = self.lot
        if lot.sessions is not None:
            left = f"{lot.sessions_left} of {lot.sessions} sessions left"
        else:
            left = f"{lot.remaining} of {lot.amount} left"
        expiry = f", expires {lot.expires_on:%d/%m/%Y}" if lot.expires_on else ""
        if self.expired:
            expiry = f", expired {lot.expires_on:%d/%m/%Y}"
        return f"{lot.description}: {left}{expiry}"


@dataclass(frozen=True, slots=True)
class CreditStatement:
    """A patient's credit: the balance, every use, what is left of each package."""

    patient_id: uuid.UUID
    balance: Money
    lots: tuple[LotSummary, ...] = ()
    uses: tuple[Application, ...] = field(default_factory=tuple)


def statement(
    patient_id: uuid.UUID, lots: Sequence[CreditLot], today: date, currency: str = "AUD"
) -> CreditStatement:
    live = [lot for lot in lots if lot.status is LotStatus.ACTIVE]
    balance = sum((lot.remaining for lot in live), Money.zero(currency))
    summaries = tuple(LotSummary(lot, lot.expired(today)) for lot in sorted(live, key=_order))
    uses = tuple(
        sorted(
            (a for lot in lots for a in lot.applications),
            key=lambda a: (a.applied_on, a.number),
        )
    )
    return CreditStatement(patient_id, balance, summaries, uses)
