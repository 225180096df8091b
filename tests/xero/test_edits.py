"""Refusals park with Xero's own words; an edit supersedes the parked job and syncs by
itself. Edits of what Xero already has are done Xero's way (payments are deleted and
made again; an invoice with payments loses them while it is changed)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from desktop.domain import xero_sync
from desktop.domain.billing import InvoiceEdit, PaymentMethod
from desktop.domain.money import Money
from desktop.domain.outbox import JobState
from desktop.services import billing, xero_settings
from tests.fakes.xero import Msg
from tests.xero.conftest import ConnectedClinic
from tests.xero.helpers import invoiced, paid


def test_a_payment_in_a_closed_period_is_parked_then_fixed_by_editing_it(
    xero: ConnectedClinic,
) -> None:
    invoice = invoiced(xero)
    xero.sync_until_quiet()
    xero.fake.set_lock_date(date(2026, 6, 30))
    invoice = paid(xero, invoice)
    [payment] = invoice.payments
    # Back-dated into the closed period:
    invoice, _ = billing.edit_payment(
        xero.ctx,
        payment.id,
        amount=payment.amount,
        method=payment.method,
        received_on=date(2026, 6, 1),
        expected_version=payment.version,
    )
    report = xero.sync_until_quiet()
    assert report.parked == 1
    [parked] = xero.jobs(JobState.PARKED)
    assert parked.last_error == Msg.LOCKED_PERIOD.format(lock="period", date="30-Jun-2026")
    status = xero_settings.queue_status(xero.ctx)
    assert [(job.label, job.reason) for job in status.attention] == [
        (f"Payment {payment.number}", parked.last_error)
    ]
    sync = xero_settings.invoice_sync_status(xero.ctx, invoice.id)
    assert sync.state is xero_sync.SyncState.PARKED and "lock date" in sync.text

    fixed = billing.get_invoice(xero.ctx, invoice.id).payments[0]
    billing.edit_payment(
        xero.ctx,
        payment.id,
        amount=payment.amount,
        method=payment.method,
        received_on=date(2026, 7, 2),
        expected_version=fixed.version,
    )
    assert [j.state for j in xero.jobs() if j.id == parked.id] == [JobState.SUPERSEDED]
    report = xero.sync_until_quiet()
    assert report.parked == 0
    in_xero = xero.fake.invoice_by_number(invoice.number)
    [live] = xero.fake.payments_for_invoice(in_xero)
    # Never in Xero, so it keeps its first Reference (issue 13, defect 4).
    assert live.date == date(2026, 7, 2) and live.reference == payment.number
    assert in_xero.status == "PAID"
    assert (
        xero_settings.invoice_sync_status(xero.ctx, invoice.id).state is xero_sync.SyncState.SYNCED
    )


def test_an_unknown_account_code_is_parked_until_the_mapping_is_fixed_and_retried(
    xero: ConnectedClinic,
) -> None:
    xero_settings.set_account_mapping(
        xero.ctx, income_account_code="999", bank_account_code="090", tax_type="EXEMPTOUTPUT"
    )
    invoice = invoiced(xero)
    report = xero.sync_until_quiet()
    assert report.parked == 1
    [parked] = xero.jobs(JobState.PARKED)
    assert parked.last_error == Msg.ACCOUNT_CODE_INVALID.format(code="999")
    xero_settings.set_account_mapping(
        xero.ctx, income_account_code="200", bank_account_code="090", tax_type="EXEMPTOUTPUT"
    )
    xero_settings.retry_job(xero.ctx, parked.id)
    xero.sync_until_quiet()
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.line_items[0].account_code == "200"
    assert len(xero.fake.state.invoices) == 1


def test_editing_a_synced_payment_deletes_it_in_xero_and_makes_it_again(
    xero: ConnectedClinic,
) -> None:
    invoice = paid(xero, invoiced(xero), 5000)
    xero.sync_until_quiet()
    [payment] = billing.get_invoice(xero.ctx, invoice.id).payments
    first_xero_id = payment.xero_payment_id
    assert first_xero_id is not None

    billing.edit_payment(
        xero.ctx,
        payment.id,
        amount=Money(9000),
        method=PaymentMethod.CARD,
        received_on=payment.received_on,
        expected_version=payment.version,
    )
    xero.sync_until_quiet()
    in_xero = xero.fake.invoice_by_number(invoice.number)
    every = xero.fake.payments_for_invoice(in_xero, include_deleted=True)
    assert {(p.reference, p.status, p.amount) for p in every} == {
        (payment.number, "DELETED", Decimal("50.00")),
        (f"{payment.number}.2", "AUTHORISED", Decimal("90.00")),
    }
    assert in_xero.status == "PAID"
    now = billing.get_invoice(xero.ctx, invoice.id).payments[0]
    assert now.xero_payment_id not in (None, first_xero_id)


def test_a_removed_payment_is_deleted_in_xero(xero: ConnectedClinic) -> None:
    invoice = paid(xero, invoiced(xero), 9000)
    xero.sync_until_quiet()
    [payment] = billing.get_invoice(xero.ctx, invoice.id).payments
    billing.delete_payment(xero.ctx, payment.id, "Card declined after all")
    xero.sync_until_quiet()
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert xero.fake.payments_for_invoice(in_xero) == []
    assert in_xero.status == "AUTHORISED" and xero.fake.amount_due(in_xero) == Decimal("90.00")


def test_editing_a_paid_invoice_takes_its_payments_off_first_and_puts_them_back(
    xero: ConnectedClinic,
) -> None:
    invoice = paid(xero, invoiced(xero), 4000, 5000)
    xero.sync_until_quiet()
    assert xero.fake.invoice_by_number(invoice.number).status == "PAID"
    current = billing.get_invoice(xero.ctx, invoice.id)
    billing.edit_invoice(
        xero.ctx, invoice.id, InvoiceEdit(unit_price=Money(12000)), current.version
    )
    report = xero.sync_until_quiet()
    assert report.parked == 0, report.errors
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero.totals.total == Decimal("120.00")
    live = xero.fake.payments_for_invoice(in_xero)
    assert sorted(p.amount for p in live) == [Decimal("40.00"), Decimal("50.00")]
    assert xero.fake.amount_due(in_xero) == Decimal("30.00")
    assert in_xero.status == "AUTHORISED"
    assert len(xero.fake.state.invoices) == 1


def test_a_payment_recorded_by_hand_in_xero_is_never_deleted_by_an_edit(
    xero: ConnectedClinic,
) -> None:
    invoice = invoiced(xero)
    xero.sync_until_quiet()
    from xero_python.accounting import Account, Invoice, Payment, Payments

    from tests.fakes.xero.sdk import make_sdk_client

    bookkeeper = make_sdk_client(xero.fake)
    in_xero = xero.fake.invoice_by_number(invoice.number)
    bookkeeper.accounting.create_payments(
        bookkeeper.tenant_id,
        Payments(
            payments=[
                Payment(
                    invoice=Invoice(invoice_id=in_xero.invoice_id),
                    account=Account(code="090"),
                    amount=Decimal("10.00"),
                    date=date(2026, 11, 1),
                    reference="Direct deposit",
                )
            ]
        ),
        _request_timeout=bookkeeper.timeout,
    )
    current = billing.get_invoice(xero.ctx, invoice.id)
    billing.edit_invoice(xero.ctx, invoice.id, InvoiceEdit(unit_price=Money(8000)), current.version)
    report = xero.sync_until_quiet()
    assert report.parked == 1
    [parked] = xero.jobs(JobState.PARKED)
    assert "outside Frontdesk" in parked.last_error
    assert len(xero.fake.payments_for_invoice(in_xero)) == 1


def test_voiding_reaches_xero_and_a_void_before_sync_sends_nothing(
    xero: ConnectedClinic,
) -> None:
    synced = invoiced(xero, patient=0)
    xero.sync_until_quiet()
    billing.void_invoice(xero.ctx, synced.id, "Booked in error")
    never_sent = invoiced(xero, patient=1, hour=11)
    billing.void_invoice(xero.ctx, never_sent.id, "Booked in error")
    xero.sync_until_quiet()
    assert xero.fake.invoice_by_number(synced.number).status == "VOIDED"
    assert xero.fake.invoice_by_number(never_sent.number) is None
    assert {job.state for job in xero.jobs()} <= {JobState.DONE, JobState.SUPERSEDED}


def test_a_refund_is_a_credit_note_refunded_in_xero(xero: ConnectedClinic) -> None:
    invoice = paid(xero, invoiced(xero))
    billing.refund(xero.ctx, invoice.id, Money(3000), PaymentMethod.EFTPOS, "Session cut short")
    report = xero.sync_until_quiet()
    assert report.parked == 0, report.errors
    [note] = xero.fake.state.credit_notes.values()
    assert note.number == f"{invoice.number}-R1" and note.status == "PAID"
    assert note.totals.total == Decimal("30.00")
    assert xero.fake.invoice_by_number(invoice.number).status == "PAID"
    mine = billing.get_invoice(xero.ctx, invoice.id)
    assert mine.paid_status.value == "part_refunded"


def test_patient_edits_follow_to_the_xero_contact(xero: ConnectedClinic) -> None:
    from desktop.services.patients import PatientDetails, update_patient

    patient = xero.clinic.patients[2]
    xero.sync_until_quiet()
    update_patient(
        xero.ctx,
        patient.id,
        PatientDetails("Joanne", "Citizen", patient.date_of_birth, email="jo@example.com"),
        patient.version,
    )
    _, changes = update_patient(
        xero.ctx,
        patient.id,
        PatientDetails(
            "Joanne", "Citizen", patient.date_of_birth, email="jo@example.com", notes="Knee"
        ),
        patient.version + 1,
    )
    assert not changes.outbox  # clinical notes never go to Xero
    xero.sync_until_quiet()
    contact = xero.fake.contact_by_name(f"Joanne Citizen (#{patient.number})")
    assert contact is not None and contact.email_address == "jo@example.com"
    assert len(xero.fake.state.contacts) == 4


_ = timedelta


def test_payments_of_a_refused_invoice_keep_their_first_reference(xero: ConnectedClinic) -> None:
    """Issue 13, defect 4: no `-P1.2` for a payment that never reached Xero."""
    xero.fake.set_lock_date(date(2099, 1, 1))  # the invoice is refused
    invoice = paid(xero, invoiced(xero))
    xero.sync_until_quiet()
    assert xero.jobs(JobState.PARKED)
    [payment] = billing.get_invoice(xero.ctx, invoice.id).payments

    xero.fake.set_lock_date(None)
    current = billing.get_invoice(xero.ctx, invoice.id)
    billing.edit_invoice(
        xero.ctx, invoice.id, InvoiceEdit(description="Consult (fixed)"), current.version
    )
    xero.sync_until_quiet()

    assert not xero.jobs(JobState.PARKED, JobState.PENDING)
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None and in_xero.status == "PAID"
    every = xero.fake.payments_for_invoice(in_xero, include_deleted=True)
    assert [p.reference for p in every] == [payment.number]
    sent = [
        p["Reference"]
        for r in xero.fake.requests_to("/Payments", "PUT")
        for p in r.json["Payments"]
    ]
    assert sent == [payment.number]


def test_an_edit_with_nothing_paid_goes_without_reading_the_invoice_first(
    xero: ConnectedClinic,
) -> None:
    """Issue 13, fewer calls: our records say Xero holds no money on it."""
    invoice = invoiced(xero)
    xero.sync_until_quiet()
    xero.fake.clear_requests()
    current = billing.get_invoice(xero.ctx, invoice.id)
    billing.edit_invoice(
        xero.ctx, invoice.id, InvoiceEdit(description="Consult (long)"), current.version
    )
    xero.sync_until_quiet()
    assert [(r.method, r.path.rsplit("/", 2)[-2]) for r in xero.fake.requests] == [
        ("POST", "Invoices")
    ]
    in_xero = xero.fake.invoice_by_number(invoice.number)
    assert in_xero is not None
    assert [line.description for line in in_xero.line_items] == ["Consult (long)"]
