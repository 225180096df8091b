"""Packages and credit in Xero: the real SDK against the Xero fake, clocks injected."""

from __future__ import annotations

from decimal import Decimal

from xero_python.accounting import Account, Invoice, Payment, PaymentDelete, Payments

from desktop.domain.appointments import CancellationReason
from desktop.domain.billing import InvoiceEdit
from desktop.domain.credit import XERO_ALLOCATION, CreditSource
from desktop.domain.money import Money
from desktop.domain.outbox import JobState
from desktop.services import billing, booking, credit
from tests.credit.helpers import book_class, consult, invoice_class, pilates_pass, sell
from tests.xero.conftest import ConnectedClinic


def _prepayment_credit(xero: ConnectedClinic, lot_id: object) -> Decimal:
    lot = credit.get_lot(xero.ctx, lot_id)  # type: ignore[arg-type]
    assert lot.xero_credit_id
    document = xero.fake.prepayment(lot.xero_credit_id)
    assert document is not None
    return xero.fake.remaining_credit(document)


def test_ten_class_pass_over_ten_sessions_with_a_cancellation_and_a_429_storm(
    xero: ConnectedClinic,
) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=10))
    invoices = [invoice_class(ctx, clinic, book_class(ctx, clinic, week)) for week in range(4)]
    xero.sync_until_quiet()
    assert _prepayment_credit(xero, lot.id) == Decimal("270.00")

    # Week 4 is invoiced, reaches Xero, then the patient cancels: cancelling the session
    # voids its credit-paid invoice and gives the credit back, here and in Xero.
    cancelled_class = book_class(ctx, clinic, 4)
    cancelled = invoice_class(ctx, clinic, cancelled_class)
    xero.sync_until_quiet()
    booked = booking.cancel_attendance(
        ctx, cancelled_class, clinic.patients[0].id, CancellationReason.SICK
    )
    assert booked.changes.billing and cancelled.id in booked.changes.ids

    # Xero says "slow down" again and again while the rest of the term is invoiced.
    xero.fake.throttle_next(6, retry_after=30, problem="minute")
    invoices += [invoice_class(ctx, clinic, book_class(ctx, clinic, week)) for week in range(5, 11)]
    xero.sync_until_quiet(rounds=60)

    assert sum(1 for r in xero.fake.requests if r.status == 429) == 6
    assert not xero.jobs(JobState.PARKED, JobState.PENDING, JobState.HELD)
    assert len(invoices) == 10
    for invoice in invoices:
        in_xero = xero.fake.invoice_by_number(invoice.number)
        assert in_xero is not None and in_xero.status == "PAID", invoice.number
        assert xero.fake.payments_for_invoice(in_xero) == []  # paid by allocations only
    voided = xero.fake.invoice_by_number(cancelled.number)
    assert voided is not None and voided.status == "VOIDED"
    assert credit.patient_credit(ctx, clinic.patients[0].id).balance.is_zero()
    assert _prepayment_credit(xero, lot.id) == Decimal("0.00")


def test_a_refused_allocation_is_parked_and_goes_again_after_an_edit(
    xero: ConnectedClinic,
) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    credit.set_auto_apply(ctx, False)
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=5))
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()
    # Someone takes $10 against the invoice in Xero by hand.
    xero_invoice_id = billing.get_invoice(ctx, invoice.id).xero_invoice_id
    assert xero_invoice_id
    hand = xero.channel.api.call(
        "create_payments",
        payments=Payments(
            payments=[
                Payment(
                    invoice=Invoice(invoice_id=xero_invoice_id),
                    account=Account(code="090"),
                    date=xero.fake.clock.today(),
                    amount=Decimal("10.00"),
                    reference="by hand",
                )
            ]
        ),
    ).payments[0]
    credit.apply_credit(ctx, invoice.id, lot.id)
    xero.sync_until_quiet()
    parked = [j for j in xero.jobs(JobState.PARKED) if j.kind == XERO_ALLOCATION]
    assert len(parked) == 1
    assert "exceeds the amount outstanding" in parked[0].last_error

    # The hand payment is removed in Xero and the invoice is edited: the allocation goes.
    xero.channel.api.call(
        "delete_payment",
        payment_id=str(hand.payment_id),
        payment_delete=PaymentDelete(status="DELETED"),
    )
    current = billing.get_invoice(ctx, invoice.id)
    billing.edit_invoice(
        ctx, invoice.id, InvoiceEdit(description="Reformer class (pass)"), current.version
    )
    xero.sync_until_quiet()
    assert not xero.jobs(JobState.PARKED)
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"
    assert _prepayment_credit(xero, lot.id) == Decimal("180.00")


def test_a_void_restores_the_credit_on_both_sides(xero: ConnectedClinic) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()
    assert _prepayment_credit(xero, lot.id) == Decimal("45.00")
    billing.void_invoice(ctx, invoice.id, "Booked in error")
    xero.sync_until_quiet()
    assert not xero.jobs(JobState.PARKED)
    assert _prepayment_credit(xero, lot.id) == Decimal("90.00")
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "VOIDED"
    assert credit.patient_credit(ctx, clinic.patients[0].id).balance == Money(9000)


def test_a_lost_answer_never_allocates_twice(xero: ConnectedClinic) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=3))
    xero.sync_until_quiet()
    xero.channel.api.hiccup_pauses = ()  # the round ends at the drop: the next one looks
    xero.fake.drop_connection_next(1, after_commit=True, path="/Allocations", method="PUT")
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()
    assert not xero.jobs(JobState.PARKED)
    assert _prepayment_credit(xero, lot.id) == Decimal("90.00")
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"


def test_overpayment_credit_note_and_refund_reach_xero(xero: ConnectedClinic) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    on_account, _ = credit.add_credit(
        ctx,
        clinic.patients[0].id,
        Money(5000),
        CreditSource.OVERPAYMENT,
        "Paid ahead",
        method=billing.PaymentMethod.CASH,
    )
    goodwill, _ = credit.add_credit(
        ctx, clinic.patients[0].id, Money(6000), CreditSource.CREDIT_NOTE, "Goodwill"
    )
    invoice = consult(ctx, clinic)  # $90: $50 on account (older) + $40 of the goodwill
    assert invoice.amount_due.is_zero()
    credit.refund_credit(ctx, goodwill.id, Money(500), billing.PaymentMethod.CASH, "rounding")
    xero.sync_until_quiet()
    assert not xero.jobs(JobState.PARKED, JobState.PENDING)
    on_account = credit.get_lot(ctx, on_account.id)
    goodwill = credit.get_lot(ctx, goodwill.id)
    over = xero.fake.overpayment(str(on_account.xero_credit_id))
    note = xero.fake.credit_note(str(goodwill.xero_credit_id))
    assert over is not None and note is not None
    assert xero.fake.remaining_credit(over) == Decimal("0.00")
    assert goodwill.remaining == Money(1500)
    assert xero.fake.remaining_credit(note) == Decimal("15.00")
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"


def test_editing_an_invoice_paid_from_credit_keeps_it_paid_in_xero(
    xero: ConnectedClinic,
) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    lot = sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=2))
    invoice = invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()
    current = billing.get_invoice(ctx, invoice.id)
    edited, _ = billing.edit_invoice(
        ctx, invoice.id, InvoiceEdit(description="Reformer (renamed)"), current.version
    )
    assert edited.amount_due.is_zero()
    xero.sync_until_quiet()
    assert not xero.jobs(JobState.PARKED, JobState.PENDING)
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"
    assert in_xero.line_items[0].description == "Reformer (renamed)"
    assert _prepayment_credit(xero, lot.id) == Decimal("45.00")
    card = credit.patient_credit(ctx, clinic.patients[0].id)
    assert card.balance == Money(4500)
    assert [(u.number, u.live) for u in card.uses] == [
        ("FDC-000001-A1", False),
        ("FDC-000001-A2", True),
    ]


def test_a_days_credit_goes_in_few_calls(xero: ConnectedClinic) -> None:
    """Issue 13, fewer calls: packages share one PUT /BankTransactions, and the uses
    of one credit share one PUT .../Allocations."""
    clinic, ctx = xero.clinic, xero.ctx
    package = pilates_pass(ctx, clinic, sessions=10)
    lot = sell(ctx, clinic, package, patient=0)
    sell(ctx, clinic, package, patient=1)
    invoices = [invoice_class(ctx, clinic, book_class(ctx, clinic, week)) for week in range(3)]
    xero.sync_until_quiet()

    [bank] = xero.fake.requests_to("/BankTransactions", "PUT")
    assert len(bank.json["BankTransactions"]) == 2
    [allocations] = xero.fake.requests_to("/Allocations", "PUT")
    assert len(allocations.json["Allocations"]) == 3
    for invoice in invoices:
        in_xero = xero.fake.invoice_by_number(invoice.number)
        assert in_xero is not None and in_xero.status == "PAID"
    assert _prepayment_credit(xero, lot.id) == Decimal("315.00")


def test_a_mixed_day_goes_at_two_or_more_documents_per_call(xero: ConnectedClinic) -> None:
    """Issue 13, fewer calls: a day's mix — contacts, invoices, card payments, passes sold
    and sessions paid from them — reaches Xero at 2 or more documents per call, lookups
    included, when nothing fails (bench/xero_day_mix.py prints the same for a bigger day)."""
    from desktop.domain.billing import PaymentMethod, Tender

    clinic, ctx = xero.clinic, xero.ctx
    package = pilates_pass(ctx, clinic, sessions=10)
    for patient in (0, 1):
        invoice = consult(ctx, clinic, hour=9 + patient, patient=patient)
        billing.take_payment(ctx, invoice.id, [Tender(invoice.total, PaymentMethod.CARD)])
    for patient in (2, 3):
        sell(ctx, clinic, package, patient=patient)
        for week in range(3):
            invoice_class(ctx, clinic, book_class(ctx, clinic, week, patient), patient)
    documents = 4 + (2 + 6) + 2 + 2 + 6  # contacts, invoices, payments, passes, allocations
    before = len(xero.fake.requests)
    xero.sync_until_quiet()

    calls = [r for r in xero.fake.requests[before:] if "/api.xro/" in r.path]
    assert {job.state for job in xero.queue.jobs()} == {JobState.DONE}
    assert len(xero.fake.state.allocations) == 6
    assert all(i.status == "PAID" for i in xero.fake.state.invoices.values())
    assert documents / len(calls) >= 2, [f"{r.method} {r.path}" for r in calls]
