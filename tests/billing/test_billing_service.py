"""Billing use cases on SQLite and PostgreSQL: invoices per service, payments, refunds,
voids, numbering, and the Xero jobs they write in the same transaction."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from desktop.domain import xero_sync
from desktop.domain.billing import (
    InvoiceEdit,
    InvoiceStatus,
    PaidStatus,
    PaymentMethod,
    PaymentTooLarge,
    Tender,
)
from desktop.domain.errors import InvalidInput, PermissionDenied, StaleEdit
from desktop.domain.money import Money
from desktop.domain.outbox import Channel, JobState
from desktop.domain.roles import Actor, Role
from desktop.services import billing, booking, xero_settings
from desktop.services.context import ServiceContext
from desktop.services.patients import PatientDetails, create_patient
from desktop.store.billing_models import InvoiceRow
from desktop.store.outbox import OutboxQueue
from tests.helpers.clinic import ClinicFixture


def consult(ctx: ServiceContext, clinic: ClinicFixture, patient: int = 0, hour: int = 9):
    return booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id,
            clinic.alice.id,
            clinic.consult.id,
            clinic.at(hour),
            patient_id=clinic.patients[patient].id,
        ),
    ).appointment


def cash(*cents: int) -> list[Tender]:
    return [Tender(Money(c), PaymentMethod.CASH) for c in cents]


def test_an_appointment_is_invoiced_once_with_what_a_health_fund_needs(ctx, clinic) -> None:
    appointment = consult(ctx, clinic)
    invoice, changes = billing.invoice_appointment(ctx, appointment.id)
    assert changes.billing and invoice.id in changes.ids
    assert not changes.outbox  # Xero is not connected: nothing is queued
    assert invoice.number == "FD-000001"
    assert invoice.total == Money(9000) and invoice.paid_status is PaidStatus.UNPAID
    service = invoice.service
    assert service.item_code == "505" and service.provider_number == "2448761A"
    assert service.service_date == date(2031, 3, 3)  # in clinic time
    assert invoice.patient_name == "Sam Lee" and invoice.patient_number == clinic.patients[0].number
    with pytest.raises(InvalidInput, match=r"already invoiced \(FD-000001\)"):
        billing.invoice_appointment(ctx, appointment.id)
    assert billing.invoice_for_service(ctx, appointment.id, clinic.patients[0].id) == invoice


def test_each_class_attendee_gets_their_own_invoice(ctx, clinic) -> None:
    pilates = booking.book_appointment(
        ctx,
        booking.BookingRequest(
            clinic.clinic.id, clinic.bob.id, clinic.pilates.id, clinic.at(17), clinic.patients[0].id
        ),
    ).appointment
    booking.add_attendee(ctx, pilates.id, clinic.patients[1].id)
    first, _ = billing.invoice_appointment(ctx, pilates.id, clinic.patients[0].id)
    second, _ = billing.invoice_appointment(ctx, pilates.id, clinic.patients[1].id)
    assert (first.number, second.number) == ("FD-000001", "FD-000002")
    assert first.total == second.total == Money(4500)
    assert first.service.item_code == "560"
    assert first.service.provider_number == ""  # Bob has none at this clinic; shown as such
    with pytest.raises(InvalidInput, match="Choose which class attendee"):
        billing.invoice_appointment(ctx, pilates.id)
    with pytest.raises(InvalidInput, match="not booked into this class"):
        billing.invoice_appointment(ctx, pilates.id, clinic.patients[2].id)


def test_partial_and_split_payments_up_to_the_amount_due(ctx, clinic) -> None:
    invoice, _ = billing.invoice_appointment(ctx, consult(ctx, clinic).id)
    invoice, changes = billing.take_payment(ctx, invoice.id, cash(2000))
    assert invoice.paid_status is PaidStatus.PART_PAID and changes.billing
    with pytest.raises(PaymentTooLarge, match=r"more than the \$70.00 still owing"):
        billing.take_payment(ctx, invoice.id, cash(5000, 3000))
    invoice, _ = billing.take_payment(
        ctx,
        invoice.id,
        [Tender(Money(5000), PaymentMethod.EFTPOS), Tender(Money(2000), PaymentMethod.CARD)],
    )
    assert invoice.paid_status is PaidStatus.PAID and invoice.amount_due.is_zero()
    assert [p.number for p in invoice.payments] == [
        "FD-000001-P1",
        "FD-000001-P2",
        "FD-000001-P3",
    ]
    assert [p.method for p in invoice.payments] == [
        PaymentMethod.CASH,
        PaymentMethod.EFTPOS,
        PaymentMethod.CARD,
    ]


def test_correcting_and_removing_payments(ctx, clinic) -> None:
    invoice, _ = billing.invoice_appointment(ctx, consult(ctx, clinic).id)
    invoice, _ = billing.take_payment(ctx, invoice.id, cash(5000))
    [payment] = invoice.payments
    with pytest.raises(PaymentTooLarge):
        billing.edit_payment(
            ctx,
            payment.id,
            amount=Money(9001),
            method=PaymentMethod.CASH,
            received_on=payment.received_on,
        )
    invoice, _ = billing.edit_payment(
        ctx,
        payment.id,
        amount=Money(9000),
        method=PaymentMethod.BANK_TRANSFER,
        received_on=date(2031, 3, 4),
        expected_version=payment.version,
    )
    assert invoice.paid_status is PaidStatus.PAID
    with pytest.raises(StaleEdit):
        billing.edit_payment(
            ctx,
            payment.id,
            amount=Money(100),
            method=PaymentMethod.CASH,
            received_on=payment.received_on,
            expected_version=payment.version,
        )
    invoice, _ = billing.delete_payment(ctx, payment.id, "Entered on the wrong invoice")
    assert invoice.paid_status is PaidStatus.UNPAID and invoice.amount_due == Money(9000)
    assert not invoice.payments[0].live


def test_refunds_and_voids(ctx, clinic) -> None:
    invoice, _ = billing.invoice_appointment(ctx, consult(ctx, clinic).id)
    invoice, _ = billing.take_payment(ctx, invoice.id, cash(9000))
    with pytest.raises(InvalidInput, match="has payments"):
        billing.void_invoice(ctx, invoice.id, "error")
    invoice, changes = billing.refund(ctx, invoice.id, Money(9000), PaymentMethod.CASH, "Unwell")
    assert invoice.paid_status is PaidStatus.REFUNDED and changes.billing
    assert invoice.refunds[0].number == "FD-000001-R1"
    with pytest.raises(InvalidInput, match="has refunds"):
        billing.edit_invoice(ctx, invoice.id, InvoiceEdit(unit_price=Money(1)), invoice.version)

    other, _ = billing.invoice_appointment(ctx, consult(ctx, clinic, patient=1, hour=11).id)
    voided, _ = billing.void_invoice(ctx, other.id, "Booked in error")
    assert voided.status is InvoiceStatus.VOIDED and voided.paid_status is PaidStatus.VOID
    again, _ = billing.invoice_appointment(ctx, voided.service.appointment_id)
    assert again.number == "FD-000003"  # numbers are never reused


def test_practitioners_cannot_void_or_refund(ctx, clinic) -> None:
    invoice, _ = billing.invoice_appointment(ctx, consult(ctx, clinic).id)

    class AsPractitioner:
        def current_actor(self) -> Actor:
            return Actor(None, "Alice", Role.PRACTITIONER, clinic.alice.id)

    practitioner = ServiceContext(ctx.database, AsPractitioner())
    with pytest.raises(PermissionDenied, match="Only reception or an admin can void"):
        billing.void_invoice(practitioner, invoice.id, "no")


def test_editing_the_fee_never_goes_below_what_is_paid(ctx, clinic) -> None:
    invoice, _ = billing.invoice_appointment(ctx, consult(ctx, clinic).id)
    invoice, _ = billing.take_payment(ctx, invoice.id, cash(5000))
    with pytest.raises(InvalidInput, match="cannot be less than that"):
        billing.edit_invoice(ctx, invoice.id, InvoiceEdit(unit_price=Money(4000)), invoice.version)
    edited, _ = billing.edit_invoice(
        ctx, invoice.id, InvoiceEdit(unit_price=Money(6000)), invoice.version
    )
    assert edited.total == Money(6000) and edited.version > invoice.version
    with pytest.raises(StaleEdit):
        billing.edit_invoice(ctx, invoice.id, InvoiceEdit(unit_price=Money(7000)), invoice.version)


def test_two_desks_invoicing_at_once_get_different_numbers(ctx, clinic) -> None:
    appointments = [consult(ctx, clinic, patient=i % 4, hour=8 + i) for i in range(8)]
    numbers: list[str] = []
    start = threading.Barrier(4)
    lock = threading.Lock()

    def desk(mine: list) -> None:
        start.wait()
        for appointment in mine:
            invoice, _ = billing.invoice_appointment(ctx, appointment.id)
            with lock:
                numbers.append(invoice.number)

    threads = [threading.Thread(target=desk, args=(appointments[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"FD-{n:06d}" for n in range(1, 9)]


def test_with_xero_connected_every_change_queues_its_job_in_the_same_transaction(
    ctx, clinic
) -> None:
    xero_settings.save_connection(
        ctx.database, client_id="app", connection_key="k", tenant_id="t", tenant_name="Org"
    )
    patient, changes = create_patient(ctx, PatientDetails("New", "Person"))
    assert changes.outbox
    invoice, changes = billing.invoice_appointment(ctx, consult(ctx, clinic, patient=0).id)
    assert changes.outbox
    invoice, _ = billing.take_payment(ctx, invoice.id, cash(4000, 5000))
    queue = OutboxQueue(ctx.database)
    jobs = {(j.kind, j.subject_id): j for j in queue.jobs(Channel.XERO)}
    contact = jobs[(xero_sync.CONTACT, clinic.patients[0].id)]
    invoice_job = jobs[(xero_sync.INVOICE, invoice.id)]
    assert (contact.stage, invoice_job.stage) == (10, 20)
    assert invoice_job.depends_on_id == contact.id
    assert invoice_job.payload["number"] == invoice.number
    for payment in invoice.payments:
        job = jobs[(xero_sync.PAYMENT, payment.id)]
        assert job.stage == 30 and job.depends_on_id == invoice_job.id
        assert job.payload["reference"] == payment.number
    assert (xero_sync.CONTACT, patient.id) in jobs
    # A patient edited before its contact went: the new job supersedes the old one and
    # the invoice now waits on the new one (never on a job that will not finish).
    from desktop.services.patients import update_patient

    update_patient(
        ctx, clinic.patients[0].id, PatientDetails("Samuel", "Lee"), clinic.patients[0].version
    )
    newest = [
        j
        for j in queue.jobs(Channel.XERO, [JobState.PENDING])
        if j.kind == xero_sync.CONTACT and j.subject_id == clinic.patients[0].id
    ]
    assert len(newest) == 1
    [waiting] = [j for j in queue.jobs(Channel.XERO) if j.id == invoice_job.id]
    assert waiting.depends_on_id == newest[0].id


def test_the_store_refuses_money_that_is_not_positive(ctx, clinic) -> None:
    """A second line of defence under the service's rules (any client, any path)."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import IntegrityError

    from desktop.store.billing_models import PaymentRow

    invoice, _ = billing.invoice_appointment(ctx, consult(ctx, clinic).id)
    with ctx.database.write_session() as session:
        session.add(
            PaymentRow(
                invoice_id=invoice.id,
                position=1,
                number="FD-000001-P9",
                amount_cents=0,
                method="cash",
                received_on=date(2031, 3, 3),
                received_at=datetime.now(UTC),
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()
    with ctx.database.reading() as session:
        assert session.execute(select(InvoiceRow.sequence)).scalar_one() == 1


def test_a_void_is_stamped_by_the_services_clock(ctx, clinic) -> None:
    """The clinic's clock (ctx.now), not the PC's: a desk with a wrong clock, or a test
    clock, must not stamp billing records with another time."""
    invoice, _ = billing.invoice_appointment(ctx, consult(ctx, clinic).id)
    then = datetime(2031, 3, 3, 1, 2, 3, tzinfo=UTC)
    clocked = ServiceContext(ctx.database, ctx.actors, clock=lambda: then)
    billing.void_invoice(clocked, invoice.id, "Booked in error")
    with ctx.unit_of_work() as uow:
        row = uow.session.get(InvoiceRow, invoice.id)
        assert row is not None
        stamped = row.voided_at if row.voided_at.tzinfo else row.voided_at.replace(tzinfo=UTC)
        assert stamped == then
