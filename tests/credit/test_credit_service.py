"""Packages and credit through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.domain.appointments import CancellationReason
from desktop.domain.billing import PaidStatus, PaymentMethod, Tender
from desktop.domain.credit import CreditSource
from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money
from desktop.services import billing, booking, credit
from desktop.services.context import ServiceContext
from tests.credit.helpers import book_class, consult, invoice_class, pilates_pass, sell
from tests.helpers.clinic import DAY, ClinicFixture


def test_a_pass_pays_each_session_by_a_dated_application(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=3))
    assert lot.number == "FDC-000001" and lot.remaining == Money(13500)
    invoices = [invoice_class(ctx, clinic, book_class(ctx, clinic, week)) for week in range(3)]
    for invoice in invoices:
        assert invoice.total == Money(4500)  # full fee, never a $0 receipt
        assert invoice.paid_status is PaidStatus.PAID
        assert [c.amount for c in invoice.credits] == [Money(4500)]
        assert invoice.credits[0].applied_on == invoice.issued_on
    card = credit.patient_credit(ctx, clinic.patients[0].id)
    assert card.balance.is_zero()
    assert len(card.uses) == 3
    assert card.lots[0].lot.sessions_left == 0
    # A fourth class: nothing left, so it stays owing.
    fourth = invoice_class(ctx, clinic, book_class(ctx, clinic, 3))
    assert fourth.paid_status is PaidStatus.UNPAID


def test_only_eligible_types_are_paid_and_oldest_expiring_goes_first(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    physio = consult(ctx, clinic)
    assert physio.paid_status is PaidStatus.UNPAID  # the pass is for Reformer only
    goodwill, _ = credit.add_credit(
        ctx,
        clinic.patients[0].id,
        Money(2000),
        CreditSource.CREDIT_NOTE,
        "Goodwill: class cancelled",
        expires_on=DAY + timedelta(days=30),
    )
    # A pass pays the whole session; the credit note is kept.
    first = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    assert [(c.number, c.amount.cents) for c in first.credits] == [("FDC-000001-A1", 4500)]
    sooner, _ = credit.add_credit(
        ctx,
        clinic.patients[0].id,
        Money(8000),
        CreditSource.CREDIT_NOTE,
        "Sooner",
        expires_on=DAY + timedelta(days=10),
    )
    # $90, and $100 of credit in two notes: only the order decides which keeps the rest.
    second = consult(ctx, clinic, hour=11)
    used = {c.number: c.amount.cents for c in second.credits}
    assert used == {"FDC-000003-A1": 8000, "FDC-000002-A1": 1000}  # sooner-expiring first
    assert second.amount_due.is_zero()
    assert credit.get_lot(ctx, sooner.id).remaining.is_zero()
    assert credit.get_lot(ctx, goodwill.id).remaining == Money(1000)
    # Expired credit is not used.
    late = invoice_class(ctx, clinic, book_class(ctx, clinic, 20))
    assert late.paid_status is PaidStatus.PAID  # the pass never expires
    expired, _ = credit.add_credit(
        ctx,
        clinic.patients[0].id,
        Money(5000),
        CreditSource.CREDIT_NOTE,
        "Expired",
        expires_on=DAY - timedelta(days=1),
    )
    third = consult(ctx, clinic, hour=13)
    assert [c.amount.cents for c in third.credits] == [1000]  # the goodwill's rest only
    assert third.amount_due == Money(8000)
    assert credit.get_lot(ctx, expired.id).remaining == Money(5000)


def test_auto_apply_off_then_by_hand(ctx: ServiceContext, clinic: ClinicFixture) -> None:
    credit.set_auto_apply(ctx, False)
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    assert invoice.paid_status is PaidStatus.UNPAID
    applied, changes = credit.apply_credit(ctx, invoice.id, lot.id)
    assert changes.billing and [a.amount for a in applied] == [Money(4500)]
    assert billing.get_invoice(ctx, invoice.id).paid_status is PaidStatus.PAID
    with pytest.raises(InvalidInput, match="paid in full"):
        credit.apply_credit(ctx, invoice.id)
    with pytest.raises(InvalidInput, match="already paid in full"):
        billing.take_payment(ctx, invoice.id, [Tender(Money(100), PaymentMethod.CASH)])


def test_void_returns_the_credit(ctx: ServiceContext, clinic: ClinicFixture) -> None:
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    class_id = book_class(ctx, clinic, 0)
    invoice = invoice_class(ctx, clinic, class_id)
    assert credit.patient_credit(ctx, clinic.patients[0].id).balance == Money(4500)
    voided, _ = billing.void_invoice(ctx, invoice.id, "Invoiced in error")
    assert voided.paid_status is PaidStatus.VOID and voided.credits == ()
    card = credit.patient_credit(ctx, clinic.patients[0].id)
    assert card.balance == Money(9000)
    assert card.lots[0].lot.sessions_left == 2


def test_cancelling_a_credit_paid_session_returns_the_credit(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    class_id = book_class(ctx, clinic, 0)
    invoice = invoice_class(ctx, clinic, class_id)
    booked = booking.cancel_attendance(
        ctx, class_id, clinic.patients[0].id, CancellationReason.SICK
    )
    assert booked.changes.billing
    assert billing.get_invoice(ctx, invoice.id).paid_status is PaidStatus.VOID
    card = credit.patient_credit(ctx, clinic.patients[0].id)
    assert card.balance == Money(9000)
    assert card.lots[0].lot.sessions_left == 2


def test_cancelling_a_session_paid_with_money_leaves_the_invoice_to_the_clinic(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    invoice = consult(ctx, clinic)
    billing.take_payment(ctx, invoice.id, [Tender(Money(9000), PaymentMethod.CASH)])
    booking.cancel_appointment(
        ctx, invoice.service.appointment_id, CancellationReason.FEELING_BETTER
    )
    kept = billing.get_invoice(ctx, invoice.id)
    assert kept.paid_status is not PaidStatus.VOID


def test_part_paid_then_topped_up_and_refund_of_unused(
    ctx: ServiceContext, clinic: ClinicFixture
) -> None:
    lot, _ = credit.add_credit(
        ctx,
        clinic.patients[0].id,
        Money(5000),
        CreditSource.OVERPAYMENT,
        "Paid ahead",
        method=PaymentMethod.CASH,
    )
    invoice = consult(ctx, clinic)  # $90, $50 of credit
    assert invoice.credited == Money(5000) and invoice.paid_status is PaidStatus.PART_PAID
    paid, _ = billing.take_payment(ctx, invoice.id, [Tender(Money(4000), PaymentMethod.EFTPOS)])
    assert paid.paid_status is PaidStatus.PAID
    with pytest.raises(InvalidInput, match="unused"):
        credit.refund_credit(ctx, lot.id, Money(100), PaymentMethod.CASH, "moving away")
    other, _ = credit.add_credit(
        ctx,
        clinic.patients[1].id,
        Money(3000),
        CreditSource.OVERPAYMENT,
        "Paid ahead",
        method=PaymentMethod.CASH,
    )
    refunded, _ = credit.refund_credit(ctx, other.id, Money(1000), PaymentMethod.CASH, "moving")
    assert refunded.remaining == Money(2000) and refunded.refunds[0].number.endswith("-R1")


def test_returning_one_use_by_hand(ctx: ServiceContext, clinic: ClinicFixture) -> None:
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    card = credit.patient_credit(ctx, clinic.patients[0].id)
    credit.return_credit(ctx, card.uses[0].id, "applied to the wrong class")
    assert billing.get_invoice(ctx, invoice.id).paid_status is PaidStatus.UNPAID
    assert credit.patient_credit(ctx, clinic.patients[0].id).balance == Money(9000)
    with pytest.raises(InvalidInput, match="already given back"):
        credit.return_credit(ctx, card.uses[0].id, "again")


def test_package_rules(ctx: ServiceContext, clinic: ClinicFixture) -> None:
    pilates_pass(ctx, clinic)
    with pytest.raises(InvalidInput, match="already a package"):
        pilates_pass(ctx, clinic)
    with pytest.raises(InvalidInput, match="more than"):
        credit.create_package(ctx, credit.PackageDetails("Free", Money(0)))
    assert [p.name for p in credit.packages(ctx)] == ["10 x Pilates Reformer"]
