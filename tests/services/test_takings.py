"""The day's takings agree with the invoices and payments to the cent."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from desktop.domain.billing import Invoice, PaymentMethod, Tender
from desktop.domain.clinic_time import local_date, local_to_utc
from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money
from desktop.domain.people import Practitioner
from desktop.domain.roles import Actor, Role
from desktop.services import billing, booking, credit
from desktop.services.context import ServiceContext
from desktop.services.takings import CREDIT_SALES, Takings, day_takings
from desktop.services.takings_files import csv_rows, render_takings_pdf, write_takings_csv
from tests.credit.helpers import pilates_pass
from tests.helpers.clinic import DAY, ZONE, ClinicFixture

NEXT_DAY = DAY + timedelta(days=1)


def _invoice(
    ctx: ServiceContext, clinic: ClinicFixture, who: Practitioner, hour: int, patient: int = 0
) -> Invoice:
    booked = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            who.id,
            clinic.consult.id,
            clinic.at(hour),
            patient_id=clinic.patients[patient].id,
        ),
    )
    invoice, _ = billing.invoice_appointment(ctx, booked.appointment.id)
    return invoice


def _pay(
    ctx: ServiceContext, invoice: Invoice, cents: int, method: PaymentMethod, on: date | None = DAY
) -> None:
    """Received on `on`, as a desk types it; None: on the day the clinic's clock says."""
    billing.take_payment(ctx, invoice.id, [Tender(Money(cents), method)], received_on=on)


def _at_clinic_time(ctx: ServiceContext, day: date, hour: int, minute: int) -> ServiceContext:
    """The same desk with its clock at a wall-clock time in the clinic (Sydney)."""
    instant = local_to_utc(day, time(hour, minute), ZONE)
    return replace(ctx, clock=lambda: instant)


@dataclass
class Day:
    """DAY at the clinic: Alice's three consults, one of Bob's, a package sold."""

    alice_paid: Invoice
    alice_owing: Invoice
    bob_paid: Invoice


@pytest.fixture
def busy_day(ctx: ServiceContext, clinic: ClinicFixture) -> Day:
    alice_paid = _invoice(ctx, clinic, clinic.alice, 9)
    _pay(ctx, alice_paid, 5000, PaymentMethod.CASH)  # split: $50 cash + $40 EFTPOS
    _pay(ctx, alice_paid, 4000, PaymentMethod.EFTPOS)
    billing.refund(
        ctx, alice_paid.id, Money(1550), PaymentMethod.CASH, "Overcharged", refunded_on=DAY
    )
    alice_owing = _invoice(ctx, clinic, clinic.alice, 10, patient=1)
    _pay(ctx, alice_owing, 2025, PaymentMethod.CARD)  # $69.75 still owing
    voided = _invoice(ctx, clinic, clinic.alice, 11, patient=2)
    billing.void_invoice(ctx, voided.id, "Raised in error")
    bob_paid = _invoice(ctx, clinic, clinic.bob, 9, patient=3)
    _pay(ctx, bob_paid, 9000, PaymentMethod.BANK_TRANSFER)
    # Paid at 00:30 clinic time (13:30 UTC, still DAY there): the next day's money.
    late = _invoice(ctx, clinic, clinic.bob, 12, patient=2)
    _pay(_at_clinic_time(ctx, NEXT_DAY, 0, 30), late, 9000, PaymentMethod.CASH, on=None)
    package = pilates_pass(ctx, clinic, sessions=5)  # $225.00
    credit.sell_package(ctx, clinic.patients[0].id, package.id, PaymentMethod.EFTPOS, sold_on=DAY)
    return Day(alice_paid, alice_owing, bob_paid)


def _method(takings: Takings, method: PaymentMethod) -> tuple[int, int, int]:
    row = next(r for r in takings.by_method if r.label == method.label)
    return row.received.cents, row.refunded.cents, row.credit_sold.cents


def _person(takings: Takings, name: str) -> tuple[int, int, int]:
    row = next(r for r in takings.by_practitioner if r.label == name)
    return row.received.cents, row.refunded.cents, row.credit_sold.cents


def test_takings_by_method_and_practitioner_agree_to_the_cent(
    ctx: ServiceContext, clinic: ClinicFixture, busy_day: Day
) -> None:
    takings = day_takings(ctx, DAY)
    assert _method(takings, PaymentMethod.CASH) == (5000, 1550, 0)
    assert _method(takings, PaymentMethod.EFTPOS) == (4000, 0, 22500)
    assert _method(takings, PaymentMethod.CARD) == (2025, 0, 0)
    assert _method(takings, PaymentMethod.BANK_TRANSFER) == (9000, 0, 0)
    assert takings.total.received.cents == 5000 + 4000 + 2025 + 9000
    assert takings.total.net.cents == 20025 - 1550 + 22500
    assert _person(takings, "Alice Physio") == (11025, 1550, 0)
    assert _person(takings, "Bob Pilates") == (9000, 0, 0)
    assert _person(takings, CREDIT_SALES) == (0, 0, 22500)
    by_people = sum(r.net.cents for r in takings.by_practitioner)
    assert by_people == takings.total.net.cents
    assert takings.drawer_cash == Money(5000 - 1550)
    # The voided invoice owes nothing; Alice's part-paid one does.
    assert (takings.owing_count, takings.owing_total) == (1, Money(9000 - 2025))
    invoices = [billing.get_invoice(ctx, i.id) for i in vars(busy_day).values()]
    assert sum(i.paid.cents for i in invoices) == takings.total.received.cents
    assert sum(i.refunded.cents for i in invoices) == takings.total.refunded.cents


def test_the_next_local_day_and_a_range(
    ctx: ServiceContext, clinic: ClinicFixture, busy_day: Day
) -> None:
    after = day_takings(ctx, NEXT_DAY)
    assert _method(after, PaymentMethod.CASH) == (9000, 0, 0)
    assert after.total.received == Money(9000)
    assert after.owing_count == 0  # the late consult's service was on DAY
    both = day_takings(ctx, DAY, NEXT_DAY)
    assert both.drawer_cash == Money(5000 - 1550 + 9000)
    assert (both.owing_count, both.owing_total) == (1, Money(6975))


def test_payments_either_side_of_midnight_count_on_their_clinic_day(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    before = _invoice(ctx, clinic, clinic.alice, 9)
    after = _invoice(ctx, clinic, clinic.bob, 9, patient=1)
    evening = _at_clinic_time(ctx, DAY, 23, 30)  # 12:30 UTC on DAY
    small_hours = _at_clinic_time(ctx, NEXT_DAY, 0, 30)  # 13:30 UTC, still DAY in UTC
    assert evening.now().date() == small_hours.now().date() == DAY
    _pay(evening, before, 9000, PaymentMethod.CASH, on=None)
    _pay(small_hours, after, 4000, PaymentMethod.EFTPOS, on=None)

    on_day, next_day = day_takings(ctx, DAY), day_takings(ctx, NEXT_DAY)
    assert on_day.total.received == Money(9000)
    assert on_day.drawer_cash == Money(9000)
    assert _method(on_day, PaymentMethod.EFTPOS) == (0, 0, 0)
    assert next_day.total.received == Money(4000)
    assert _method(next_day, PaymentMethod.EFTPOS) == (4000, 0, 0)
    assert next_day.drawer_cash == Money(0)
    received = [p.received_on for p in billing.get_invoice(ctx, before.id).payments]
    received += [p.received_on for p in billing.get_invoice(ctx, after.id).payments]
    assert received == [DAY, NEXT_DAY]


def test_credit_sold_late_in_the_evening_counts_on_that_clinic_day(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    package = pilates_pass(ctx, clinic, sessions=3)
    patient = clinic.patients[0].id
    evening = _at_clinic_time(ctx, DAY, 23, 30)  # 12:30 UTC on DAY
    small_hours = _at_clinic_time(ctx, NEXT_DAY, 0, 30)  # 13:30 UTC, still DAY in UTC
    late, _ = credit.sell_package(evening, patient, package.id, PaymentMethod.CASH)
    early, _ = credit.sell_package(small_hours, patient, package.id, PaymentMethod.CASH)

    assert (late.received_on, early.received_on) == (DAY, NEXT_DAY)
    assert day_takings(ctx, DAY).total.credit_sold == package.price
    assert day_takings(ctx, NEXT_DAY).total.credit_sold == package.price


def test_a_payment_taken_now_counts_on_the_clinics_local_day(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    invoice = _invoice(ctx, clinic, clinic.alice, 9)
    billing.take_payment(ctx, invoice.id, [Tender(Money(9000), PaymentMethod.CASH)])
    today = local_date(datetime.now(UTC), ZONE)
    assert day_takings(ctx, today).drawer_cash == Money(9000)
    assert day_takings(ctx, today - timedelta(days=1)).drawer_cash == Money(0)


def test_a_practitioner_sees_only_their_own(
    ctx: ServiceContext, clinic: ClinicFixture, busy_day: Day, monkeypatch
) -> None:
    bob = Actor(None, "Bob", Role.PRACTITIONER, clinic.bob.id)
    monkeypatch.setattr(ctx.actors, "current_actor", lambda: bob)
    takings = day_takings(ctx, DAY)
    assert takings.only_practitioner == "Bob Pilates"
    assert [r.label for r in takings.by_practitioner] == ["Bob Pilates"]
    assert takings.total.received == Money(9000)
    assert takings.total.credit_sold == Money(0)  # the desk's sales are not his
    assert takings.drawer_cash == Money(0)
    assert takings.owing_count == 0


def test_bad_ranges_are_refused(ctx: ServiceContext, clinic: ClinicFixture) -> None:
    with pytest.raises(InvalidInput, match="before the start"):
        day_takings(ctx, NEXT_DAY, DAY)
    with pytest.raises(InvalidInput, match="at most a year"):
        day_takings(ctx, DAY, DAY + timedelta(days=400))


def test_csv_and_pdf(ctx: ServiceContext, clinic: ClinicFixture, busy_day: Day, tmp_path) -> None:
    takings = day_takings(ctx, DAY)
    rows = csv_rows(takings)
    assert {"section": "Cash drawer", "line": "Cash to hold", "net": Money(3450)} in rows
    out = tmp_path / "takings.csv"
    write_takings_csv(takings, out)
    text = out.read_text(encoding="utf-8-sig")
    assert "By method,EFTPOS,40.00,0.00,225.00,265.00" in text
    assert "Still owing,1 invoices,,,,69.75" in text
    pdf = render_takings_pdf(takings)
    assert pdf.startswith(b"%PDF")
