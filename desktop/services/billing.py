"""Billing use cases: invoice a service, take (split, partial) payments, edit or remove
a payment, refund, void; and read invoices back.

Each write is one unit of work: it checks the caller, locks the invoice, applies
the domain's money rules, writes the Xero outbox job in the same transaction
(when Xero is connected) and returns the invoice as it now is with
`Changes(billing=True, ...)`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import billing as rules
from desktop.domain.appointments import AppointmentKind, AppointmentStatus
from desktop.domain.billing import (
    Invoice,
    InvoiceEdit,
    InvoiceStatus,
    PaymentMethod,
    PaymentStatus,
    Tender,
)
from desktop.domain.clinic_time import clinic_zone, local_date
from desktop.domain.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from desktop.domain.money import Money
from desktop.domain.roles import Actor
from desktop.services import billing_sync
from desktop.services import credit as credit_hooks
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store import billing_queries, numbering, queries
from desktop.store.billing_models import InvoiceLineRow, InvoiceRow, PaymentRow, RefundRow
from desktop.store.models import (
    AppointmentRow,
    AppointmentTypeRow,
    ClinicRow,
    PatientRow,
    PractitionerRow,
    ProviderNumberRow,
)
from desktop.store.unit_of_work import UnitOfWork


def _changed(invoice: Invoice, outbox: bool, *extra: uuid.UUID) -> Changes:
    return Changes(billing=True, outbox=outbox, ids=frozenset({invoice.id, *extra}))


def _today(ctx: ServiceContext, clinic: ClinicRow) -> date:
    return local_date(ctx.now(), clinic_zone(clinic.timezone))


def _require_money_role(actor: Actor, what: str) -> None:
    # Practitioners review their day; handing money back or cancelling a bill is
    # the front desk's (or an admin's) call.
    if not actor.handles_money_back:
        raise PermissionDenied(f"Only reception or an admin can {what}.")


def _reloaded(ctx: ServiceContext, invoice_id: uuid.UUID) -> Invoice:
    with ctx.database.reading() as session:
        invoice = billing_queries.load_invoice(session, invoice_id)
        if invoice is None:
            raise NotFound("That invoice no longer exists.")
        return invoice


def _locked(uow: UnitOfWork, invoice_id: uuid.UUID, expected_version: int | None) -> InvoiceRow:
    row = billing_queries.lock_invoice(uow.session, invoice_id)
    if row is None:
        raise NotFound("That invoice no longer exists.")
    if expected_version is not None and row.version != expected_version:
        raise StaleEdit("invoice")
    return row


def _domain(uow: UnitOfWork, row: InvoiceRow) -> Invoice:
    patient = uow.session.get(PatientRow, row.patient_id)
    assert patient is not None
    return billing_queries.to_invoice(row, patient)


# --------------------------------------------------------------------------- invoicing


def _service_patient(appointment: AppointmentRow, patient_id: uuid.UUID | None) -> uuid.UUID:
    if appointment.appointment_type.kind == AppointmentKind.INDIVIDUAL.value:
        if appointment.patient_id is None:
            raise InvalidInput("This appointment has no patient to invoice.")
        if patient_id is not None and patient_id != appointment.patient_id:
            raise InvalidInput("That patient is not the patient of this appointment.")
        if appointment.status == AppointmentStatus.CANCELLED.value:
            raise InvalidInput("A cancelled appointment cannot be invoiced.")
        return appointment.patient_id
    if patient_id is None:
        raise InvalidInput("Choose which class attendee to invoice.")
    attendance = next((a for a in appointment.attendances if a.patient_id == patient_id), None)
    if attendance is None:
        raise InvalidInput("That patient is not booked into this class.")
    if (
        attendance.status == AppointmentStatus.CANCELLED.value
        or appointment.status == AppointmentStatus.CANCELLED.value
    ):
        raise InvalidInput("A cancelled class place cannot be invoiced.")
    return patient_id


def _describe(
    type_name: str, item_code: str, service_day: date, practitioner: str, provider_number: str
) -> str:
    parts = [type_name]
    if item_code:
        parts.append(f"item {item_code}")
    parts.append(f"{service_day:%d/%m/%Y}")
    parts.append(practitioner)
    if provider_number:
        parts.append(f"provider {provider_number}")
    return " · ".join(parts)


def _provider_number(session: Session, practitioner_id: uuid.UUID, clinic_id: uuid.UUID) -> str:
    found = session.execute(
        select(ProviderNumberRow.number).where(
            ProviderNumberRow.practitioner_id == practitioner_id,
            ProviderNumberRow.clinic_id == clinic_id,
        )
    ).scalar_one_or_none()
    return found or ""


def invoice_appointment(
    ctx: ServiceContext,
    appointment_id: uuid.UUID,
    patient_id: uuid.UUID | None = None,
    *,
    issued_on: date | None = None,
) -> tuple[Invoice, Changes]:
    """Raise the invoice for one service: an appointment, or one patient's place in a
    class. Full fee from the appointment type; refused if the service already has one."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        appointment = queries.lock_appointment(uow.session, appointment_id)
        if appointment is None:
            raise NotFound("That appointment no longer exists.")
        patient = _service_patient(appointment, patient_id)
        key = billing_queries.service_key(appointment.id, patient)
        existing = uow.session.execute(
            select(InvoiceRow.number).where(InvoiceRow.active_service_key == key)
        ).scalar_one_or_none()
        if existing is not None:
            raise InvalidInput(f"This service is already invoiced ({existing}).")
        clinic = uow.session.get(ClinicRow, appointment.clinic_id)
        assert clinic is not None
        provider = _provider_number(uow.session, appointment.practitioner_id, clinic.id)
        service_day = local_date(appointment.starts_at, clinic_zone(clinic.timezone))
        issued = issued_on or _today(ctx, clinic)
        series, sequence = billing_queries.next_invoice_sequence(uow.session)
        kind = appointment.appointment_type
        row = InvoiceRow(
            number=rules.invoice_number(sequence, series),
            series=series,
            sequence=sequence,
            clinic_id=clinic.id,
            patient_id=patient,
            appointment_id=appointment.id,
            active_service_key=key,
            practitioner_id=appointment.practitioner_id,
            practitioner_name=appointment.practitioner.name,
            provider_number=provider,
            clinic_name=clinic.name,
            type_name=kind.name,
            item_code=kind.item_code,
            service_date=service_day,
            issued_on=issued,
            due_on=issued,
            currency=kind.currency,
            status=InvoiceStatus.ISSUED.value,
        )
        row.lines.append(
            InvoiceLineRow(
                position=1,
                description=_describe(
                    kind.name,
                    kind.item_code,
                    service_day,
                    appointment.practitioner.name,
                    provider,
                ),
                item_code=kind.item_code,
                quantity=1,
                unit_price_cents=kind.price_cents,
            )
        )
        uow.session.add(row)
        job = billing_sync.invoice_changed(uow.session, row)
        credit_hooks.invoice_raised(uow.session, row)  # pay it from prepaid credit (issue 7)
        uow.commit()
        invoice_id = row.id
    invoice = _reloaded(ctx, invoice_id)
    return invoice, _changed(invoice, job is not None)


def _resend_payments(uow: UnitOfWork, row: InvoiceRow) -> None:
    """Xero will not change an invoice that has payments: the worker takes them off
    first, and these jobs put them back once the invoice is updated."""
    for payment in row.payments:
        if payment.status == PaymentStatus.RECEIVED.value and payment.xero_revision > 0:
            billing_sync.payment_changed(uow.session, row, payment)


def edit_invoice(
    ctx: ServiceContext, invoice_id: uuid.UUID, edit: InvoiceEdit, expected_version: int
) -> tuple[Invoice, Changes]:
    """Change the fee, the wording or the invoice date (not below what is paid), or
    correct the service: its appointment type, date of service or practitioner. The
    invoice goes to Xero again, superseding a job Xero refused."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        row = _locked(uow, invoice_id, expected_version)
        current = _domain(uow, row)
        line = row.lines[0]
        unit = edit.unit_price.cents if edit.unit_price is not None else line.unit_price_cents
        new_total = Money(unit * line.quantity, row.currency) + sum(
            (Money(x.unit_price_cents * x.quantity, row.currency) for x in row.lines[1:]),
            Money.zero(row.currency),
        )
        rules.ensure_editable(current, new_total)
        if edit.changes_service:
            _correct_service(uow.session, row, line, edit)
        if edit.description is not None:
            if not edit.description.strip():
                raise InvalidInput("The invoice line needs a description.")
            line.description = edit.description.strip()
        line.unit_price_cents = unit
        if edit.issued_on is not None:
            row.issued_on = edit.issued_on
            row.due_on = max(row.due_on, edit.issued_on)
        # Only the line may have changed: touch the invoice so its version moves too.
        row.updated_at = ctx.now()
        job = billing_sync.invoice_changed(uow.session, row)
        if job is not None:
            _resend_payments(uow, row)
            credit_hooks.invoice_edited(uow.session, row, job)
        uow.commit()
    invoice = _reloaded(ctx, invoice_id)
    return invoice, _changed(invoice, job is not None)


def _correct_service(
    session: Session, row: InvoiceRow, line: InvoiceLineRow, edit: InvoiceEdit
) -> None:
    """The service facts of a health-fund receipt, as the edit says they really were;
    the line's wording follows them (unless the edit words it itself)."""
    if edit.type_id is not None:
        kind = session.get(AppointmentTypeRow, edit.type_id)
        if kind is None:
            raise NotFound("That appointment type no longer exists.")
        row.type_name = kind.name
        row.item_code = kind.item_code
        line.item_code = kind.item_code
    if edit.practitioner_id is not None:
        practitioner = session.get(PractitionerRow, edit.practitioner_id)
        if practitioner is None:
            raise NotFound("That practitioner no longer exists.")
        row.practitioner_id = practitioner.id
        row.practitioner_name = practitioner.name
        row.provider_number = _provider_number(session, practitioner.id, row.clinic_id)
    if edit.service_date is not None:
        row.service_date = edit.service_date
    line.description = _describe(
        row.type_name, row.item_code, row.service_date, row.practitioner_name, row.provider_number
    )


def void_invoice(
    ctx: ServiceContext, invoice_id: uuid.UUID, reason: str, expected_version: int | None = None
) -> tuple[Invoice, Changes]:
    """Cancel an invoice raised in error (no payments left on it). The service can
    then be invoiced again."""
    _require_money_role(ctx.actor(), "void invoices")
    if not reason.strip():
        raise InvalidInput("Say why the invoice is void.")
    with ctx.unit_of_work() as uow:
        row = _locked(uow, invoice_id, expected_version)
        rules.ensure_voidable(_domain(uow, row))
        row.status = InvoiceStatus.VOIDED.value
        row.void_reason = reason.strip()
        row.voided_at = ctx.now()
        row.active_service_key = None
        job = billing_sync.invoice_changed(uow.session, row)
        credit_hooks.invoice_voided(uow.session, row, job)  # the credit goes back (issue 7)
        uow.commit()
    invoice = _reloaded(ctx, invoice_id)
    return invoice, _changed(invoice, job is not None)


def session_cancelled(
    uow: UnitOfWork, appointment_id: uuid.UUID, patient_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """A cancelled session gives its prepaid credit back, in the caller's transaction.

    Its invoice is voided when nothing but credit paid it (the credit returns to the
    patient and, through the void, in Xero). An invoice with money paid on it is left
    alone: whether to refund or keep a cancellation fee is the clinic's decision.
    Returns the invoices voided.
    """
    query = select(InvoiceRow).where(
        InvoiceRow.appointment_id == appointment_id,
        InvoiceRow.status != InvoiceStatus.VOIDED.value,
    )
    if patient_id is not None:
        query = query.where(InvoiceRow.patient_id == patient_id)
    voided: list[uuid.UUID] = []
    for row in uow.session.execute(query).scalars():
        invoice = _domain(uow, row)
        if invoice.live_payments or not invoice.credits:
            continue
        row.status = InvoiceStatus.VOIDED.value
        row.void_reason = "Session cancelled: prepaid credit returned"
        row.voided_at = datetime.now(UTC)
        row.active_service_key = None
        job = billing_sync.invoice_changed(uow.session, row)
        credit_hooks.invoice_voided(uow.session, row, job)
        voided.append(row.id)
    return voided


# --------------------------------------------------------------------------- payments


def take_payment(
    ctx: ServiceContext,
    invoice_id: uuid.UUID,
    tenders: Sequence[Tender],
    *,
    received_on: date | None = None,
) -> tuple[Invoice, Changes]:
    """Take one payment, or a split payment (e.g. $50 cash + $40 EFTPOS), or part of
    what is due. Together they can never exceed the amount due."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        row = _locked(uow, invoice_id, None)
        invoice = _domain(uow, row)
        if invoice.status is InvoiceStatus.VOIDED:
            raise InvalidInput(f"Invoice {invoice.number} is void; it cannot be paid.")
        rules.ensure_tenders(invoice.amount_due, tenders)
        clinic = uow.session.get(ClinicRow, row.clinic_id)
        assert clinic is not None
        now = ctx.now()
        day = received_on or _today(ctx, clinic)
        position = len(row.payments)
        desk = numbering.desk_series(uow.session)
        added: list[PaymentRow] = []
        for tender in tenders:
            position += 1
            payment = PaymentRow(
                invoice_id=row.id,
                position=position,
                number=rules.payment_number(row.number, position, desk),
                amount_cents=tender.amount.cents,
                currency=tender.amount.currency,
                method=tender.method.value,
                received_on=day,
                received_at=now,
                reference=tender.reference.strip(),
                status=PaymentStatus.RECEIVED.value,
            )
            row.payments.append(payment)
            added.append(payment)
        queued = [billing_sync.payment_changed(uow.session, row, p) for p in added]
        uow.commit()
        ids = [p.id for p in added]
    invoice = _reloaded(ctx, invoice_id)
    return invoice, _changed(invoice, any(queued), *ids)


def _payment_for_change(
    uow: UnitOfWork, payment_id: uuid.UUID, expected_version: int | None
) -> tuple[InvoiceRow, PaymentRow]:
    payment = uow.session.get(PaymentRow, payment_id)
    if payment is None:
        raise NotFound("That payment no longer exists.")
    row = _locked(uow, payment.invoice_id, None)
    uow.session.refresh(payment)
    if expected_version is not None and payment.version != expected_version:
        raise StaleEdit("payment")
    if payment.status != PaymentStatus.RECEIVED.value:
        raise InvalidInput(f"Payment {payment.number} was removed and cannot be changed.")
    if row.refunds:
        raise InvalidInput(
            f"Invoice {row.number} has refunds; its payments can no longer be changed."
        )
    return row, payment


def edit_payment(
    ctx: ServiceContext,
    payment_id: uuid.UUID,
    *,
    amount: Money,
    method: PaymentMethod,
    received_on: date,
    reference: str = "",
    expected_version: int | None = None,
) -> tuple[Invoice, Changes]:
    """Correct a payment (amount, method, date). In Xero the old payment is deleted
    and a new one made, since Xero cannot edit payments."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        row, payment = _payment_for_change(uow, payment_id, expected_version)
        invoice = _domain(uow, row)
        due_without = invoice.amount_due + Money(payment.amount_cents, payment.currency)
        rules.ensure_payment_edit(due_without, amount)
        payment.amount_cents = amount.cents
        payment.method = method.value
        payment.received_on = received_on
        payment.reference = reference.strip()
        job = billing_sync.payment_changed(uow.session, row, payment)
        uow.commit()
        invoice_id = row.id
    invoice = _reloaded(ctx, invoice_id)
    return invoice, _changed(invoice, job is not None, payment_id)


def delete_payment(
    ctx: ServiceContext, payment_id: uuid.UUID, reason: str, expected_version: int | None = None
) -> tuple[Invoice, Changes]:
    """Take out a payment entered in error (money that was never received). Money that
    was received and handed back is a refund instead."""
    _require_money_role(ctx.actor(), "remove payments")
    if not reason.strip():
        raise InvalidInput("Say why the payment is being removed.")
    with ctx.unit_of_work() as uow:
        row, payment = _payment_for_change(uow, payment_id, expected_version)
        payment.status = PaymentStatus.DELETED.value
        payment.deleted_reason = reason.strip()
        job = billing_sync.payment_changed(uow.session, row, payment)
        uow.commit()
        invoice_id = row.id
    invoice = _reloaded(ctx, invoice_id)
    return invoice, _changed(invoice, job is not None, payment_id)


def refund(
    ctx: ServiceContext,
    invoice_id: uuid.UUID,
    amount: Money,
    method: PaymentMethod,
    reason: str,
    *,
    refunded_on: date | None = None,
) -> tuple[Invoice, Changes]:
    """Hand money back to the patient (all or part of what they paid)."""
    _require_money_role(ctx.actor(), "refund payments")
    if not reason.strip():
        raise InvalidInput("Say why the money is being refunded.")
    with ctx.unit_of_work() as uow:
        row = _locked(uow, invoice_id, None)
        rules.ensure_refund(_domain(uow, row), amount)
        clinic = uow.session.get(ClinicRow, row.clinic_id)
        assert clinic is not None
        position = len(row.refunds) + 1
        refund_row = RefundRow(
            invoice_id=row.id,
            position=position,
            number=rules.refund_number(row.number, position, numbering.desk_series(uow.session)),
            amount_cents=amount.cents,
            currency=amount.currency,
            method=method.value,
            refunded_on=refunded_on or _today(ctx, clinic),
            reason=reason.strip(),
        )
        row.refunds.append(refund_row)
        job = billing_sync.refund_added(uow.session, row, refund_row)
        uow.commit()
        refund_id = refund_row.id
    invoice = _reloaded(ctx, invoice_id)
    return invoice, _changed(invoice, job is not None, refund_id)


# --------------------------------------------------------------------------- reading


def get_invoice(ctx: ServiceContext, invoice_id: uuid.UUID) -> Invoice:
    ctx.actor()
    return _reloaded(ctx, invoice_id)


def invoice_for_service(
    ctx: ServiceContext, appointment_id: uuid.UUID, patient_id: uuid.UUID
) -> Invoice | None:
    """The live invoice for a service, if it has been invoiced."""
    ctx.actor()
    key = billing_queries.service_key(appointment_id, patient_id)
    with ctx.database.reading() as session:
        invoice_id = session.execute(
            select(InvoiceRow.id).where(InvoiceRow.active_service_key == key)
        ).scalar_one_or_none()
        if invoice_id is None:
            return None
        return billing_queries.load_invoice(session, invoice_id)


def patient_invoices(ctx: ServiceContext, patient_id: uuid.UUID) -> list[Invoice]:
    """A patient's invoices, newest first (void ones included, marked void)."""
    ctx.actor()
    with ctx.database.reading() as session:
        return billing_queries.patient_invoices(
            session, patient_id, order_by=(InvoiceRow.sequence.desc(),)
        )


def invoice_of_payment(ctx: ServiceContext, payment_id: uuid.UUID) -> Invoice:
    ctx.actor()
    with ctx.database.reading() as session:
        payment = session.get(PaymentRow, payment_id)
        if payment is None:
            raise NotFound("That payment no longer exists.")
        invoice = billing_queries.load_invoice(session, payment.invoice_id)
        assert invoice is not None
        return invoice
