"""A document found in Xero by our reference is taken as ours only if it matches.

A payment whose first send may have landed is looked up by its Reference before it
is made again. What Xero holds under that Reference must also be for the same
amount on the same invoice: anything else (a bookkeeper's entry, a typo) parks the
job with a message naming both, and nothing in Xero is adopted, deleted or doubled.
"""

from __future__ import annotations

from decimal import Decimal

from xero_python.accounting import Account, Invoice, Payment, PaymentDelete, Payments

from desktop.domain import xero_sync
from desktop.domain.billing import Invoice as OurInvoice
from desktop.domain.outbox import JobState
from desktop.services import billing
from desktop.xero.links import XeroLinks
from tests.fakes.xero.sdk import make_sdk_client
from tests.xero.conftest import ConnectedClinic
from tests.xero.helpers import invoiced, paid


def _payment_lost_before_xero_saw_it(xero: ConnectedClinic, invoice: OurInvoice) -> str:
    """Pay the invoice; its first send dies on the way (Xero saved nothing), so the
    job must look up its Reference before it sends again. Returns that Reference."""
    xero.channel.api.hiccup_pauses = ()  # the round ends at the drop
    xero.fake.drop_connection_next(1, after_commit=False, path="/Payments", method="PUT")
    paid(xero, invoice)
    xero.sync()
    [job] = [j for j in xero.jobs(JobState.PENDING) if j.kind == xero_sync.PAYMENT]
    assert job.attempts == 1
    return str(job.payload["reference"])


def _bookkeeper_pays(xero: ConnectedClinic, number: str, amount: str, reference: str) -> str:
    """Someone records a payment in Xero by hand."""
    bookkeeper = make_sdk_client(xero.fake)
    in_xero = xero.fake.invoice_by_number(number)
    assert in_xero is not None
    answer = bookkeeper.accounting.create_payments(
        bookkeeper.tenant_id,
        Payments(
            payments=[
                Payment(
                    invoice=Invoice(invoice_id=in_xero.invoice_id),
                    account=Account(code="090"),
                    amount=Decimal(amount),
                    date=xero.fake.clock.today(),
                    reference=reference,
                )
            ]
        ),
        _request_timeout=bookkeeper.timeout,
    )
    return str(answer.payments[0].payment_id)


def test_a_payment_of_another_amount_under_our_reference_is_named_not_adopted(
    xero: ConnectedClinic,
) -> None:
    invoice = invoiced(xero)
    xero.sync_until_quiet()
    reference = _payment_lost_before_xero_saw_it(xero, invoice)
    theirs = _bookkeeper_pays(xero, invoice.number, "10.00", reference)

    xero.fake.clock.advance(minutes=10)
    report = xero.sync_until_quiet()

    assert report.parked == 1
    [parked] = xero.jobs(JobState.PARKED)
    assert parked.last_error == (
        f"Xero already has a payment with Reference {reference}, for $10.00 on invoice "
        f"{invoice.number}, but Frontdesk's is for {invoice.total} on invoice "
        f"{invoice.number}. Frontdesk has not taken it as this one: check that payment "
        "in Xero (delete it there if it is wrong), then press Retry."
    )
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None
    assert [p.payment_id for p in xero.fake.payments_for_invoice(in_xero)] == [theirs]
    [payment] = billing.get_invoice(xero.ctx, invoice.id).payments
    assert XeroLinks(xero.database).payment_id(payment.id) is None

    # The clinic deletes the stray payment in Xero and presses Retry: ours goes.
    bookkeeper = make_sdk_client(xero.fake)
    bookkeeper.accounting.delete_payment(
        bookkeeper.tenant_id,
        theirs,
        PaymentDelete(status="DELETED"),
        _request_timeout=bookkeeper.timeout,
    )
    assert xero.queue.retry_now(parked.id, xero.now())
    xero.sync_until_quiet()

    assert not xero.jobs(JobState.PARKED, JobState.PENDING)
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"
    [ours] = xero.fake.payments_for_invoice(in_xero)
    assert ours.reference == reference and ours.payment_id != theirs
    assert XeroLinks(xero.database).payment_id(payment.id) == ours.payment_id


def test_a_payment_on_another_invoice_under_our_reference_is_named_not_adopted(
    xero: ConnectedClinic,
) -> None:
    first, second = invoiced(xero, patient=0), invoiced(xero, patient=1, hour=10)
    assert first.total == second.total  # the same amount: only the invoice differs
    xero.sync_until_quiet()
    reference = _payment_lost_before_xero_saw_it(xero, first)
    theirs = _bookkeeper_pays(xero, second.number, str(second.total.to_decimal()), reference)

    xero.fake.clock.advance(minutes=10)
    xero.sync_until_quiet()

    [parked] = xero.jobs(JobState.PARKED)
    assert f"for {first.total} on invoice {second.number}, but Frontdesk's" in parked.last_error
    assert f"is for {first.total} on invoice {first.number}." in parked.last_error
    on_first = xero.fake.invoice_by_number(first.number)
    on_second = xero.fake.invoice_by_number(second.number)
    assert on_first is not None and on_second is not None
    assert xero.fake.payments_for_invoice(on_first) == []
    assert [p.payment_id for p in xero.fake.payments_for_invoice(on_second)] == [theirs]


def test_a_payment_that_matches_is_adopted_not_made_twice(xero: ConnectedClinic) -> None:
    """The same Reference, amount and invoice: the lost answer's payment is ours."""
    invoice = invoiced(xero)
    xero.sync_until_quiet()
    xero.channel.api.hiccup_pauses = ()  # the round ends at the drop
    xero.fake.drop_connection_next(1, after_commit=True, path="/Payments", method="PUT")
    paid(xero, invoice)
    xero.sync()
    xero.fake.clock.advance(minutes=10)  # past Xero's memory of the Idempotency-Key
    xero.sync_until_quiet()

    assert not xero.jobs(JobState.PARKED, JobState.PENDING)
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"
    [only] = xero.fake.payments_for_invoice(in_xero)
    assert len(xero.fake.requests_to("/Payments", "PUT")) == 1
    [payment] = billing.get_invoice(xero.ctx, invoice.id).payments
    assert XeroLinks(xero.database).payment_id(payment.id) == only.payment_id
