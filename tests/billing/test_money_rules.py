"""The billing rules on their own: what a payment, a refund or a void may do."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import billing
from desktop.domain.billing import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PaidStatus,
    PaymentMethod,
    PaymentRecord,
    PaymentStatus,
    PaymentTooLarge,
    RefundRecord,
    ServiceDetails,
    Tender,
)
from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money
from desktop.domain.xero_sync import contact_name, contact_number, payment_reference

DAY = date(2031, 3, 3)


def invoice(fee: int = 9000, paid: tuple[int, ...] = (), refunded: tuple[int, ...] = ()) -> Invoice:
    service = ServiceDetails(
        uuid.uuid4(),
        DAY,
        "Consult",
        "505",
        uuid.uuid4(),
        "Alice",
        "2448761A",
        uuid.uuid4(),
        "Clinic",
    )
    return Invoice(
        id=uuid.uuid4(),
        number="FD-000001",
        patient_id=uuid.uuid4(),
        patient_name="Sam Lee",
        patient_number=1,
        service=service,
        issued_on=DAY,
        due_on=DAY,
        lines=(InvoiceLine("Consult", Money(fee), item_code="505"),),
        payments=tuple(
            PaymentRecord(uuid.uuid4(), f"FD-000001-P{i}", Money(c), PaymentMethod.CASH, DAY)
            for i, c in enumerate(paid, 1)
        ),
        refunds=tuple(
            RefundRecord(uuid.uuid4(), f"FD-000001-R{i}", Money(c), PaymentMethod.CASH, DAY)
            for i, c in enumerate(refunded, 1)
        ),
    )


def test_numbers_are_readable_and_ordered() -> None:
    assert billing.invoice_number(123) == "FD-000123"
    assert billing.payment_number("FD-000123", 2) == "FD-000123-P2"
    assert billing.refund_number("FD-000123", 1) == "FD-000123-R1"
    assert contact_number(42) == "FDP-000042"
    assert contact_name("Sam", "Lee", 2) == "Sam Lee (#2)"
    assert payment_reference("FD-000123-P1", 1) == "FD-000123-P1"
    assert payment_reference("FD-000123-P1", 3) == "FD-000123-P1.3"


def test_paid_status_follows_the_money() -> None:
    assert invoice().paid_status is PaidStatus.UNPAID
    assert invoice(paid=(4000,)).paid_status is PaidStatus.PART_PAID
    assert invoice(paid=(4000, 5000)).paid_status is PaidStatus.PAID
    assert invoice(paid=(9000,), refunded=(2000,)).paid_status is PaidStatus.PART_REFUNDED
    assert invoice(paid=(9000,), refunded=(9000,)).paid_status is PaidStatus.REFUNDED
    voided = invoice()
    object.__setattr__(voided, "status", InvoiceStatus.VOIDED)
    assert voided.paid_status is PaidStatus.VOID and voided.amount_due.is_zero()


def test_a_removed_payment_does_not_count() -> None:
    inv = invoice(paid=(9000,))
    removed = PaymentRecord(
        uuid.uuid4(), "P", Money(9000), PaymentMethod.CARD, DAY, status=PaymentStatus.DELETED
    )
    object.__setattr__(inv, "payments", (removed,))
    assert inv.amount_due == Money(9000)


@given(
    st.integers(min_value=1, max_value=500_00),
    st.lists(st.integers(min_value=1, max_value=500_00), min_size=1, max_size=4),
)
def test_split_payments_never_exceed_what_is_owing(due: int, parts: list[int]) -> None:
    tenders = [Tender(Money(c), PaymentMethod.CASH) for c in parts]
    if sum(parts) <= due:
        billing.ensure_tenders(Money(due), tenders)
    else:
        with pytest.raises(PaymentTooLarge, match="more than the"):
            billing.ensure_tenders(Money(due), tenders)


def test_payments_must_be_positive_and_owed() -> None:
    with pytest.raises(InvalidInput, match=r"more than \$0.00"):
        billing.ensure_tenders(Money(9000), [Tender(Money(0), PaymentMethod.CASH)])
    with pytest.raises(PaymentTooLarge, match="already paid in full"):
        billing.ensure_tenders(Money(0), [Tender(Money(100), PaymentMethod.CASH)])
    with pytest.raises(InvalidInput, match="Enter an amount"):
        billing.ensure_tenders(Money(100), [])


def test_refunds_are_limited_to_what_was_paid() -> None:
    billing.ensure_refund(invoice(paid=(9000,), refunded=(1000,)), Money(8000))
    with pytest.raises(InvalidInput, match=r"Only \$80.00 has been paid"):
        billing.ensure_refund(invoice(paid=(9000,), refunded=(1000,)), Money(8001))


def test_void_and_edit_rules() -> None:
    with pytest.raises(InvalidInput, match="has payments"):
        billing.ensure_voidable(invoice(paid=(100,)))
    billing.ensure_voidable(invoice())
    with pytest.raises(InvalidInput, match="cannot be less than that"):
        billing.ensure_editable(invoice(paid=(5000,)), Money(4000))
    with pytest.raises(InvalidInput, match="has refunds"):
        billing.ensure_editable(invoice(paid=(5000,), refunded=(100,)), Money(9000))
    billing.ensure_editable(invoice(paid=(5000,)), Money(5000))
