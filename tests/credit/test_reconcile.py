"""Reconciliation finds differences planted directly in the Xero fake."""

from __future__ import annotations

from desktop.domain.money import Money
from desktop.services import reconcile
from desktop.xero.reconcile import reconcile_with_xero
from tests.credit.helpers import book_class, invoice_class, pilates_pass, sell
from tests.fakes.xero import XeroFake
from tests.xero.conftest import ConnectedClinic


def plant_a_deleted_allocation(fake: XeroFake, invoice_number: str) -> None:
    """Someone removes the credit from an invoice in Xero (Frontdesk is not told)."""
    state = fake.state
    invoice = fake.invoice_by_number(invoice_number)
    assert invoice is not None
    allocation = next(a for a in state.allocations.values() if a.invoice_id == invoice.invoice_id)
    allocation.is_deleted = True
    document = fake.prepayment(allocation.source_id)
    assert document is not None
    now = fake.clock.now()
    state.settle_invoice(invoice, now)
    state.settle_credit_doc(document, now)


def test_reconciliation_lists_a_difference_planted_in_xero(xero: ConnectedClinic) -> None:
    clinic, ctx = xero.clinic, xero.ctx
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=5))
    invoices = [invoice_class(ctx, clinic, book_class(ctx, clinic, week)) for week in range(2)]
    xero.sync_until_quiet()
    clean = reconcile_with_xero(ctx, xero.channel.api)
    assert clean.clean, [d.text for d in clean.differences]
    assert clean.patients == 1 and clean.documents == 3

    plant_a_deleted_allocation(xero.fake, invoices[1].number)
    found = reconcile_with_xero(ctx, xero.channel.api)
    texts = [d.text for d in found.differences]
    assert len(texts) == 2, texts
    assert "credit FDC-000001 (prepayment): Frontdesk $135.00 left, Xero $180.00 left" in texts[0]
    assert "allocation" in found.differences[0].fix
    assert f"invoice {invoices[1].number}: Frontdesk paid, Xero $45.00 owing" in texts[1]
    assert "Retry" in found.differences[1].fix


def test_compare_is_pure_and_flags_pending_work() -> None:
    import uuid

    lot = reconcile.CreditBook(uuid.uuid4(), "FDC-000001", "prepayment", None, Money(100), True)
    book = reconcile.PatientBook(uuid.uuid4(), "Sam Lee (#1)", (lot,), ())
    result = reconcile.compare([book], {}, {})
    assert [d.pending for d in result.differences] == [True]
    assert "Run the Xero sync" in result.differences[0].fix


def test_reconciliation_waits_out_a_short_rate_limit(xero: ConnectedClinic) -> None:
    """Issue 13, defect 3: a 429 with Retry-After 2 s is waited out, not a failure."""
    clinic, ctx = xero.clinic, xero.ctx
    sell(ctx, clinic, pilates_pass(ctx, clinic, sessions=5))
    invoice_class(ctx, clinic, book_class(ctx, clinic, 0))
    xero.sync_until_quiet()
    xero.fake.throttle_next(2, retry_after=2, problem="minute")
    started = xero.now()

    result = reconcile_with_xero(ctx, xero.channel.api)

    assert result.clean, [d.text for d in result.differences]
    assert sum(1 for r in xero.fake.requests if r.status == 429) == 2
    assert (xero.now() - started).total_seconds() >= 4  # it waited, on the fake's clock
